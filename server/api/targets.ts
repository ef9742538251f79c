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
