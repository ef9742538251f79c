/**
 * PromQL range queries over 10,000 series × 1 h at a 15 s step, through the
 * engine and the real series store (PGlite, data in the head as after a fresh
 * ingest), beside Prometheus 2.42's medians on this kind of machine (the issue's
 * figures). Also parse throughput and heap growth per query.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { Engine, parseExpr, type Querier, type SelectedSeries } from "@/server/promql";
import type { QueryValue } from "@/server/promql/engine/value";
import type { Matcher } from "@/server/storage/labels/matcher";
import { labelsFromRecord, type Labels } from "@/server/storage/labels/labels";
import { SeriesStore } from "@/server/storage/store";
import { fmt, machineDescription, median, table } from "./lib";
import { queryResultJSON } from "@/server/api/serialize";
import { compareResults, startPrometheus, type ResultJSON, type RunningPrometheus, type SampleBatch } from "@/server/testing/prometheus";

const STEP = 15_000;
/** Measured runs per query (after one warm-up run); medians are reported. */
const RUNS = 10;
const CODES = ["200", "201", "204", "301", "302", "400", "404", "429", "500", "503"];
const LES = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];

const QUERIES: { name: string; q: string; prometheusMs: number }[] = [
  { name: "sum by (job) (rate)", q: "sum by (job) (rate(x[5m]))", prometheusMs: 7 },
  { name: "histogram_quantile", q: "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))", prometheusMs: 343 },
  { name: "topk(10, rate)", q: "topk(10, rate(x[5m]))", prometheusMs: 38 },
  { name: "group_left join", q: "rate(x[5m]) * on (instance) group_left (version) build_info", prometheusMs: 35 },
  { name: "error ratio of two rates", q: 'sum by (job) (rate(x{code=~"5.."}[5m])) / sum by (job) (rate(x[5m]))', prometheusMs: 62 },
];

/**
 * More of what dashboards and rules run, with PROMQL_EXTRA=1: each through
 * the store (WIDE_RUNS runs after a warm-up) beside Prometheus when it runs,
 * with the answers compared. Range queries as above.
 */
const EXTRA_QUERIES: string[] = [
  "sum by (job) (irate(x[5m]))",
  "sum by (job) (avg_over_time(x[5m]))",
  "avg by (job) (rate(x[5m]))",
  "rate(x[5m]) > 1",
  "max by (job) (rate(x[5m]))",
  "sum by (job) (increase(x[1h]))",
  "max_over_time(x[5m])",
  "quantile_over_time(0.9, x[5m])",
  "stddev_over_time(x[5m])",
  "deriv(x[5m])",
  "predict_linear(x[5m], 3600)",
  "changes(x[5m])",
  "resets(x[5m])",
  "histogram_quantile(0.99, rate(h_bucket[5m]))",
  "quantile by (job) (0.9, rate(x[5m]))",
  "topk by (job) (3, rate(x[5m]))",
  "count by (code) (x)",
  'count_values("v", build_info)',
  "x",
  "x - x offset 1m",
  "abs(x)",
  "clamp_max(x, 5)",
  "day_of_week(x)",
  'label_replace(x, "host", "$1", "instance", "(.*):.*")',
  "rate(x[5m]) and on (instance) build_info",
  "rate(x[5m]) or rate(x[5m])",
  "sort_desc(sum by (instance) (rate(x[5m])))",
  "max_over_time(sum(rate(x[5m]))[10m:1m])",
];
const WIDE_RUNS = 5;

/**
 * The benchmark's data in slices of 20 points per series (so each append
 * stays small), the same for Vigil's store and for the reference Prometheus:
 * 10,000 counters `x` (10 jobs × 100 instances × 10 codes), 10,000 histogram
 * buckets `h_bucket` and 1,000 `build_info` series, one sample every 15 s.
 */
export function* dataBatches(startMs: number, points: number): Generator<SampleBatch> {
  const entries: Labels[] = [];
  const kinds: number[] = [];
  for (let j = 0; j < 10; j++)
    for (let i = 0; i < 100; i++)
      for (const code of CODES) {
        entries.push(labelsFromRecord({ __name__: "x", job: `job${j}`, instance: `host-${j}-${i}:9100`, code }));
        kinds.push(0);
      }
  for (let i = 0; i < 1000; i++)
    for (const le of LES) {
      entries.push(labelsFromRecord({ __name__: "h_bucket", job: "api", instance: `api-${i}:8080`, le }));
      kinds.push(1);
    }
  for (let j = 0; j < 10; j++)
    for (let i = 0; i < 100; i++) {
      entries.push(labelsFromRecord({ __name__: "build_info", instance: `host-${j}-${i}:9100`, version: `1.${i % 7}.0` }));
      kinds.push(2);
    }
  const counters = new Float64Array(entries.length);
  for (let p0 = 0; p0 < points; p0 += 20) {
    const p1 = Math.min(points, p0 + 20);
    const offsets = [0];
    const t: number[] = [];
    const v = new Float64Array(entries.length * (p1 - p0));
    let k = 0;
    for (let s = 0; s < entries.length; s++) {
      for (let p = p0; p < p1; p++) {
        t.push(startMs + p * STEP);
        if (kinds[s] === 2) v[k++] = 1;
        else {
          // Counters: buckets grow with le; x grows by a per-series rate.
          counters[s] += kinds[s] === 1 ? 1 + (s % 10) * 3 : 1 + (s % 17);
          v[k++] = counters[s]!;
        }
      }
      offsets.push(t.length);
    }
    yield { entries, offsets, t, v };
  }
}

