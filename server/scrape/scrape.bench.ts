// Sustained scraping: 20 targets × 5,000 series every 5 s into a SeriesStore,
// reporting CPU-seconds per million samples scraped and resident memory.
// The targets are served by a child process so that their CPU is not
// counted. The store is PGlite in this process by default (so its CPU is
// included); with BENCH_DATABASE_URL set it is PostgreSQL, whose backends'
// CPU is added.
//
// Run alone with `npx tsx --conditions=react-server server/scrape/scrape.bench.ts`
// (SCRAPE_BENCH_SECONDS, default 60, is the measured window after a warm-up
// of two intervals). Prometheus 2.42 on the reference machine: 1.46
// CPU-seconds per million samples, 233 MiB for 100,000 series.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { openDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { loadConfig } from "@/server/config";
import { SeriesStore } from "@/server/storage/store";
import { ScrapeManager } from "./manager";

const TARGETS = 20;
const SERIES = 5000;
const INTERVAL = "5s";

/** The exporter child: TARGETS servers, pages of SERIES series whose values change on every scrape. */
const exporterScript = `
const http = require("node:http");
const ports = [];
let pending = ${TARGETS};
for (let t = 0; t < ${TARGETS}; t++) {
  let n = 0;
  const s = http.createServer((req, res) => {
    n++;
    const lines = [];
    for (let i = 0; i < ${SERIES}; i++) {
      if (i % 100 === 0) lines.push("# HELP bench_metric_" + (i / 100) + " A benchmark metric.", "# TYPE bench_metric_" + (i / 100) + " counter");
      lines.push("bench_metric_" + Math.floor(i / 100) + '{shard="' + (i % 100) + '",path="/api/v1/resource/' + (i % 37) + '"} ' + (n * (i % 7 + 1)));
    }
    res.setHeader("Content-Type", "text/plain; version=0.0.4");
    res.end(lines.join("\\n") + "\\n");
  });
  s.listen(0, "127.0.0.1", () => {
    ports[t] = s.address().port;
    if (--pending === 0) process.stdout.write(JSON.stringify(ports) + "\\n");
  });
}
`;

async function startExporters(): Promise<{ ports: number[]; stop: () => void }> {
  const child = spawn(process.execPath, ["-e", exporterScript], { stdio: ["ignore", "pipe", "inherit"] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let buf = "";
    child.stdout!.on("data", (d) => {
      buf += d;
      if (buf.includes("\n")) resolve(JSON.parse(buf));
    });
    child.on("exit", (c) => reject(new Error(`exporters exited with ${c}`)));
  });
  return { ports, stop: () => child.kill("SIGTERM") };
}

export async function benchScrape(): Promise<void> {
  const seconds = Number(process.env.SCRAPE_BENCH_SECONDS ?? 60);
  const exporters = await startExporters();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-scrape-bench-"));
  const sql = await openDatabase(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : { dataDir: dir });
  await runMigrations(sql);
  const store = await SeriesStore.open(sql);
  let samples = 0;
  let scrapes = 0;
  let errors = 0;
  const manager = new ScrapeManager({
    appendable: store,
    discovery: { updateIntervalMs: 100 },
    onScrape: (_pool, _t, r) => {
      samples += r.samplesPostMetricRelabeling + 5;
      scrapes++;
      if (r.error) errors++;
    },
  });
  const ac = new AbortController();
  manager.start(ac.signal);
  manager.applyConfig(
    loadConfig(
      `global:\n  scrape_interval: ${INTERVAL}\nscrape_configs:\n  - job_name: bench\n    static_configs:\n      - targets: [${exporters.ports.map((p) => `"127.0.0.1:${p}"`).join(", ")}]\n`,
      "bench.yml",
    ),
  );
  try {
    // Warm-up: two intervals, so every series exists and every target has been scraped.
    await new Promise((r) => setTimeout(r, 10_000));
    const s0 = samples;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let rssMax = 0;
    const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 500);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(rssTimer);
    const c1 = process.cpuUsage(c0);
    const wall = (performance.now() - t0) / 1000;
    const cpu = (c1.user + c1.system) / 1e6;
    const n = samples - s0;
    console.log(`scrape: ${TARGETS} targets × ${SERIES} series every ${INTERVAL}, ${seconds} s measured (${process.env.BENCH_DATABASE_URL ? "PostgreSQL, its CPU not included" : "PGlite in process"})`);
    console.log(`  samples scraped        ${n} (${(n / wall).toFixed(0)}/s), scrapes ${scrapes}, failed ${errors}`);
    console.log(`  CPU                    ${cpu.toFixed(2)} s (${((cpu / wall) * 100).toFixed(0)}% of one core)`);
    console.log(`  CPU-s per 1M samples   ${((cpu / n) * 1e6).toFixed(2)}   (Prometheus 2.42: 1.46)`);
    console.log(`  RSS max                ${(rssMax / 2 ** 20).toFixed(0)} MiB for ${TARGETS * SERIES} series (Prometheus 2.42: 233 MiB for 100,000)`);
  } finally {
    await manager.stop();
    exporters.stop();
    await store.close();
    await sql.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await benchScrape();
