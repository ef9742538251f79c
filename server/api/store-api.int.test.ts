// The series, labels, metadata and TSDB-status endpoints' domain functions
// over the real series store (PGlite, and PostgreSQL when reachable).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlClient } from "@/db/client";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { Engine } from "../promql";
import { labelsFromStrings, type Labels } from "../storage/labels/labels";
import { SeriesStore } from "../storage/store";
import { Params } from "../http/params";
import { toJSON } from "../http/json";
import type { ApiContext } from "./context";
import { findSeries, labelNames, labelValues, parseLabelNamesParams, parseLabelValuesParams, parseSeriesParams } from "./series";
import { metricMetadata, parseMetadataParams } from "./metadata";
import { instantQuery, parseInstantQueryParams } from "./query";
import { tsdbStatus } from "./status";

const backends = await testBackends();
const NOW = 1_800_000_000_000;

describe.each(backends)("API over the series store on $name", (backend) => {
  let db: TestDatabase;
  let client: SqlClient;
  let ctx: ApiContext;

  beforeAll(async () => {
    db = await backend.create();
    client = await db.open();
    const store = await SeriesStore.open(client, { now: () => NOW });
    // "old" has samples an hour ago only; "new" in the last minute only.
    const entries: Labels[] = [
      labelsFromStrings("__name__", "up", "job", "old", "instance", "o:1"),
      labelsFromStrings("__name__", "up", "job", "new", "instance", "n:1"),
      labelsFromStrings("__name__", "node_load1", "job", "new", "instance", "n:1"),
    ];
    const t = [NOW - 3_600_000, NOW - 3_540_000, NOW - 60_000, NOW, NOW - 30_000, NOW];
    await store.append({ entries, offsets: [0, 2, 4, 6], t, v: Float64Array.from([1, 1, 1, 1, 0.5, 0.75]) });
    await store.putMetadata([{ metricFamily: "node_load1", type: "gauge", help: "1m load average.", unit: "" }]);
    ctx = { engine: new Engine(store), store };
  });

  afterAll(async () => {
    await client.close();
    await db.destroy();
  });

  const p = (qs: string) => Params.fromQuery(qs);
  const s = NOW / 1000;

  it("series honours start/end", () => {
    const all = JSON.parse(toJSON(findSeries(ctx, parseSeriesParams(p("match[]=up"))).data));
    expect(all.map((x: { job: string }) => x.job)).toEqual(["new", "old"]);
    const recent = JSON.parse(toJSON(findSeries(ctx, parseSeriesParams(p(`match[]=up&start=${s - 300}&end=${s}`))).data));
    expect(recent).toEqual([{ __name__: "up", instance: "n:1", job: "new" }]);
  });

  it("labels and label values honour match[] and the time range", () => {
    expect(labelNames(ctx, parseLabelNamesParams(p(""))).data).toEqual(["__name__", "instance", "job"]);
    expect(labelValues(ctx, parseLabelValuesParams("job", p(""))).data).toEqual(["new", "old"]);
    expect(labelValues(ctx, parseLabelValuesParams("job", p(`start=${s - 300}`))).data).toEqual(["new"]);
    expect(labelValues(ctx, parseLabelValuesParams("__name__", p("match[]=" + encodeURIComponent('{job="new"}')))).data).toEqual(["node_load1", "up"]);
    expect(labelValues(ctx, parseLabelValuesParams("job", p(`end=${s - 3000}`))).data).toEqual(["old"]);
  });

  it("metadata comes from the store", async () => {
    expect(JSON.parse(toJSON((await metricMetadata(ctx, parseMetadataParams(p("")))).data))).toEqual({
      node_load1: [{ type: "gauge", help: "1m load average.", unit: "" }],
    });
  });

  it("queries read the store", async () => {
    const r = await instantQuery(ctx, parseInstantQueryParams(p("query=" + encodeURIComponent("sum(up)")), NOW));
    expect(toJSON(r.data)).toBe(`{"resultType":"vector","result":[{"metric":{},"value":[${s},"1"]}]}`);
  });

  it("tsdb status reports the head", async () => {
    const r = JSON.parse(toJSON((await tsdbStatus(ctx, { limit: 10 })).data));
    expect(r.headStats).toMatchObject({ numSeries: 3, numLabelPairs: 6, minTime: NOW - 3_600_000, maxTime: NOW });
    expect(r.seriesCountByMetricName).toEqual([
      { name: "up", value: 2 },
      { name: "node_load1", value: 1 },
    ]);
    expect(Object.keys(r)).toEqual(["headStats", "seriesCountByMetricName", "labelValueCountByLabelName", "memoryInBytesByLabelName", "seriesCountByLabelValuePair"]);
  });
});