export async function load(store: SeriesStore, startMs: number, points: number): Promise<number> {
  let total = 0;
  for (const batch of dataBatches(startMs, points)) {
    await store.append(batch);
    total += batch.t.length;
  }
  return total;
}

/**
 * A querier that remembers what the real store returned for each select, so
 * the same query can be re-run with the store taken out: the difference
 * between a query through the store and through the replay is the time spent
 * in select.
 */
export class ReplayQuerier implements Querier {
  readonly calls: { matchers: Matcher[]; mint: number; maxt: number }[] = [];
  private readonly results = new Map<string, SelectedSeries[]>();
  constructor(private readonly store: Querier) {}

  private static key(matchers: Matcher[], mint: number, maxt: number): string {
    return `${matchers.map((m) => `${m.name}${m.type}${JSON.stringify(m.value)}`).join(",")}@${mint},${maxt}`;
  }

  async record(engine: Engine, q: string, start: number, end: number): Promise<void> {
    const recorder: Querier = {
      select: async (matchers, mint, maxt) => {
        const res = await this.store.select(matchers, mint, maxt);
        this.calls.push({ matchers, mint, maxt });
        this.results.set(ReplayQuerier.key(matchers, mint, maxt), res);
        return res;
      },
    };
    await new Engine(recorder, engine.opts).rangeQuery(q, start, end, STEP);
  }

  async select(matchers: Matcher[], mint: number, maxt: number): Promise<SelectedSeries[]> {
    const res = this.results.get(ReplayQuerier.key(matchers, mint, maxt));
    if (!res) throw new Error("replay: a select that was not recorded");
    return res;
  }

  samples(): number {
    let n = 0;
    for (const r of this.results.values()) for (const s of r) n += s.t.length;
    return n;
  }
}

interface Measured {
  /** Medians over the warm runs, ms. */
  total: number;
  totalCpu: number;
  select: number;
  engine: number;
  engineCpu: number;
  samples: number;
  /** Largest heap growth over one query, bytes. */
  heap: number;
}

async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000 };
}

/** Heap growth over one run of fn, from a collected heap (bytes). */
async function heapGrowth(fn: () => Promise<unknown>): Promise<number> {
  globalThis.gc?.();
  const h0 = process.memoryUsage().heapUsed;
  await fn();
  return process.memoryUsage().heapUsed - h0;
}

/**
 * One query three ways: through the store (what a user sees), its selects
 * alone (run as the engine runs them, all at once), and the engine alone over
 * the recorded select results. Then the heap growth of a query through the
 * store.
 */
async function measure(store: Querier, engine: Engine, q: string, start: number, end: number): Promise<Measured> {
  const replay = new ReplayQuerier(store);
  await replay.record(engine, q, start, end);
  const replayEngine = new Engine(replay, engine.opts);
  // Each way runs RUNS + 1 times in a row (the first warms up), so every
  // run pays for the garbage of a run like itself: interleaved, the select
  // after a full query paid for that query's collection. Timed runs do not
  // force a collection first either: a forced full GC leaves concurrent
  // sweeping to the next milliseconds, which on a heap the size of the
  // store's inflated the next run's CPU time by up to 2×.
  const series = async (fn: () => Promise<unknown>) => {
    const runs: { ms: number; cpuMs: number }[] = [];
    for (let r = 0; r < RUNS + 1; r++) runs.push(await timed(fn));
    return runs.slice(1);
  };
  const a = await series(() => engine.rangeQuery(q, start, end, STEP));
  const b = await series(() => Promise.all(replay.calls.map((c) => store.select(c.matchers, c.mint, c.maxt))));
  const c = await series(() => replayEngine.rangeQuery(q, start, end, STEP));
  const total = a.map((x) => x.ms);
  const totalCpu = a.map((x) => x.cpuMs);
  const select = b.map((x) => x.ms);
  const eng = c.map((x) => x.ms);
  const engCpu = c.map((x) => x.cpuMs);
  let heap = 0;
  for (let r = 0; r < 2; r++) heap = Math.max(heap, await heapGrowth(() => engine.rangeQuery(q, start, end, STEP)));
  return {
    total: median(total),
    totalCpu: median(totalCpu),
    select: median(select),
    engine: median(eng),
    engineCpu: median(engCpu),
    samples: replay.samples(),
    heap,
  };
}

