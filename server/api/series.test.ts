import { describe, expect, it } from "vitest";
import { Engine } from "../promql";
import { MemoryQuerier } from "../promql/promqltest/memory-querier";
import { compareStrings, getLabel, labelsFromStrings, type Labels } from "../storage/labels/labels";
import { matchesAll, type Matcher } from "../storage/labels/matcher";
import type { MetricMetadata, StatusSummary } from "../storage/store";
import { readParams } from "../http/params";
import { apiRoute } from "../http/respond";
import type { ApiContext, ApiStore } from "./context";
import { findSeries, labelNames, labelValues, parseLabelNamesParams, parseLabelValuesParams, parseSeriesParams, unescapeLabelName } from "./series";
import { metricMetadata, parseMetadataParams } from "./metadata";
import { buildInfo, flags, goTimeJSON, parseTSDBStatusParams, runtimeInfo, tsdbStatus } from "./status";

// A store over a fixed list of series; each series has samples only in [from, to] ms.
const data: { ls: Labels; from: number; to: number }[] = [
  { ls: labelsFromStrings("__name__", "up", "job", "node", "instance", "a:9100"), from: 0, to: 1000_000 },
  { ls: labelsFromStrings("__name__", "up", "job", "api", "instance", "b:80"), from: 0, to: 1000_000 },
  { ls: labelsFromStrings("__name__", "http_requests_total", "job", "api", "code", "200"), from: 500_000, to: 1000_000 },
  { ls: labelsFromStrings("__name__", "my.metric", "a.b", "x"), from: 0, to: 10_000 },
];

function pick(ms: Matcher[], mint?: number, maxt?: number) {
  return data
    .filter((d) => (ms.length === 0 || matchesAll(ms, (n) => getLabel(d.ls, n))) && (mint === undefined || d.to >= mint) && (maxt === undefined || d.from <= maxt))
    .map((d) => d.ls);
}

const metadata: MetricMetadata[] = [
  { metricFamily: "up", type: "gauge", help: "Up.", unit: "" },
  { metricFamily: "http_requests_total", type: "counter", help: "Requests.", unit: "" },
];

const fakeStore: ApiStore = {
  series: (ms, mint, maxt) => pick(ms, mint, maxt),
  labelNames: (ms = [], mint, maxt) => [...new Set(pick(ms, mint, maxt).flatMap((l) => l.map((x) => x.name)))].sort(compareStrings),
  labelValues: (name, ms = [], mint, maxt) => [...new Set(pick(ms, mint, maxt).map((l) => getLabel(l, name)).filter((v) => v !== ""))].sort(compareStrings),
  getMetadata: async (metric) => metadata.filter((m) => !metric || m.metricFamily === metric).sort((a, b) => compareStrings(a.metricFamily, b.metricFamily)),
  status: async (limit = 10): Promise<StatusSummary> => ({
    numSeries: 4,
    numSamples: 100,
    minTime: null,
    maxTime: null,
    headSeries: 4,
    headChunks: 4,
    seriesCountByMetricName: [{ name: "up", value: 2 }].slice(0, limit),
    labelValueCountByLabelName: [{ name: "job", value: 2 }],
    memoryInBytesByLabelName: [{ name: "job", value: 12 }],
    seriesCountByLabelValuePair: [{ name: "job=api", value: 2 }],
  }),
};

const ctx: ApiContext = { engine: new Engine(new MemoryQuerier()), store: fakeStore };
const seriesRoute = apiRoute(async (req: Request) => findSeries(ctx, parseSeriesParams(await readParams(req))));
const labelsRoute = apiRoute(async (req: Request) => labelNames(ctx, parseLabelNamesParams(await readParams(req))));
const valuesRoute = (name: string) => apiRoute(async (req: Request) => labelValues(ctx, parseLabelValuesParams(name, await readParams(req))));
const metadataRoute = apiRoute(async (req: Request) => metricMetadata(ctx, parseMetadataParams(await readParams(req))));

const get = (qs: string) => new Request(`http://vigil/x?${qs}`);
const body = async (res: Response | Promise<Response>) => {
  const r = await res;
  return { code: r.status, ...(await r.json()) };
};

describe("/api/v1/series", () => {
  it("requires match[]", async () => {
    expect(await body(seriesRoute(get("")))).toEqual({ code: 400, status: "error", errorType: "bad_data", error: "no match[] parameter provided" });
  });

  it("merges several match[] sets, sorted and without duplicates", async () => {
    const r = await body(seriesRoute(get("match[]=up&match[]=" + encodeURIComponent('{job="api"}'))));
    expect(r.data).toEqual([
      { __name__: "http_requests_total", code: "200", job: "api" },
      { __name__: "up", instance: "a:9100", job: "node" },
      { __name__: "up", instance: "b:80", job: "api" },
    ]);
  });

  it("filters by start/end and truncates at limit with a warning", async () => {
    expect((await body(seriesRoute(get("match[]=up&match[]=http_requests_total&end=100")))).data).toHaveLength(2);
    const r = await body(seriesRoute(get("match[]=up&limit=1")));
    expect(r.data).toHaveLength(1);
    expect(r.warnings).toEqual(["results truncated due to limit"]);
  });

  it("refuses selectors that match everything and bad selectors", async () => {
    expect((await body(seriesRoute(get("match[]=" + encodeURIComponent('{job=~".*"}'))))).error).toBe(
      'invalid parameter "match[]": match[] must contain at least one non-empty matcher',
    );
    expect((await body(seriesRoute(get("match[]=" + encodeURIComponent("up{"))))).error).toMatch(/^invalid parameter "match\[\]": 1:4: parse error: /);
    expect((await body(seriesRoute(get("match[]=up&start=x")))).error).toBe(
      `invalid parameter "start": invalid time value for 'start': cannot parse "x" to a valid timestamp`,
    );
  });

  it("handles UTF-8 metric and label names", async () => {
    const r = await body(seriesRoute(get("match[]=" + encodeURIComponent('{"my.metric"}'))));
    expect(r.data).toEqual([{ __name__: "my.metric", "a.b": "x" }]);
  });
});

