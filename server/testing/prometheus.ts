/**
 * A real Prometheus (Debian's `prometheus` package, 2.42 on this machine) run
 * beside Vigil in a benchmark or a test, so that Vigil's figures and answers
 * can be set against Prometheus's on the same data, on the same machine.
 * Data goes in by remote write (`--web.enable-remote-write-receiver`), into
 * the head as in Vigil's store; queries go through the HTTP API with
 * `stats=all`, whose timings say how long the engine took apart from JSON.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compressSync } from "snappy";
import { encodeWriteRequest, type WriteRequestInit } from "@/server/remote/proto";
import type { Labels } from "@/server/storage/labels/labels";
import { processTreeCpuSeconds } from "@/bench/lib";
import { freePort } from "./next-server";

const prometheusBin = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";

/** Samples as the store's append takes them: series i has t/v[offsets[i]..offsets[i+1]). */
export interface SampleBatch {
  entries: Labels[];
  offsets: number[];
  t: number[];
  v: Float64Array;
}

/** Prometheus's own timings of a query (stats=all), in ms. */
export interface PrometheusTimings {
  /** The HTTP request, response decoded. */
  wall: number;
  /** execTotalTime: queueing, preparation (the querier's select) and evaluation. */
  exec: number;
  /** innerEvalTime: evaluation alone. */
  innerEval: number;
  /** The result as `data.result`. */
  result: ResultJSON;
}