interface PrometheusMeasured {
  /** Medians over the warm runs, ms: Prometheus's execTotalTime, the HTTP request, the process's CPU. */
  exec: number;
  wall: number;
  cpu: number;
  /** Vigil's result beside Prometheus's. */
  agreement: string;
  /** The instant query at INSTANT_BEFORE_MS before the newest sample: execTotalTime median, and agreement. */
  instantExec: number;
  instantAgreement: string;
}

/**
 * Instant queries are evaluated this long before the newest sample, as a
 * rule's evaluation time or a dashboard's "now" usually is.
 */
const INSTANT_BEFORE_MS = 7_000;

function agreementText(ours: QueryValue, theirs: ResultJSON, ordered: boolean): string {
  const diff = compareResults(JSON.parse(queryResultJSON(ours).json) as ResultJSON, theirs, 1e-9, ordered);
  return diff.problems.length === 0
    ? `results agree (${fmt(diff.series)} series, ${fmt(diff.points)} points, largest relative difference ${diff.maxRelDiff.toExponential(1)})`
    : `RESULTS DIFFER: ${diff.problems.slice(0, 3).join("; ")}`;
}

/**
 * The same queries on a real Prometheus loaded with the same data, while
 * Vigil sits idle: its own timings (stats=all), RUNS runs after a warm-up.
 */
async function measurePrometheus(prom: RunningPrometheus, engine: Engine, startMs: number, endMs: number, queries: { q: string }[]): Promise<PrometheusMeasured[]> {
  const results: PrometheusMeasured[] = [];
  for (const { q } of queries) {
    const runs: { exec: number; wall: number; cpu: number }[] = [];
    let first: ResultJSON = [];
    for (let r = 0; r < RUNS + 1; r++) {
      const c0 = prom.cpuSeconds();
      const m = await prom.queryRange(q, startMs, endMs, STEP);
      if (r === 0) first = m.result;
      else runs.push({ exec: m.exec, wall: m.wall, cpu: (prom.cpuSeconds() - c0) * 1000 });
    }
    const ours = await engine.rangeQuery(q, startMs, endMs, STEP);
    const at = String((endMs - INSTANT_BEFORE_MS) / 1000);
    const instant: number[] = [];
    let instantFirst: ResultJSON = [];
    for (let r = 0; r < RUNS + 1; r++) {
      const res = await prom.api("/api/v1/query", { query: q, time: at, stats: "all" });
      const data = (res.body as { data: { result: ResultJSON; stats: { timings: { execTotalTime: number } } } }).data;
      if (r === 0) instantFirst = data.result;
      else instant.push(data.stats.timings.execTotalTime * 1000);
    }
    const oursInstant = await engine.instantQuery(q, endMs - INSTANT_BEFORE_MS);
    results.push({
      exec: median(runs.map((x) => x.exec)),
      wall: median(runs.map((x) => x.wall)),
      cpu: median(runs.map((x) => x.cpu)),
      agreement: agreementText(ours.value, first, false),
      instantExec: median(instant),
      instantAgreement: agreementText(oursInstant.value, instantFirst, false),
    });
  }
  return results;
}

