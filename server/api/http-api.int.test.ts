// The read API against the production server (`next start`): data is written
// through /api/v1/write, then read back by the real `promtool query …`
// (Debian's prometheus package) and with the request shapes Grafana's
// Prometheus data source sends.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { compressSync } from "snappy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { ensureProductionBuild, startServer, type RunningServer } from "@/server/testing/next-server";
import { encodeWriteRequest, type WriteRequestInit } from "../remote/proto";

const PROMTOOL = "/usr/bin/promtool";
const havePromtool = fs.existsSync(PROMTOOL);
if (!havePromtool && process.env.VIGIL_REQUIRE_PROMETHEUS === "1") throw new Error(`${PROMTOOL} is required (VIGIL_REQUIRE_PROMETHEUS=1)`);

const [backend] = await testBackends();
// Whole seconds, a minute ago: within retention and the head.
const NOW = Math.floor(Date.now() / 1000) * 1000 - 60_000;
const T = NOW / 1000;

let db: TestDatabase;
let server: RunningServer;

function series(labels: Record<string, string>, value: (i: number) => number): WriteRequestInit["timeseries"][number] {
  return {
    labels: Object.entries(labels)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, v]) => ({ name, value: v })),
    // Every 15 s for 10 minutes up to NOW.
    samples: Array.from({ length: 41 }, (_, i) => ({ timestamp: NOW - 600_000 + i * 15_000, value: value(i) })),
  };
}

beforeAll(async () => {
  ensureProductionBuild();
  db = await backend!.create();
  server = await startServer({ ...db.env, WORKERS: "off" });
  const body = compressSync(
    Buffer.from(
      encodeWriteRequest({
        timeseries: [
          series({ __name__: "up", job: "node", instance: "a:9100" }, () => 1),
          series({ __name__: "up", job: "api", instance: "b:80" }, () => 0),
          series({ __name__: "http_requests_total", job: "api", code: "200" }, (i) => i * 30),
          series({ __name__: "my.metric", "a.b": "x" }, () => 7),
        ],
        metadata: [{ type: 1, metricFamilyName: "http_requests_total", help: "Requests.", unit: "" }],
      }),
    ),
  );
  const res = await fetch(`${server.url}/api/v1/write`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy" },
    body: body as Uint8Array<ArrayBuffer>,
  });
  expect(`${res.status} ${await res.text()}`).toBe("204 ");
});

afterAll(async () => {
  await server?.stop();
  await db?.destroy();
});

function promtool(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(PROMTOOL, ["query", ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!havePromtool)("promtool query against Vigil", () => {
  it("instant", () => {
    const r = promtool("instant", "--time", String(T), server.url, "sum by (job) (up)");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual([`{job="api"} => 0 @[${T}]`, `{job="node"} => 1 @[${T}]`]);
    const j = promtool("-o", "json", "instant", "--time", new Date(NOW).toISOString(), server.url, 'rate(http_requests_total{job="api"}[5m])');
    expect(j.code).toBe(0);
    const [sample, ...rest] = JSON.parse(j.stdout);
    expect(rest).toEqual([]);
    expect(sample.metric).toEqual({ code: "200", job: "api" });
    expect(sample.value[0]).toBe(T);
    expect(Number(sample.value[1])).toBeCloseTo(2, 9);
  });

  it("range", () => {
    const r = promtool("-o", "json", "range", "--start", String(T - 60), "--end", String(T), "--step", "30s", server.url, 'up{job="node"}');
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { metric: { __name__: "up", instance: "a:9100", job: "node" }, values: [[T - 60, "1"], [T - 30, "1"], [T, "1"]] },
    ]);
  });

  it("series", () => {
    const r = promtool("-o", "json", "series", "--match", "up", "--match", 'http_requests_total{code="200"}', server.url);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { __name__: "http_requests_total", code: "200", job: "api" },
      { __name__: "up", instance: "a:9100", job: "node" },
      { __name__: "up", instance: "b:80", job: "api" },
    ]);
  });

  it("labels", () => {
    const r = promtool("labels", server.url, "job");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(["api", "node"]);
    const m = promtool("labels", "--match", "up", "--start", String(T - 3600), "--end", String(T), server.url, "instance");
    expect(m.code).toBe(0);
    expect(m.stdout.trim().split("\n")).toEqual(["a:9100", "b:80"]);
  });

  it("reports bad queries with Prometheus's error", () => {
    const r = promtool("instant", server.url, "sum(up");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("bad_data");
    expect(r.stderr).toContain("parse error");
  });
});

