// /api/v1/metadata (Prometheus's `metricMetadata`): metric family → list of
// {type, help, unit}. Prometheus gathers these from its scrape targets and may
// list several per metric; our store keeps the latest one per family.

import { badData } from "../http/errors";
import { RawJSON, jsonString, toJSON } from "../http/json";
import { goAtoi, type Params } from "../http/params";
import type { ApiResult } from "../http/respond";
import { compareStrings } from "../storage/labels/labels";
import type { ApiContext } from "./context";

export interface MetadataParams {
  /** Max metrics; -1 for all (Prometheus's default), 0 for none. */
  limit: number;
  /** Max entries per metric; <= 0 for all. */
  limitPerMetric: number;
  /** Only this metric family when not "". */
  metric: string;
}

export function parseMetadataParams(p: Params): MetadataParams {
  let limit = -1;
  const l = p.get("limit");
  if (l !== "") {
    const n = goAtoi(l);
    if (n === null) throw badData("limit must be a number");
    limit = n;
  }
  let limitPerMetric = -1;
  const lpm = p.get("limit_per_metric");
  if (lpm !== "") {
    const n = goAtoi(lpm);
    if (n === null) throw badData("limit_per_metric must be a number");
    limitPerMetric = n;
  }
  return { limit, limitPerMetric, metric: p.get("metric") };
}

export async function metricMetadata(ctx: ApiContext, q: MetadataParams): Promise<ApiResult<RawJSON>> {
  if (q.limit === 0) return { data: new RawJSON("{}") };
  const rows = await ctx.store.getMetadata(q.metric || undefined);
  const byMetric = new Map<string, { type: string; help: string; unit: string }[]>();
  for (const r of rows) {
    let list = byMetric.get(r.metricFamily);
    if (!list) byMetric.set(r.metricFamily, (list = []));
    if (q.limitPerMetric > 0 && list.length >= q.limitPerMetric) continue;
    list.push({ type: r.type, help: r.help, unit: r.unit });
  }
  // Go writes map keys sorted; which metrics a limit keeps is unspecified there (map order), here the first by name.
  let names = [...byMetric.keys()].sort(compareStrings);
  if (q.limit > 0) names = names.slice(0, q.limit);
  return { data: new RawJSON("{" + names.map((n) => jsonString(n) + ":" + toJSON(byMetric.get(n))).join(",") + "}") };
}