describe("/api/v1/labels", () => {
  it("lists names, restricted by match[] as Grafana asks", async () => {
    expect((await body(labelsRoute(get("")))).data).toEqual(["__name__", "a.b", "code", "instance", "job"]);
    const r = await body(labelsRoute(get(`match[]=${encodeURIComponent('up{job="api"}')}&start=0&end=1000`)));
    expect(r).toEqual({ code: 200, status: "success", data: ["__name__", "instance", "job"] });
    expect((await body(labelsRoute(get("limit=2")))).warnings).toEqual(["results truncated due to limit"]);
  });
});

describe("/api/v1/label/<name>/values", () => {
  it("lists values, with match[] and limit", async () => {
    expect((await body(valuesRoute("job")(get("")))).data).toEqual(["api", "node"]);
    expect((await body(valuesRoute("job")(get("match[]=http_requests_total")))).data).toEqual(["api"]);
    expect((await body(valuesRoute("__name__")(get("limit=1")))).data).toEqual(["http_requests_total"]);
    expect((await body(valuesRoute("nope")(get("")))).data).toEqual([]);
  });

  it("unescapes U__ names as Prometheus 3", async () => {
    expect(unescapeLabelName("U__a_2e_b")).toBe("a.b");
    expect(unescapeLabelName("U__a__b")).toBe("a_b");
    expect(unescapeLabelName("U___1f600_")).toBe("😀");
    expect(unescapeLabelName("U__a_zz_")).toBe("U__a_zz_");
    expect(unescapeLabelName("U__a_2e")).toBe("U__a_2e");
    expect(unescapeLabelName("U__a_d800_")).toBe("U__a_d800_");
    expect(unescapeLabelName("plain_name")).toBe("plain_name");
    expect((await body(valuesRoute("U__a_2e_b")(get("")))).data).toEqual(["x"]);
  });
});

describe("/api/v1/metadata", () => {
  it("maps metric families to lists, honouring limit and metric", async () => {
    expect((await body(metadataRoute(get("")))).data).toEqual({
      http_requests_total: [{ type: "counter", help: "Requests.", unit: "" }],
      up: [{ type: "gauge", help: "Up.", unit: "" }],
    });
    expect((await body(metadataRoute(get("metric=up")))).data).toEqual({ up: [{ type: "gauge", help: "Up.", unit: "" }] });
    expect((await body(metadataRoute(get("limit=0")))).data).toEqual({});
    expect(Object.keys((await body(metadataRoute(get("limit=1")))).data)).toHaveLength(1);
    expect((await body(metadataRoute(get("limit=x")))).error).toBe("limit must be a number");
    expect((await body(metadataRoute(get("limit_per_metric=x")))).error).toBe("limit_per_metric must be a number");
  });
});

describe("/api/v1/status/*", () => {
  it("buildinfo has Prometheus's fields", () => {
    expect(Object.keys(buildInfo().data as object)).toEqual(["version", "revision", "branch", "buildUser", "buildDate", "goVersion"]);
  });

  it("runtimeinfo writes Go times and the retention", () => {
    const d = runtimeInfo({ startedAt: 1_700_000_000_000, now: 1_700_000_000_500, retentionMs: 15 * 86400_000 }).data as Record<string, unknown>;
    expect(d.startTime).toBe("2023-11-14T22:13:20Z");
    expect(d.serverTime).toBe("2023-11-14T22:13:20.5Z");
    expect(d.storageRetention).toBe("15d");
    expect(goTimeJSON(1_700_000_000_120)).toBe("2023-11-14T22:13:20.12Z");
  });

  it("flags are sorted string pairs", () => {
    expect(flags({ b: "2", a: "1" }).data.json).toBe('{"a":"1","b":"2"}');
  });

  it("tsdb status has headStats and an empty head's extreme times", async () => {
    const r = await tsdbStatus(ctx, parseTSDBStatusParams((await readParams(get("limit=1"))) as never));
    const json = JSON.stringify(r.data, (_k, v) => (v && typeof v === "object" && "json" in v ? `RAW:${v.json}` : v));
    expect(json).toContain('"minTime":"RAW:9223372036854775807"');
    expect(json).toContain('"maxTime":"RAW:-9223372036854775808"');
    expect(json).toContain('"numLabelPairs":9');
    const route = apiRoute(async (req: Request) => tsdbStatus(ctx, parseTSDBStatusParams(await readParams(req))));
    const text = await (await route(get(""))).text();
    expect(text).toContain('"headStats":{"numSeries":4,"numLabelPairs":9,"chunkCount":4,"minTime":9223372036854775807,"maxTime":-9223372036854775808}');
    expect((await body(route(get("limit=0")))).error).toBe("limit must be a positive number");
  });
});