describe("Grafana's request shapes against Vigil", () => {
  const form = (path: string, f: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  };

  it("health check: POST query 1+1, then buildinfo", async () => {
    const res = await form("/api/v1/query", { query: "1+1", time: String(T) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ status: "success", data: { resultType: "scalar", result: [T, "2"] } });
    const bi = await (await fetch(`${server.url}/api/v1/status/buildinfo`)).json();
    expect(bi.status).toBe("success");
    expect(bi.data.version).toMatch(/^3\./);
  });

  it("POST form query_range with Grafana's params", async () => {
    const res = await form("/api/v1/query_range", { query: "sum(rate(http_requests_total[1m]))", start: String(T - 120), end: String(T), step: "60" });
    const b = await res.json();
    expect(res.status).toBe(200);
    expect(b.data.resultType).toBe("matrix");
    expect(b.data.result).toHaveLength(1);
    expect(b.data.result[0].metric).toEqual({});
    expect(b.data.result[0].values.map((p: [number, string]) => p[0])).toEqual([T - 120, T - 60, T]);
    for (const [, v] of b.data.result[0].values) expect(Number(v)).toBeCloseTo(2, 9);
  });

  it("labels and label values with match[], start and end", async () => {
    const names = await (await form("/api/v1/labels", { "match[]": 'up{job="api"}', start: String(T - 3600), end: String(T) })).json();
    expect(names).toEqual({ status: "success", data: ["__name__", "instance", "job"] });
    const q = new URLSearchParams({ "match[]": "up", start: String(T - 3600), end: String(T) });
    const values = await (await fetch(`${server.url}/api/v1/label/job/values?${q}`)).json();
    expect(values).toEqual({ status: "success", data: ["api", "node"] });
    const utf8 = await (await fetch(`${server.url}/api/v1/label/U__a_2e_b/values`)).json();
    expect(utf8).toEqual({ status: "success", data: ["x"] });
    const metric = await (await fetch(`${server.url}/api/v1/label/__name__/values`)).json();
    expect(metric.data).toEqual(["http_requests_total", "my.metric", "up"]);
  });

  it("errors keep Prometheus's status codes and envelope", async () => {
    const bad = await fetch(`${server.url}/api/v1/query_range?query=up&start=x&end=1&step=1`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ status: "error", errorType: "bad_data", error: 'invalid parameter "start": cannot parse "x" to a valid timestamp' });
    const exec = await form("/api/v1/query", { query: "up + on() up", time: String(T) });
    expect(exec.status).toBe(422);
    expect((await exec.json()).errorType).toBe("execution");
    expect((await fetch(`${server.url}/api/v1/label/job/values`, { method: "POST" })).status).toBe(405);
  });

  it("series by POST form, and CORS for browser-mode data sources", async () => {
    const res = await form("/api/v1/series", { "match[]": ["up", "{\"my.metric\"}"], start: String(T - 3600), end: String(T) });
    expect((await res.json()).data).toHaveLength(3);
    const pre = await fetch(`${server.url}/api/v1/query_range`, { method: "OPTIONS", headers: { origin: "http://grafana:3000" } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    const get = await fetch(`${server.url}/api/v1/query?query=1`, { headers: { origin: "http://grafana:3000" } });
    expect(get.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("metadata, exemplars, format and parse, status endpoints", async () => {
    const get = async (p: string) => (await fetch(`${server.url}${p}`)).json();
    expect(await get("/api/v1/metadata")).toEqual({
      status: "success",
      data: { http_requests_total: [{ type: "counter", help: "Requests.", unit: "" }] },
    });
    expect(await get("/api/v1/query_exemplars?query=up")).toEqual({ status: "success", data: [] });
    expect(await get(`/api/v1/format_query?query=${encodeURIComponent("sum(up)by(job)")}`)).toEqual({ status: "success", data: "sum by (job) (up)" });
    expect((await get("/api/v1/parse_query?query=up")).data.type).toBe("vectorSelector");
    // Without CONFIG_FILE: the built-in configuration that scrapes Vigil itself.
    const cfg = (await get("/api/v1/status/config")) as { status: string; data: { yaml: string } };
    expect(cfg.status).toBe("success");
    expect(cfg.data.yaml).toMatch(/^global:\n  scrape_interval: 15s\n/);
    expect(cfg.data.yaml).toContain("- job_name: vigil\n");
    const flags = await get("/api/v1/status/flags");
    expect(flags.data["query.lookback-delta"]).toBe("5m");
    const rt = await get("/api/v1/status/runtimeinfo");
    expect(rt.data.storageRetention).toBe("15d");
    const tsdb = await get("/api/v1/status/tsdb");
    expect(tsdb.data.headStats.numSeries).toBe(4);
    expect(tsdb.data.seriesCountByMetricName[0]).toEqual({ name: "up", value: 2 });
    const stats = await (await form("/api/v1/query", { query: "up", time: String(T), stats: "all" })).json();
    expect(stats.data.stats.samples.totalQueryableSamples).toBe(2);
  });
});