export interface RunningPrometheus {
  version: string;
  url: string;
  write(batch: SampleBatch): Promise<void>;
  queryRange(q: string, startMs: number, endMs: number, stepMs: number): Promise<PrometheusTimings>;
  /** GET an API path (`/api/v1/query`, …): the HTTP status and the decoded JSON body. */
  api(pathname: string, params: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** CPU seconds the Prometheus process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** The installed Prometheus's version line, or null when there is none. */
export function prometheusVersion(): string | null {
  if (!fs.existsSync(prometheusBin)) return null;
  const r = spawnSync(prometheusBin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return null;
  return /version (\S+)/.exec(r.stdout + r.stderr)?.[1] ?? "unknown";
}

/** Starts Prometheus on 127.0.0.1 with an empty TSDB in a temporary folder; null when it is not installed. */
export async function startPrometheus(): Promise<RunningPrometheus | null> {
  const version = prometheusVersion();
  if (version === null) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-prometheus-"));
  fs.writeFileSync(path.join(dir, "prometheus.yml"), "global:\n  scrape_interval: 15s\n");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const proc: ChildProcess = spawn(
    prometheusBin,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  proc.stdout!.on("data", (d) => (output += d));
  proc.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  const cleanup = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await cleanup();
      throw new Error(`prometheus exited with ${proc.exitCode}:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await cleanup();
      throw new Error(`prometheus not ready after 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    version,
    url,
    async write(batch) {
      // Requests of at most ~50,000 samples, as a remote-write queue would send them.
      let req: WriteRequestInit = { timeseries: [] };
      let inReq = 0;
      const send = async () => {
        const res = await fetch(`${url}/api/v1/write`, {
          method: "POST",
          headers: { "content-type": "application/x-protobuf", "content-encoding": "snappy", "x-prometheus-remote-write-version": "0.1.0" },
          body: new Uint8Array(compressSync(Buffer.from(encodeWriteRequest(req)))),
        });
        if (res.status !== 204) throw new Error(`prometheus remote write: HTTP ${res.status}: ${await res.text()}`);
        req = { timeseries: [] };
        inReq = 0;
      };
      for (let s = 0; s < batch.entries.length; s++) {
        const samples: { value: number; timestamp: number }[] = [];
        for (let k = batch.offsets[s]!; k < batch.offsets[s + 1]!; k++) samples.push({ value: batch.v[k]!, timestamp: batch.t[k]! });
        req.timeseries.push({ labels: batch.entries[s]!.map((l) => ({ name: l.name, value: l.value })), samples });
        inReq += samples.length;
        if (inReq >= 50_000) await send();
      }
      if (inReq > 0) await send();
    },
    async queryRange(q, startMs, endMs, stepMs) {
      const params = new URLSearchParams({ query: q, start: String(startMs / 1000), end: String(endMs / 1000), step: String(stepMs / 1000), stats: "all" });
      const t0 = performance.now();
      const res = await fetch(`${url}/api/v1/query_range?${params}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: ResultJSON; stats?: { timings?: Record<string, number> } };
      };
      const wall = performance.now() - t0;
      if (body.status !== "success") throw new Error(`prometheus query ${q}: ${body.error}`);
      const timings = body.data?.stats?.timings ?? {};
      return { wall, exec: (timings.execTotalTime ?? NaN) * 1000, innerEval: (timings.innerEvalTime ?? NaN) * 1000, result: body.data?.result ?? [] };
    },
    async api(pathname, params) {
      const res = await fetch(`${url}${pathname}?${new URLSearchParams(params)}`);
      return { status: res.status, body: await res.json() };
    },
    cpuSeconds: () => processTreeCpuSeconds(proc.pid!),
    stop: cleanup,
  };
}

/** A sample as the HTTP API writes it: [Unix seconds, value as text]. */
export type ResultPoint = [number, string];

/** One series of a vector or matrix as the HTTP API writes it. */
export interface ResultSeries {
  metric: Record<string, string>;
  value?: ResultPoint;
  values?: ResultPoint[];
}

/** A query result as the HTTP API's `data.result` holds it (vector or matrix). */
export type ResultJSON = ResultSeries[];

export interface ResultDiff {
  /** Series in both results, points compared. */
  series: number;
  points: number;
  /** Largest |a - b| / max(|a|, |b|) over the points compared (0 when all are equal, NaN on both sides counts equal). */
  maxRelDiff: number;
  /** What differs beyond the tolerance, at most MAX_PROBLEMS lines. */
  problems: string[];
}

const MAX_PROBLEMS = 20;

/** A sample value as the API writes it ("+Inf" and "-Inf", which Number() reads as NaN). */
export function sampleValue(s: string): number {
  if (s === "+Inf") return Infinity;
  if (s === "-Inf") return -Infinity;
  return Number(s);
}

/** Whether two sample values (API text) are equal within the relative tolerance; NaN equals only NaN. */
export function sameValue(a: string, b: string, relTol: number): boolean {
  const x = sampleValue(a);
  const y = sampleValue(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (x === y) return true;
  return Math.abs(x - y) <= relTol * Math.max(Math.abs(x), Math.abs(y));
}

function seriesKey(m: Record<string, string>): string {
  return JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Compares Vigil's result (a) with Prometheus's (b): series matched by
 * labels (each side's labels must be unique), points matched by timestamp,
 * values equal within the relative tolerance `relTol` (Prometheus 2.42 sums
 * without Kahan's compensation, Vigil with it as Prometheus 3 does, so the
 * last bits of a sum may differ). With `ordered`, instant vectors must also
 * have equal values position by position (series with equal values may come
 * in any order: neither Prometheus's sort is stable).
 */
export function compareResults(a: ResultJSON, b: ResultJSON, relTol: number, ordered = false): ResultDiff {
  const diff: ResultDiff = { series: 0, points: 0, maxRelDiff: 0, problems: [] };
  const problem = (s: string) => {
    if (diff.problems.length < MAX_PROBLEMS) diff.problems.push(s);
  };
  for (const [who, r] of [["Vigil", a], ["Prometheus", b]] as const) {
    const keys = new Set(r.map((s) => seriesKey(s.metric)));
    if (keys.size !== r.length) problem(`${who}'s answer holds ${r.length - keys.size} series with the labels of another`);
  }
  const byKey = new Map(b.map((s) => [seriesKey(s.metric), s]));
  const seen = new Set<string>();
  for (const sa of a) {
    const key = seriesKey(sa.metric);
    const sb = byKey.get(key);
    if (!sb) {
      problem(`series ${key} only in Vigil's answer: ${JSON.stringify(sa.value ?? sa.values?.slice(0, 3))}`);
      continue;
    }
    seen.add(key);
    diff.series++;
    const pa = sa.values ?? (sa.value ? [sa.value] : []);
    const pb = sb.values ?? (sb.value ? [sb.value] : []);
    if (pa.length !== pb.length) {
      problem(`series ${key}: Vigil ${pa.length} points, Prometheus ${pb.length}: ${JSON.stringify(pa.slice(0, 4))} … beside ${JSON.stringify(pb.slice(0, 4))} …`);
    }
    const atTime = new Map(pb.map((p) => [p[0], p[1]]));
    for (const [t, v] of pa) {
      const w = atTime.get(t);
      if (w === undefined) {
        if (pa.length === pb.length) problem(`series ${key}: point at ${t} only in Vigil's answer`);
        continue;
      }
      diff.points++;
      const x = sampleValue(v);
      const y = sampleValue(w);
      if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) {
        const rel = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y));
        if (!(rel <= diff.maxRelDiff)) diff.maxRelDiff = Number.isNaN(rel) ? Infinity : rel;
      }
      if (!sameValue(v, w, relTol)) problem(`series ${key} at ${t}: Vigil ${v}, Prometheus ${w}`);
    }
  }
  for (const sb of b) {
    const key = seriesKey(sb.metric);
    if (!seen.has(key)) problem(`series ${key} only in Prometheus's answer: ${JSON.stringify(sb.value ?? sb.values?.slice(0, 3))}`);
  }
  if (ordered && a.length === b.length) {
    for (let i = 0; i < a.length; i++) {
      const va = a[i]!.value;
      const vb = b[i]!.value;
      if (va && vb && !sameValue(va[1], vb[1], relTol)) {
        problem(`order: at ${i} Vigil ${JSON.stringify(a[i])}, Prometheus ${JSON.stringify(b[i])}`);
        break;
      }
    }
  }
  return diff;
}
