import type { ScrapeManager } from "../scrape";
import { ApiError } from "../http/errors";
import { parseLimitParam, type Params } from "../http/params";
import { newMatcher } from "../storage/labels/matcher";
import { parseMetricSelector } from "../promql/parser";
import type { ApiResult } from "../http/respond";

/** /api/v1/targets: `state` (active, dropped, any) and `scrapePool` filters. */
export function targets(scrape: ScrapeManager, p: Params): ApiResult {
  const state = p.get("state").toLowerCase();
  if (state !== "" && state !== "active" && state !== "dropped" && state !== "any") {
    // Prometheus ignores unknown states and returns everything.
    return { data: scrape.targets({ state: "any", scrapePool: p.get("scrapePool") || undefined }) };
  }
  return { data: scrape.targets({ state: (state || "any") as "active" | "dropped" | "any", scrapePool: p.get("scrapePool") || undefined }) };
}

/** /api/v1/targets/metadata: `match_target`, `metric`, `limit`. */
export function targetsMetadata(scrape: ScrapeManager, p: Params): ApiResult {
  let matchTarget;
  const sel = p.get("match_target");
  if (sel) {
    try {
      matchTarget = parseMetricSelector(sel).map((m) => newMatcher(m.type, m.name, m.value));
    } catch (err) {
      throw new ApiError("bad_data", (err as Error).message);
    }
  }
  const limit = parseLimitParam(p);
  return { data: scrape.targetsMetadata({ matchTarget, metric: p.get("metric") || undefined, limit: limit > 0 ? limit : undefined }) };
}

/** /api/v1/scrape_pools. */
export function scrapePools(scrape: ScrapeManager): ApiResult {
  return { data: scrape.scrapePools() };
}

/**
 * /api/v1/targets/relabel_steps (Prometheus 3): `scrapePool` and `labels`, a
 * JSON object of discovered labels; the pool's relabel_configs applied one
 * rule at a time, with the labels after each rule and whether the target is
 * still kept. Error texts are Prometheus's.
 */
export function relabelSteps(scrape: ScrapeManager, p: Params): ApiResult {
  const scrapePool = p.get("scrapePool");
  if (scrapePool === "") throw new ApiError("bad_data", "no scrapePool parameter provided");
  const labelsJSON = p.get("labels");
  if (labelsJSON === "") throw new ApiError("bad_data", "no labels parameter provided");
  let parsed: unknown;
  try {
    parsed = JSON.parse(labelsJSON);
  } catch (err) {
    throw new ApiError("bad_data", `error parsing labels: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) {
    throw new ApiError("bad_data", "error parsing labels: labels must be a JSON object of string values");
  }
  const steps = scrape.relabelSteps(scrapePool, parsed as Record<string, string>);
  if (!steps) throw new ApiError("bad_data", `error retrieving scrape config: scrape pool "${scrapePool}" not found`);
  return { data: steps };
}
