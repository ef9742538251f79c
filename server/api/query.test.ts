import { beforeAll, describe, expect, it } from "vitest";
import { Engine, ALL_FEATURES } from "../promql";
import { MemoryQuerier } from "../promql/promqltest/memory-querier";
import { labelsFromStrings } from "../storage/labels/labels";
import { readParams } from "../http/params";
import { apiRoute } from "../http/respond";
import type { ApiContext, ApiStore } from "./context";
import { instantQuery, parseInstantQueryParams, parseRangeQueryParams, rangeQuery } from "./query";
import { formatQuery, parseQuery, queryExemplars } from "./format";

const NOW = 1_700_000_000_000;
const querier = new MemoryQuerier();
let ctx: ApiContext;

beforeAll(() => {
  // up{job="a"} = 1 and up{job="b"} = 0 every 15 s for 10 minutes before NOW.
  const times = Array.from({ length: 41 }, (_, i) => NOW - 600_000 + i * 15_000);
  querier.add(labelsFromStrings("__name__", "up", "job", "a"), times, new Float64Array(times.length).fill(1));
  querier.add(labelsFromStrings("__name__", "up", "job", "b"), times, new Float64Array(times.length).fill(0));
  querier.add(
    labelsFromStrings("__name__", "requests_total", "job", "a"),
    times,
    Float64Array.from(times, (_, i) => i * 10),
  );
  ctx = { engine: new Engine(querier, ALL_FEATURES), store: {} as ApiStore, now: () => NOW };
});

const queryRoute = apiRoute(async (req: Request) => instantQuery(ctx, parseInstantQueryParams(await readParams(req), NOW), req.signal));
const rangeRoute = apiRoute(async (req: Request) => rangeQuery(ctx, parseRangeQueryParams(await readParams(req)), req.signal));