export async function benchPromQL(): Promise<void> {
  console.log(`\n## PromQL range queries: 10,000 series × 1 h at a 15 s step`);
  console.log(`machine: ${machineDescription()}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-promql-"));
  const db = await openDatabase({ dataDir: dir });
  try {
    await runMigrations(db);
    const end = Math.floor(Date.now() / STEP) * STEP;
    const start = end - 3600_000;
    const store = await SeriesStore.open(db);
    const points = Math.round((end - start + 10 * 60_000) / STEP) + 1;
    const n = await load(store, start - 10 * 60_000, points);
    console.log(`data: ${fmt(store.numSeries)} series, ${fmt(n)} samples (x: 10,000; h_bucket: 10,000; build_info: 1,000), in the head`);
    const engine = new Engine(store, {});
    const rows: [string, string][] = [];
    const measured: Measured[] = [];
    for (const { name, q } of QUERIES) {
      const m = await measure(store, engine, q, start, end);
      measured.push(m);
      rows.push([
        name,
        `median ${fmt(m.total)} ms (CPU ${fmt(m.totalCpu)}); alone: select ${fmt(m.select)} ms, engine ${fmt(m.engine)} ms (CPU ${fmt(m.engineCpu)}), ` +
          `select ${fmt((100 * m.select) / (m.select + m.engine))} % of the two; ${fmt(m.samples / 1e6, 2)} M samples selected; heap growth ≤ ${fmt(m.heap / 2 ** 20)} MiB`,
      ]);
    }
    // Parse throughput over the five queries.
    const t0 = performance.now();
    let parsed = 0;
    while (performance.now() - t0 < 1000) {
      for (const { q } of QUERIES) {
        parseExpr(q);
        parsed++;
      }
    }
    rows.push(["parse throughput", `${fmt(parsed / ((performance.now() - t0) / 1000))} queries/s`]);
    table(rows);

    // Beside Prometheus: measured here on the same data when it is installed,
    // and the figures the issue gives.
    const prom = process.env.PROMQL_PROMETHEUS === "0" ? null : await startPrometheus();
    try {
      let loadMs = 0;
      if (prom !== null) {
        const t1 = performance.now();
        for (const batch of dataBatches(start - 10 * 60_000, points)) await prom.write(batch);
        loadMs = performance.now() - t1;
      }
      const promResults = prom !== null ? await measurePrometheus(prom, engine, start, end, QUERIES) : null;
      console.log(
        prom
          ? `\nbeside Prometheus ${prom.version} on this machine, loaded with the same data by remote write (${fmt(loadMs / 1000, 1)} s), ` +
              `its own execTotalTime (stats=all), medians of ${RUNS}; ratio = Vigil's total / Prometheus's (goal ≤ 3):`
          : `\nno Prometheus (${process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus"} not installed, or PROMQL_PROMETHEUS=0): only the issue's figures to compare with (goal ≤ 3):`,
      );
      const instantRows: [string, string][] = [];
      for (const [i, { name, q }] of QUERIES.entries()) {
        const runs: number[] = [];
        for (let r = 0; r < RUNS + 1; r++) runs.push((await timed(() => engine.instantQuery(q, end - INSTANT_BEFORE_MS))).ms);
        const ms = median(runs.slice(1));
        const p = promResults?.[i];
        instantRows.push([name, `Vigil ${fmt(ms, 1)} ms${p ? `; Prometheus ${fmt(p.instantExec, 1)} ms → ratio ${fmt(ms / p.instantExec, 2)}×; ${p.instantAgreement}` : ""}`]);
      }
      const cmp: [string, string][] = QUERIES.map(({ name, prometheusMs }, i) => {
        const m = measured[i]!;
        const p = promResults?.[i];
        const live = p ? `Prometheus ${fmt(p.exec)} ms (HTTP ${fmt(p.wall)} ms, CPU ${fmt(p.cpu)} ms) → ratio ${fmt(m.total / p.exec, 2)}×; ` : "";
        return [name, `Vigil ${fmt(m.total)} ms; ${live}issue's figure ${prometheusMs} ms → ${fmt(m.total / prometheusMs, 1)}×${p ? `; ${p.agreement}` : ""}`];
      });
      table(cmp);
      console.log(`\ninstant queries ${INSTANT_BEFORE_MS / 1000} s before the newest sample (as rules and dashboards run them), medians of ${RUNS}:`);
      table(instantRows);

      if (process.env.PROMQL_EXTRA === "1") {
        console.log(`\nmore queries (PROMQL_EXTRA=1), range as above, medians of ${WIDE_RUNS}${prom ? `, beside Prometheus ${prom.version}` : ""}:`);
        const wide: [string, string][] = [];
        for (const q of EXTRA_QUERIES) {
          const ours: number[] = [];
          for (let r = 0; r < WIDE_RUNS + 1; r++) ours.push((await timed(() => engine.rangeQuery(q, start, end, STEP))).ms);
          const vigilMs = median(ours.slice(1));
          if (prom === null) {
            wide.push([q, `Vigil ${fmt(vigilMs)} ms`]);
            continue;
          }
          const theirs: number[] = [];
          let result: ResultJSON = [];
          for (let r = 0; r < WIDE_RUNS + 1; r++) {
            const m = await prom.queryRange(q, start, end, STEP);
            if (r === 0) result = m.result;
            else theirs.push(m.exec);
          }
          const promMs = median(theirs);
          const agreement = agreementText((await engine.rangeQuery(q, start, end, STEP)).value, result, false);
          wide.push([q, `Vigil ${fmt(vigilMs)} ms; Prometheus ${fmt(promMs)} ms → ratio ${fmt(vigilMs / promMs, 2)}×; ${agreement}`]);
        }
        table(wide);
        if (prom !== null) {
          console.log(
            "  (the samples sit on the step grid, so each window's first sample is on its left edge: Prometheus 2.42's windows are closed" +
              " and hold it, Prometheus 3's and Vigil's are left-open and do not; functions of every sample in a window differ by that sample)",
          );
        }
      }
    } finally {
      await prom?.stop();
    }
    await store.close({ flush: false });
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchPromQL().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
