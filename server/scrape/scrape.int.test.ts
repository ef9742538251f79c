// Scraping real exporters into a real SeriesStore (PGlite): a prom-client
// app, Debian's python3-prometheus-client, Debian's prometheus-node-exporter,
// and faulty targets (timeout, garbage, HTTP 500, one that goes away, one
// over sample_limit). The exporters that need Debian packages are skipped
// when missing unless VIGIL_REQUIRE_EXPORTERS=1.
//
// Everything runs on real time with a 1 s scrape interval, so each check is
// bounded by a few seconds.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import client from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SqlClient } from "@/db/client";
import { loadConfig } from "@/server/config";
import { Engine, type Vector } from "@/server/promql";
import { labelsFromRecord, labelsToRecord } from "@/server/storage/labels/labels";
import { newMatcher, type Matcher } from "@/server/storage/labels/matcher";
import { SeriesStore, type SeriesSamples } from "@/server/storage/store";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { ScrapeManager } from "./manager";
import { ScrapeLoop } from "./scrape-loop";
import { Target } from "./target";

const requireExporters = process.env.VIGIL_REQUIRE_EXPORTERS === "1";
const NODE_EXPORTER = "/usr/bin/prometheus-node-exporter";

function findPython(): string | null {
  for (const py of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(py, ["-c", "import prometheus_client"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}
const python = findPython();
const hasNodeExporter = fs.existsSync(NODE_EXPORTER);
if (requireExporters && (!python || !hasNodeExporter)) throw new Error("VIGIL_REQUIRE_EXPORTERS=1 but python3-prometheus-client or prometheus-node-exporter is missing");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function serve(handler: http.RequestListener): Promise<{ addr: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { addr: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, server };
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, "127.0.0.1", () => (s.end(), r(true)));
      s.on("error", () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`port ${port} not listening after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const until = async (what: string, cond: () => Promise<boolean> | boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const bits = (v: Float64Array, i: number) => new BigUint64Array(v.buffer, v.byteOffset, v.length)[i]!;
const STALE = 0x7ff0000000000002n;

const backend = (await testBackends()).find((b) => b.name === "pglite")!;

describe("scraping real targets into the store", () => {
  let db: TestDatabase;
  let sql: SqlClient;
  let store: SeriesStore;
  const servers: http.Server[] = [];
  const children: ChildProcess[] = [];
  let manager: ScrapeManager;
  const ac = new AbortController();
  const sdDir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-scrape-int-"));
  const addrs: Record<string, string> = {};

  const select = (ms: Matcher[]): Promise<SeriesSamples[]> => store.select(ms, 0, Date.now() + 60_000);
  const series = async (job: string, name: string) => select([newMatcher("=", "__name__", name), newMatcher("=", "job", job)]);
  const lastUp = async (job: string) => {
    const s = await series(job, "up");
    return s.length === 1 && s[0]!.v.length > 0 ? s[0]!.v[s[0]!.v.length - 1]! : undefined;
  };

  beforeAll(async () => {
    db = await backend.create();
    sql = await db.open();
    store = await SeriesStore.open(sql);

    // prom-client app, served gzipped when asked.
    const reg = new client.Registry();
    const hits = new client.Counter({ name: "app_requests_total", help: "Requests.", labelNames: ["code"], registers: [reg] });
    hits.inc({ code: "200" }, 3);
    new client.Histogram({ name: "app_latency_seconds", help: "Latency.", buckets: [0.1, 1], registers: [reg] }).observe(0.5);
    const prom = await serve(async (req, res) => {
      const body = await reg.metrics();
      res.setHeader("Content-Type", reg.contentType);
      if (/gzip/.test(String(req.headers["accept-encoding"]))) {
        res.setHeader("Content-Encoding", "gzip");
        res.end(zlib.gzipSync(body));
      } else res.end(body);
    });
    addrs.promclient = prom.addr;
    const hang = await serve(() => {});
    addrs.timeout = hang.addr;
    const garbage = await serve((_q, res) => (res.setHeader("Content-Type", "text/plain"), res.end("this is { not metrics\n")));
    addrs.garbage = garbage.addr;
    const e500 = await serve((_q, res) => ((res.statusCode = 500), res.end("boom")));
    addrs.e500 = e500.addr;
    const many = await serve((_q, res) => (res.setHeader("Content-Type", "text/plain"), res.end("a 1\nb 2\nc 3\nd 4\ne 5\n")));
    addrs.limit = many.addr;
    const gone = await serve((_q, res) => (res.setHeader("Content-Type", "text/plain"), res.end("vanishing_metric 1\n")));
    addrs.gone = gone.addr;
    const removed = await serve((_q, res) => (res.setHeader("Content-Type", "text/plain"), res.end("removed_metric 1\n")));
    addrs.removed = removed.addr;
    servers.push(prom.server, hang.server, garbage.server, e500.server, many.server, removed.server);
    (globalThis as Record<string, unknown>).__goneServer = gone.server;

    if (python) {
      const port = await freePort();
      const code = `from prometheus_client import start_http_server, Counter\nimport time\nc = Counter('py_jobs', 'Jobs done.')\nc.inc(7)\nstart_http_server(${port}, addr='127.0.0.1')\ntime.sleep(300)\n`;
      children.push(spawn(python, ["-c", code], { stdio: "ignore" }));
      await waitForPort(port, 10_000);
      addrs.python = `127.0.0.1:${port}`;
    }
    if (hasNodeExporter) {
      const port = await freePort();
      children.push(spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" }));
      await waitForPort(port, 10_000);
      addrs.node = `127.0.0.1:${port}`;
    }

    fs.writeFileSync(path.join(sdDir, "targets.json"), JSON.stringify([{ targets: [addrs.removed], labels: { from: "file" } }]));
    const job = (name: string, addr: string | undefined, extra = "") => (addr ? `  - job_name: ${name}\n    static_configs: [{targets: ["${addr}"]}]\n${extra}` : "");
    const yml = `global:
  scrape_interval: 1s
  scrape_timeout: 500ms
scrape_configs:
${job("promclient", addrs.promclient)}${job("python", addrs.python)}${job("node", addrs.node, "    scrape_timeout: 900ms\n")}${job("timeout", addrs.timeout)}${job("garbage", addrs.garbage)}${job("http500", addrs.e500)}${job("limit", addrs.limit, "    sample_limit: 3\n")}${job("gone", addrs.gone)}
  - job_name: removed
    file_sd_configs: [{files: ["${sdDir}/*.json"], refresh_interval: 1s}]
`;
    manager = new ScrapeManager({ appendable: store, discovery: { updateIntervalMs: 200 } });
    manager.start(ac.signal);
    manager.applyConfig(loadConfig(yml, "prometheus.yml"));
  });

  afterAll(async () => {
    await manager?.stop();
    ac.abort();
    for (const c of children) c.kill("SIGTERM");
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    await store?.close();
    await sql?.close();
    await db?.destroy();
    fs.rmSync(sdDir, { recursive: true, force: true });
  });

  it("scrapes a prom-client app (gzip) with its metadata", async () => {
    await until("promclient up", async () => (await lastUp("promclient")) === 1);
    const s = await select([newMatcher("=", "__name__", "app_requests_total")]);
    expect(labelsToRecord(s[0]!.labels)).toEqual({ __name__: "app_requests_total", code: "200", job: "promclient", instance: addrs.promclient });
    expect(s[0]!.v[0]).toBe(3);
    expect((await select([newMatcher("=", "__name__", "app_latency_seconds_bucket")])).map((x) => labelsToRecord(x.labels).le).sort()).toEqual(["+Inf", "0.1", "1.0"]);
    for (const n of ["scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"]) {
      expect((await series("promclient", n)).length, n).toBe(1);
    }
    const scraped = (await series("promclient", "scrape_samples_scraped"))[0]!;
    expect(scraped.v[0]).toBeGreaterThan(5);
    expect((await series("promclient", "scrape_series_added"))[0]!.v[0]).toBe(scraped.v[0]);
    const md = manager.targetsMetadata({ metric: "app_requests_total" });
    expect(md).toEqual([{ target: { instance: addrs.promclient, job: "promclient" }, type: "counter", help: "Requests.", unit: "" }]);
    expect(await store.getMetadata("app_requests_total")).toEqual([{ metricFamily: "app_requests_total", type: "counter", help: "Requests.", unit: "" }]);
  });

  it.skipIf(!python)("scrapes Debian's python3-prometheus-client", async () => {
    await until("python up", async () => (await lastUp("python")) === 1);
    const s = await select([newMatcher("=", "__name__", "py_jobs_total"), newMatcher("=", "job", "python")]);
    expect(s[0]!.v[0]).toBe(7);
  });

  it.skipIf(!hasNodeExporter)("scrapes Debian's prometheus-node-exporter", async () => {
    await until("node up", async () => (await lastUp("node")) === 1);
    const s = await select([newMatcher("=", "__name__", "node_exporter_build_info"), newMatcher("=", "job", "node")]);
    expect(s).toHaveLength(1);
    expect((await series("node", "scrape_samples_scraped"))[0]!.v[0]).toBeGreaterThan(100);
  });

  it("reports the faulty targets down with Prometheus's errors", async () => {
    // (Not named "e500": the config loader's YAML 1.1 schema reads `e500` as a float.)
    for (const job of ["timeout", "garbage", "http500", "limit"]) await until(`${job} scraped`, async () => (await lastUp(job)) === 0);
    const byPool = (p: string) => manager.targets({ scrapePool: p }).activeTargets[0]!;
    expect(byPool("timeout").lastError).toBe(`Get "http://${addrs.timeout}/metrics": context deadline exceeded`);
    expect(byPool("timeout").lastScrapeDuration).toBeGreaterThanOrEqual(0.45);
    expect(byPool("garbage").lastError).toMatch(/^line 1: /);
    expect(byPool("http500").lastError).toBe("server returned HTTP status 500 Internal Server Error");
    expect(byPool("limit").lastError).toBe("sample limit exceeded");
    expect(byPool("limit").health).toBe("down");
    // Over the limit: nothing of the page is stored, but the report counts it.
    expect(await select([newMatcher("=", "__name__", "a"), newMatcher("=", "job", "limit")])).toEqual([]);
    expect((await series("limit", "scrape_samples_scraped"))[0]!.v[0]).toBe(5);
  });

  it("marks the series of a target that goes away stale, and of one removed from discovery", async () => {
    await until("gone up", async () => (await lastUp("gone")) === 1);
    await until("removed up", async () => (await lastUp("removed")) === 1);
    const goneServer = (globalThis as Record<string, unknown>).__goneServer as http.Server;
    goneServer.closeAllConnections();
    await new Promise((r) => goneServer.close(r));
    await until("gone down", async () => (await lastUp("gone")) === 0);
    const v = (await select([newMatcher("=", "__name__", "vanishing_metric")]))[0]!;
    expect(bits(v.v, v.v.length - 1)).toBe(STALE);
    expect(manager.targets({ scrapePool: "gone" }).activeTargets[0]!.lastError).toMatch(/ECONNREFUSED/);

    // Removed from file SD: after ~2.1 intervals, every series of the target (report series too) gets a marker.
    fs.writeFileSync(path.join(sdDir, "targets.json"), "[]");
    await until("removed from targets", () => manager.targets({ scrapePool: "removed" }).activeTargets.length === 0, 5000);
    await until("removed stale", async () => {
      const s = await series("removed", "up");
      return s.length === 1 && bits(s[0]!.v, s[0]!.v.length - 1) === STALE;
    });
    const m = (await select([newMatcher("=", "__name__", "removed_metric")]))[0]!;
    expect(labelsToRecord(m.labels).from).toBe("file");
    expect(bits(m.v, m.v.length - 1)).toBe(STALE);
  });

  it("reads the same through PromQL: up, the scrape series and staleness", async () => {
    const engine = new Engine(store);
    const q = async (expr: string): Promise<Vector> => {
      const v = (await engine.instantQuery(expr, Date.now())).value;
      if (v.type !== "vector") throw new Error(`${expr}: got a ${v.type}`);
      return v.value;
    };
    expect((await q('up{job="promclient"}')).map((s) => s.f)).toEqual([1]);
    expect((await q('up{job="http500"}')).map((s) => s.f)).toEqual([0]);
    expect((await q('scrape_samples_scraped{job="limit"}')).map((s) => s.f)).toEqual([5]);
    expect((await q('sum by (job) (up{job=~"timeout|garbage|http500|limit|gone"})')).map((s) => s.f)).toEqual([0, 0, 0, 0, 0]);
    // Stale series are absent at once, not after the 5 m lookback.
    expect(await q("vanishing_metric")).toEqual([]);
    expect(await q("removed_metric")).toEqual([]);
    expect(await q('up{job="removed"}')).toEqual([]);
    expect((await q('count_over_time(removed_metric[1m])')).length).toBe(1);
  });

  it("answers the targets API", () => {
    const t = manager.targets();
    expect(t.activeTargets.map((x) => x.scrapePool)).toContain("promclient");
    const p = t.activeTargets.find((x) => x.scrapePool === "promclient")!;
    expect(p.health).toBe("up");
    expect(p.scrapeInterval).toBe("1s");
    expect(p.scrapeTimeout).toBe("500ms");
    expect(manager.scrapePools().scrapePools).toContain("removed");
  });
});

describe("scrape loop against the store's atomic append", () => {
  it("drops out-of-order and conflicting samples instead of failing the scrape", async () => {
    const db = await backend.create();
    const sql = await db.open();
    const store = await SeriesStore.open(sql);
    try {
      const mk = (instance: string, pages: string[]) => {
        let i = 0;
        const labels = labelsFromRecord({ __address__: instance, __scheme__: "http", __metrics_path__: "/metrics", __scrape_interval__: "15s", __scrape_timeout__: "10s", job: "j", instance });
        return new ScrapeLoop({
          target: new Target(labels, labels, {}),
          appendable: store,
          fetch: async () => new Response(pages[Math.min(i++, pages.length - 1)], { headers: { "content-type": "text/plain" } }),
          now: () => Date.now(),
          intervalMs: 15_000,
          timeoutMs: 10_000,
          honorLabels: true,
          honorTimestamps: true,
        });
      };
      const t0 = Date.now() - 60_000;
      // Explicit timestamps that go backwards.
      const a = mk("a:1", [`m{instance="x"} 1 ${t0 + 2000}\n`, `m{instance="x"} 2 ${t0 + 1000}\nok 1\n`]);
      expect((await a.scrapeAndReport(t0 + 10_000)).error).toBe("");
      expect((await a.scrapeAndReport(t0 + 25_000)).error).toBe("");
      // A second target exposing the same series (honor_labels) at the same timestamp with another value.
      const b = mk("b:1", [`m{instance="x"} 5 ${t0 + 2000}\n`]);
      expect((await b.scrapeAndReport(t0 + 26_000)).error).toBe("");
      const m = await store.select([newMatcher("=", "__name__", "m")], 0, Date.now());
      expect([...m[0]!.t]).toEqual([t0 + 2000]);
      expect([...m[0]!.v]).toEqual([1]);
      const ok = await store.select([newMatcher("=", "__name__", "ok")], 0, Date.now());
      expect([...ok[0]!.t]).toEqual([t0 + 25_000]);
    } finally {
      await store.close();
      await sql.close();
      await db.destroy();
    }
  });
});