const get = (path: string) => new Request(`http://vigil${path}`);
const postForm = (path: string, form: Record<string, string>) =>
  new Request(`http://vigil${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  });

async function call(route: (r: Request) => Promise<Response>, req: Request) {
  const res = await route(req);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.clone().text(), body: await res.json() };
}

describe("/api/v1/query", () => {
  it("answers Grafana's health check (POST 1+1 at a float time)", async () => {
    const r = await call(queryRoute, postForm("/api/v1/query", { query: "1+1", time: "1700000000.123" }));
    expect(r.status).toBe(200);
    expect(r.type).toBe("application/json");
    expect(r.text).toBe('{"status":"success","data":{"resultType":"scalar","result":[1700000000.123,"2"]}}');
  });

  it("evaluates a vector at the default time (now)", async () => {
    const r = await call(queryRoute, get("/api/v1/query?query=up"));
    expect(r.body).toEqual({
      status: "success",
      data: {
        resultType: "vector",
        result: [
          { metric: { __name__: "up", job: "a" }, value: [NOW / 1000, "1"] },
          { metric: { __name__: "up", job: "b" }, value: [NOW / 1000, "0"] },
        ],
      },
    });
  });

  it("returns strings, matrices and special values", async () => {
    expect((await call(queryRoute, get('/api/v1/query?query="hi"&time=10'))).text).toBe(
      '{"status":"success","data":{"resultType":"string","result":[10,"hi"]}}',
    );
    const m = await call(queryRoute, get(`/api/v1/query?query=up{job="a"}[30s]&time=${NOW / 1000}`));
    expect(m.body.data.resultType).toBe("matrix");
    expect(m.body.data.result[0].values).toEqual([
      [NOW / 1000 - 15, "1"],
      [NOW / 1000, "1"],
    ]);
    const inf = await call(queryRoute, get("/api/v1/query?query=1/0&time=1"));
    expect(inf.body.data.result).toEqual([1, "+Inf"]);
  });

  it("maps parse errors to bad_data with Prometheus's wording", async () => {
    const r = await call(queryRoute, get("/api/v1/query?query=sum(up&time=1"));
    expect(r.status).toBe(400);
    expect(r.body.errorType).toBe("bad_data");
    expect(r.body.error).toMatch(/^invalid parameter "query": 1:\d+: parse error: /);
    expect(r.text.startsWith('{"status":"error","errorType":"bad_data","error":')).toBe(true);
    const e = await call(queryRoute, get("/api/v1/query?query="));
    expect(e.body.error).toBe('invalid parameter "query": unknown position: parse error: no expression found in input');
  });

  it("checks time and timeout parameters", async () => {
    const r = await call(queryRoute, get("/api/v1/query?query=1&time=yesterday"));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe(`invalid parameter "time": invalid time value for 'time': cannot parse "yesterday" to a valid timestamp`);
    const t = await call(queryRoute, get("/api/v1/query?query=1&timeout=x"));
    expect(t.body.error).toBe('invalid parameter "timeout": cannot parse "x" to a valid duration');
    const lb = await call(queryRoute, get("/api/v1/query?query=1&lookback_delta=x"));
    expect(lb.body.error).toBe('error parsing lookback delta duration: cannot parse "x" to a valid duration');
  });

  it("maps execution errors to 422", async () => {
    const r = await call(queryRoute, get(`/api/v1/query?query=${encodeURIComponent("up + on() up")}&time=${NOW / 1000}`));
    expect(r.status).toBe(422);
    expect(r.body.errorType).toBe("execution");
    expect(r.body.error).toMatch(/many-to-many matching not allowed/);
  });

  it("honours lookback_delta", async () => {
    const later = NOW / 1000 + 120;
    expect((await call(queryRoute, get(`/api/v1/query?query=up&time=${later}`))).body.data.result).toHaveLength(2);
    expect((await call(queryRoute, get(`/api/v1/query?query=up&time=${later}&lookback_delta=1m`))).body.data.result).toHaveLength(0);
  });

  it("returns stats when asked, per step with stats=all", async () => {
    const r = await call(queryRoute, get(`/api/v1/query?query=up&time=${NOW / 1000}&stats=all`));
    const s = r.body.data.stats;
    expect(Object.keys(s.timings)).toEqual(["evalTotalTime", "resultSortTime", "queryPreparationTime", "innerEvalTime", "execQueueTime", "execTotalTime"]);
    expect(s.samples.totalQueryableSamples).toBe(2);
    expect(s.samples.totalQueryableSamplesPerStep).toEqual([[NOW / 1000, 2]]);
    expect(typeof s.samples.peakSamples).toBe("number");
    const plain = await call(queryRoute, get(`/api/v1/query?query=up&time=${NOW / 1000}&stats=1`));
    expect(plain.body.data.stats.samples.totalQueryableSamplesPerStep).toBeUndefined();
    expect((await call(queryRoute, get(`/api/v1/query?query=up&time=${NOW / 1000}`))).body.data.stats).toBeUndefined();
  });

  it("returns annotations beside the data", async () => {
    const r = await call(queryRoute, get(`/api/v1/query?query=${encodeURIComponent("rate(up[5m])")}&time=${NOW / 1000}`));
    expect(r.status).toBe(200);
    expect(r.body.infos?.[0]).toMatch(/does not end in _total/);
  });
});

describe("/api/v1/query_range", () => {
  it("answers Grafana's POST form query_range", async () => {
    const r = await call(
      rangeRoute,
      postForm("/api/v1/query_range", { query: "sum by (job) (up)", start: String(NOW / 1000 - 60), end: String(NOW / 1000), step: "30" }),
    );
    expect(r.status).toBe(200);
    expect(r.body.data.resultType).toBe("matrix");
    expect(r.body.data.result).toEqual([
      { metric: { job: "a" }, values: [[NOW / 1000 - 60, "1"], [NOW / 1000 - 30, "1"], [NOW / 1000, "1"]] },
      { metric: { job: "b" }, values: [[NOW / 1000 - 60, "0"], [NOW / 1000 - 30, "0"], [NOW / 1000, "0"]] },
    ]);
  });

  it("accepts RFC 3339 times and duration steps", async () => {
    const start = new Date(NOW - 60_000).toISOString();
    const end = new Date(NOW).toISOString();
    const r = await call(rangeRoute, get(`/api/v1/query_range?query=1&start=${start}&end=${end}&step=1m`));
    expect(r.body.data).toEqual({ resultType: "matrix", result: [{ metric: {}, values: [[NOW / 1000 - 60, "1"], [NOW / 1000, "1"]] }] });
  });

  it.each([
    ["start=x&end=1&step=1", 'invalid parameter "start": cannot parse "x" to a valid timestamp'],
    ["end=1&step=1", 'invalid parameter "start": cannot parse "" to a valid timestamp'],
    ["start=1&end=y&step=1", 'invalid parameter "end": cannot parse "y" to a valid timestamp'],
    ["start=2&end=1&step=1", "end timestamp must not be before start time"],
    ["start=1&end=2", 'invalid parameter "step": cannot parse "" to a valid duration'],
    ["start=1&end=2&step=0", "zero or negative query resolution step widths are not accepted. Try a positive integer"],
    ["start=1&end=2&step=-1s", 'invalid parameter "step": cannot parse "-1s" to a valid duration'],
    ["start=0&end=11001&step=1", "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"],
    ["start=0&end=11000&step=1&query=up[5m]", 'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector'],
  ])("%s → %s", async (qs, msg) => {
    const r = await call(rangeRoute, get(`/api/v1/query_range?${qs.includes("query=") ? qs : qs + "&query=1"}`));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ status: "error", errorType: "bad_data", error: msg });
  });

  it("turns an expired per-query timeout into errorType timeout (503)", async () => {
    const r = await call(
      rangeRoute,
      get(`/api/v1/query_range?query=${encodeURIComponent("count_over_time(up[10m:1ms])")}&start=${NOW / 1000 - 3600}&end=${NOW / 1000}&step=1&timeout=0.001`),
    );
    expect(r.status).toBe(503);
    expect(r.body.errorType).toBe("timeout");
    expect(r.body.error).toMatch(/^query timed out in /);
  });
});

describe("parse-only endpoints", () => {
  const fmtRoute = apiRoute(async (req: Request) => formatQuery(ctx, await readParams(req)));
  const parseRoute = apiRoute(async (req: Request) => parseQuery(ctx, await readParams(req)));
  const exRoute = apiRoute(async (req: Request) => queryExemplars(ctx, await readParams(req)));

  it("formats queries", async () => {
    const r = await call(fmtRoute, get(`/api/v1/format_query?query=${encodeURIComponent("sum(rate(x[5m]))by(job)<1")}`));
    expect(r.body).toEqual({ status: "success", data: "sum by (job) (rate(x[5m])) < 1" });
    expect(r.text).toContain("\\u003c");
    expect((await call(fmtRoute, get("/api/v1/format_query?query=foo{"))).body.errorType).toBe("bad_data");
  });

  it("returns the AST", async () => {
    const r = await call(parseRoute, get("/api/v1/parse_query?query=up"));
    expect(r.body.data).toMatchObject({ type: "vectorSelector", name: "up" });
  });

  it("returns no exemplars", async () => {
    expect((await call(exRoute, get("/api/v1/query_exemplars?query=up&start=1&end=2"))).body).toEqual({ status: "success", data: [] });
    expect((await exRoute(get("/api/v1/query_exemplars?query=1"))).status).toBe(204);
    expect((await call(exRoute, get("/api/v1/query_exemplars?query=up&start=2&end=1"))).body.error).toBe(
      "end timestamp must not be before start timestamp",
    );
    expect((await call(exRoute, get("/api/v1/query_exemplars?query=up{"))).body.error).toMatch(/^1:4: parse error/);
  });
});
