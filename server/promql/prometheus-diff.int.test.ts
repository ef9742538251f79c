/**
 * Differential test of Vigil's PromQL engine against a real Prometheus
 * (Debian's package, 2.42): the same seeded data goes into Vigil's series
 * store (PGlite) and into Prometheus (remote write), every query below runs
 * on both as instant queries (at a few times) and as range queries, and the
 * answers must match: result type, series (labels), timestamps, and values
 * within a relative 1e-9 (Prometheus 2.42 sums without Kahan's compensation,
 * Vigil with it, as Prometheus 3 does), NaN equal to NaN. Bad queries must
 * fail on both with the same errorType (and, where 2.42 and 3.x word it the
 * same, the same message).
 *
 * Vigil follows Prometheus 3, not 2.42. The data and the query times are
 * chosen so that the two versions' known differences cannot show:
 * - range windows and the lookback are left-open in 3.x, closed in 2.42: every
 *   sample timestamp has a non-zero millisecond part, and every evaluation
 *   time (instant times, range steps, subquery steps, offsets, @) is a whole
 *   second, so no sample ever sits on a window's edge; subquery ranges carry
 *   an extra 500 ms so that no subquery step lands on their left edge either;
 * - label values contain no newline (3.x's regex `.` matches one);
 * - counters start at 0 (2.42 and 3.x extrapolate a rate differently back to
 *   a counter's first sample when it is not near 0);
 * - no function or syntax that 2.42 lacks or that 3.x renamed;
 * - 2.42's query_range returns parse errors without the `invalid parameter
 *   "query": ` prefix its query endpoint and 3.x give (normalizeMessage).
 * Cases where the versions still differ are listed as skipped, with the
 * reason; cases where Vigil differs from Prometheus without a version
 * difference are Vigil bugs, kept as `it.fails` with the reason (flip them to
 * plain cases once fixed). Instant vectors are compared as sets, except for
 * sort and sort_desc; a summary of what was compared is printed at the end,
 * and PROMQL_DIFF_PROBE prints both answers to given queries (see "probe").
 *
 * Skips when Prometheus is not installed (PROMETHEUS_BIN, default
 * /usr/bin/prometheus), unless VIGIL_REQUIRE_PROMETHEUS=1. Run alone with
 * `npx vitest run --project storage server/promql/prometheus-diff.int.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Engine } from "@/server/promql";
import { instantQuery, rangeQuery, type QueryData } from "@/server/api/query";
import { classifyError } from "@/server/http/respond";
import { labelsFromRecord, type Labels } from "@/server/storage/labels/labels";
import { SeriesStore } from "@/server/storage/store";
import type { SqlClient } from "@/db/client";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { compareResults, prometheusVersion, sameValue, startPrometheus, type ResultPoint, type ResultSeries, type RunningPrometheus, type SampleBatch } from "@/server/testing/prometheus";

const version = prometheusVersion();
if (version === null && process.env.VIGIL_REQUIRE_PROMETHEUS === "1") {
  throw new Error(`no Prometheus at ${process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus"}`);
}

// ---------------------------------------------------------------------------
// Data

const MIN = 60_000;
/** Start of the data, Unix ms: 2024-02-29 22:30 UTC, so the data crosses midnight into March (time functions). */
const T0 = Date.UTC(2024, 1, 29, 22, 30);
/** The data spans [T0, T0 + SPAN). */
const SPAN = 120 * MIN;
/** Unix seconds of T0 + ms, for queries (`@`) written with absolute times. */
const sec = (ms: number) => (T0 + ms) / 1000;

/** mulberry32: a small seeded PRNG, so the data is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SeriesData {
  labels: Record<string, string>;
  t: number[];
  v: number[];
}

interface SeriesSpec {
  labels: Record<string, string>;
  /** Scrape interval, ms. */
  interval?: number;
  /** Active between these offsets from T0, ms (default the whole span). */
  from?: number;
  to?: number;
  /** Offsets from T0 [start, end) without samples, ms. */
  gaps?: [number, number][];
  /** The k-th sample's value; `rnd` is this series' own generator. */
  value: (k: number, rnd: () => number, tOff: number) => number;
}

/** Every series: counters with resets, gauges, a classic histogram, a summary, an info metric, series that stop or start late, gaps, NaN and ±Inf. */
function seriesSpecs(): SeriesSpec[] {
  const specs: SeriesSpec[] = [];
  // Counters start at 0, as a new counter does: with a small first value, a
  // window reaching back to the series' start extrapolates differently in
  // 2.42 and 3.x (see the skipped rate(jobs_started_total[5m]) case).
  const counter = (resetAt: number | null, stepMax: number, fractional: boolean, first = 0) => {
    let c = first;
    return (k: number, rnd: () => number) => {
      if (k === 0) return c;
      if (resetAt !== null && k === resetAt) c = 0;
      c += fractional ? rnd() * stepMax : Math.floor(rnd() * stepMax);
      return c;
    };
  };
  // http_requests_total: 2 jobs × 3 instances × 3 codes × 2 methods; some reset, some never move.
  let n = 0;
  for (const job of ["api", "web"])
    for (let i = 0; i < 3; i++)
      for (const code of ["200", "404", "500"])
        for (const method of ["get", "post"]) {
          n++;
          const resetAt = n % 5 === 0 ? 130 + n * 7 : null;
          const stepMax = code === "200" ? 40 : code === "404" ? 5 : n % 3 === 0 ? 0 : 2;
          specs.push({
            labels: { __name__: "http_requests_total", job, instance: `${job}-${i}:9100`, code, method },
            interval: job === "web" && i === 2 ? 30_000 : 15_000,
            value: counter(resetAt, stepMax, false),
          });
        }
  // build_info: one per instance, for joins (value 1).
  for (const job of ["api", "web"])
    for (let i = 0; i < 3; i++)
      specs.push({
        labels: { __name__: "build_info", job, instance: `${job}-${i}:9100`, version: `1.${i}.0`, goversion: i === 2 ? "go1.19" : "go1.21" },
        value: () => 1,
      });
  // Gauges: temperatures, positive and negative, fractional.
  for (let i = 0; i < 8; i++) {
    const base = i < 4 ? 20 + i * 3 : -10 + i;
    const phase = i * 0.7;
    specs.push({
      labels: { __name__: "node_temperature_celsius", job: "node", instance: `node-${i % 4}:9100`, sensor: i < 4 ? "cpu" : "ambient" },
      interval: i === 7 ? 60_000 : i === 6 ? 10_000 : 15_000,
      value: (k, rnd) => base + 5 * Math.sin(k / 20 + phase) + (rnd() - 0.5),
    });
  }
  // Small integer gauges: many equal values (count_values, ties).
  for (let i = 0; i < 6; i++)
    specs.push({
      labels: { __name__: "queue_depth", job: "worker", instance: `q${i}`, queue: i % 2 === 0 ? "high" : "low" },
      value: (k, rnd) => Math.floor(rnd() * 6) + (i === 5 ? 0.5 : 0),
    });
  // A classic histogram for job="api": 3 instances × 12 buckets, _sum and _count; instance 2 resets.
  const LES = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
  for (let i = 0; i < 3; i++) {
    // One generator drives the whole histogram, so buckets, _sum and _count agree.
    const rnd = prng(1000 + i);
    const buckets = new Float64Array(LES.length);
    let sum = 0;
    let count = 0;
    const perScrape: { buckets: number[]; sum: number; count: number }[] = [];
    for (let k = 0; k < SPAN / 15_000; k++) {
      if (i === 2 && k === 300) {
        buckets.fill(0);
        sum = 0;
        count = 0;
      }
      const obs = k === 0 ? 0 : Math.floor(rnd() * 20);
      for (let o = 0; o < obs; o++) {
        const latency = -Math.log(1 - rnd()) * (0.05 + i * 0.2);
        for (let b = 0; b < LES.length; b++) if (latency <= Number(LES[b] === "+Inf" ? Infinity : LES[b])) buckets[b]!++;
        sum += latency;
        count++;
      }
      perScrape.push({ buckets: [...buckets], sum, count });
    }
    const instance = `api-${i}:9100`;
    LES.forEach((le, b) =>
      specs.push({ labels: { __name__: "request_duration_seconds_bucket", job: "api", instance, le }, value: (k) => perScrape[k]!.buckets[b]! }),
    );
    specs.push({ labels: { __name__: "request_duration_seconds_sum", job: "api", instance }, value: (k) => perScrape[k]!.sum });
    specs.push({ labels: { __name__: "request_duration_seconds_count", job: "api", instance }, value: (k) => perScrape[k]!.count });
  }
  // A summary: quantiles as gauges, _sum and _count as counters.
  for (const service of ["auth", "billing"]) {
    for (const [qi, quantile] of ["0.5", "0.9", "0.99"].entries())
      specs.push({
        labels: { __name__: "rpc_duration_seconds", service, quantile },
        value: (k, rnd) => (qi + 1) * 0.1 * (1 + rnd()),
      });
    specs.push({ labels: { __name__: "rpc_duration_seconds_sum", service }, value: counter(null, 3, true) });
    specs.push({ labels: { __name__: "rpc_duration_seconds_count", service }, value: counter(null, 10, false) });
  }
  // Series that stop (no staleness markers through remote write: they just end) or start late.
  specs.push({ labels: { __name__: "worker_heartbeat_total", worker: "w1" }, to: 50 * MIN, value: counter(null, 3, false) });
  specs.push({ labels: { __name__: "worker_heartbeat_total", worker: "w2" }, from: 30 * MIN, value: counter(null, 3, false) });
  specs.push({ labels: { __name__: "worker_heartbeat_total", worker: "w3" }, to: 95 * MIN, value: counter(null, 3, false) });
  specs.push({ labels: { __name__: "worker_heartbeat_total", worker: "w4" }, value: counter(null, 3, false) });
  // A counter whose first sample is not 0 (only in skipped cases: see counter above).
  specs.push({ labels: { __name__: "jobs_started_total" }, value: counter(null, 5, false, 3) });
  // Gaps: one longer than the lookback delta, one shorter.
  for (let i = 0; i < 3; i++)
    specs.push({
      labels: { __name__: "flaky_gauge", instance: `f${i}` },
      gaps: i === 0 ? [[40 * MIN, 52 * MIN]] : i === 1 ? [[70 * MIN, 73 * MIN]] : [],
      value: (k, rnd) => Math.round(rnd() * 1000) / 8,
    });
  // NaN, ±Inf, huge and tiny values.
  const weird: [string, (k: number, rnd: () => number) => number][] = [
    ["nan", () => NaN],
    ["spiky", (k, rnd) => (k % 17 === 5 ? NaN : rnd() * 10)],
    ["inf", (k, rnd) => (k % 23 === 3 ? Infinity : rnd())],
    ["neginf", (k) => (k % 2 === 0 ? -Infinity : 1)],
    ["zero", () => 0],
    ["big", (k) => 1e300 * (1 + (k % 3))],
    ["tiny", (k) => 5e-324 * (1 + (k % 4))],
    ["negative", (k, rnd) => -rnd() * 100],
  ];
  for (const [kind, value] of weird) specs.push({ labels: { __name__: "weird_values", kind }, value });
  // Label values with spaces, quotes, unicode, slashes (no newlines: see the file comment).
  specs.push({ labels: { __name__: "odd_labels", path: "/api/v1/query", note: 'a b "quoted" ü' }, value: (k) => k });
  specs.push({ labels: { __name__: "odd_labels", path: "/metrics", note: "tab\there, back\\slash" }, value: (k) => -k });
  return specs;
}

/** Each series' samples: per-series offsets give every timestamp a non-zero millisecond part. */
function generate(): SeriesData[] {
  return seriesSpecs().map((spec, idx) => {
    const rnd = prng(idx + 1);
    const interval = spec.interval ?? 15_000;
    const offset = 1000 * (idx % 13) + 1 + ((idx * 37) % 998); // ms part in 1..998
    const t: number[] = [];
    const v: number[] = [];
    for (let k = 0; ; k++) {
      const off = offset + k * interval;
      if (off >= (spec.to ?? SPAN)) break;
      const value = spec.value(k, rnd, off);
      if (off < (spec.from ?? 0)) continue;
      if (spec.gaps?.some(([a, b]) => off >= a && off < b)) continue;
      t.push(T0 + off);
      v.push(value);
    }
    return { labels: spec.labels, t, v };
  });
}

/** The data in 10-minute slices (remote write needs each series' samples in time order across requests). */
function* batches(data: SeriesData[]): Generator<SampleBatch> {
  const labels: Labels[] = data.map((s) => labelsFromRecord(s.labels));
  for (let from = T0; from < T0 + SPAN; from += 10 * MIN) {
    const to = from + 10 * MIN;
    const batch: SampleBatch = { entries: [], offsets: [0], t: [], v: new Float64Array(0) };
    const vs: number[] = [];
    data.forEach((s, i) => {
      const before = batch.t.length;
      for (let k = 0; k < s.t.length; k++) {
        if (s.t[k]! >= from && s.t[k]! < to) {
          batch.t.push(s.t[k]!);
          vs.push(s.v[k]!);
        }
      }
      if (batch.t.length > before) {
        batch.entries.push(labels[i]!);
        batch.offsets.push(batch.t.length);
      }
    });
    batch.v = Float64Array.from(vs);
    yield batch;
  }
}

// ---------------------------------------------------------------------------
// Query times: whole seconds (see the file comment).

/** Instant query times, offsets from T0 in ms: early (windows reach before the data), middle, 23:59:59, after the data ended. */
const INSTANT_TIMES = [3 * MIN + 7_000, 61 * MIN + 13_000, 89 * MIN + 59_000, 124 * MIN + 11_000];
/** Range queries: [start, end] offsets from T0 and the step, ms (steps that do not divide the scrape interval). */
const RANGES: { start: number; end: number; step: number }[] = [
  { start: 41 * MIN + 5_000, end: 101 * MIN + 5_000, step: 37_000 },
  { start: 95 * MIN, end: 131 * MIN, step: 53_000 },
];

// ---------------------------------------------------------------------------
// Cases

interface Case {
  q: string;
  /** Instant vectors compared in order (sort, sort_desc). */
  ordered?: boolean;
  /** Only as an instant query (range selectors, strings). */
  instantOnly?: boolean;
  /** A 2.42-vs-3.x difference: skipped with this reason. */
  versionDiff?: string;
  /** Like versionDiff, for the instant queries only. */
  versionDiffInstant?: string;
  /** When both fail, compare only the errorType: 2.42 and 3.x word the message differently (reason). */
  messageDiffers?: string;
  /** A Vigil bug: expected to fail until fixed ("Vigil bug: …"). */
  vigilBug?: string;
  /** Like vigilBug, for one mode only. */
  vigilBugInstant?: string;
  vigilBugRange?: string;
}

const at30m = sec(30 * MIN);
const at100m = sec(100 * MIN);

const CASES: Case[] = [
  // Selectors and matchers.
  { q: "http_requests_total" },
  { q: 'http_requests_total{job="api"}' },
  { q: 'http_requests_total{job!="api"}' },
  { q: 'http_requests_total{code=~"5.."}' },
  { q: 'http_requests_total{code!~"2..|4..", method="post"}' },
  { q: '{__name__=~"http_requests_total|build_info", instance="web-1:9100"}' },
  { q: '{__name__=~".*_total", job=~"a.*"}' },
  { q: 'build_info{code=""}' },
  { q: 'http_requests_total{instance=~"api-.*", instance!~".*-2:.*"}' },
  { q: 'odd_labels{note=~".*\\"quoted\\".*"}' },
  { q: "odd_labels" },
  { q: "node_temperature_celsius" },
  { q: "worker_heartbeat_total" },
  { q: "flaky_gauge" },
  { q: "weird_values" },
  { q: 'rpc_duration_seconds{quantile="0.99"}' },
  { q: "nonexistent_metric" },
  { q: '{__name__=~"node_.*|queue_.*"}' },
  { q: 'count({__name__=~".+"})' },
  { q: 'http_requests_total{instance=~"[[:alpha:]]+-[[:digit:]]:9100", code="200"}' },
  { q: 'http_requests_total{instance=~"(?i)API-0.*", method="get"}' },
  { q: 'http_requests_total{instance=~`\\Qapi-1:9100\\E`, code="404"}' },
  { q: 'http_requests_total{instance=~`api-\\d:\\d+`, method="post", code="500"}' },
  { q: 'queue_depth{queue=~"high|"}' },
  { q: 'queue_depth{queue!~"h.*"}' },
  { q: 'build_info{version=~`1\\.[01]\\.0`}' },
  { q: "odd_labels{note='tab\\there, back\\\\slash'}" },
  { q: "odd_labels{path=`/metrics`}" },
  // offset and @.
  { q: 'http_requests_total{job="api"} offset 10m' },
  { q: "node_temperature_celsius offset -5m" },
  { q: "queue_depth offset 1h30m" },
  { q: `queue_depth @ ${at30m}` },
  { q: `queue_depth @ ${at30m} offset 5m` },
  { q: "queue_depth @ start()" },
  { q: "queue_depth @ end()" },
  { q: `rate(http_requests_total{job="web"}[5m] @ ${at100m})` },
  { q: "sum(rate(http_requests_total[5m] @ end()))" },
  { q: `http_requests_total{job="api", code="500"} @ ${at100m} offset 1m` },
  { q: "last_over_time(queue_depth[5m] @ end())" },
  { q: "absent_over_time(worker_heartbeat_total[5m] offset 1h)" },
  { q: "changes(build_info[1h])" },
  { q: "stdvar_over_time(build_info[30m])" },
  { q: "irate(http_requests_total[1m])" },
  { q: "deriv(http_requests_total[10m])" },
  { q: "delta(http_requests_total[1d])" },
  { q: "max_over_time(node_temperature_celsius[1h30m])" },
  { q: "count_over_time(flaky_gauge[90s])" },
  // Range-vector selectors as instant queries.
  { q: "queue_depth[2m]", instantOnly: true },
  { q: 'http_requests_total{job="web", code="200"}[1m] offset 3m', instantOnly: true },
  { q: "weird_values[1m]", instantOnly: true },
  // Counter and gauge functions.
  { q: "rate(http_requests_total[5m])" },
  { q: "rate(http_requests_total[1m])" },
  { q: "rate(worker_heartbeat_total[5m])" },
  { q: "rate(request_duration_seconds_bucket[5m])" },
  { q: "irate(http_requests_total[5m])" },
  { q: "irate(worker_heartbeat_total[1m])" },
  { q: "increase(http_requests_total[10m])" },
  { q: "increase(rpc_duration_seconds_count[1h])" },
  { q: "delta(node_temperature_celsius[10m])" },
  { q: "idelta(node_temperature_celsius[5m])" },
  { q: "deriv(node_temperature_celsius[10m])" },
  { q: "deriv(flaky_gauge[5m])" },
  { q: "predict_linear(node_temperature_celsius[15m], 3600)" },
  { q: "predict_linear(http_requests_total[5m], -600)" },
  { q: "resets(http_requests_total[30m])" },
  { q: "resets(request_duration_seconds_count[1h])" },
  { q: "changes(queue_depth[15m])" },
  { q: "changes(weird_values[10m])" },
  {
    q: "rate(weird_values[5m])",
    versionDiff: "the same start-of-series extrapolation as rate(jobs_started_total[5m]), for kind=\"big\" at the first instant",
  },
  { q: 'rate(weird_values{kind!="big"}[5m])' },
  {
    q: "rate(jobs_started_total[5m])",
    versionDiff:
      "a window reaching back to a counter's first sample: 2.42 caps the start extrapolation at the counter's zero point before the 1.1 × average-interval threshold test, 3.x after it",
  },
  { q: "delta(weird_values[5m])" },
  // *_over_time.
  { q: "avg_over_time(node_temperature_celsius[10m])" },
  { q: "min_over_time(node_temperature_celsius[10m])" },
  { q: "max_over_time(node_temperature_celsius[10m])" },
  { q: "sum_over_time(queue_depth[5m])" },
  { q: "count_over_time(http_requests_total[3m])" },
  { q: "quantile_over_time(0.9, node_temperature_celsius[20m])" },
  { q: "quantile_over_time(0, queue_depth[10m])" },
  { q: "quantile_over_time(1.5, queue_depth[10m])" },
  { q: "stddev_over_time(node_temperature_celsius[10m])" },
  { q: "stdvar_over_time(queue_depth[10m])" },
  { q: "last_over_time(flaky_gauge[10m])" },
  { q: "present_over_time(worker_heartbeat_total[10m])" },
  { q: "absent_over_time(flaky_gauge[3m])" },
  { q: 'absent_over_time(flaky_gauge{instance="f0"}[3m])' },
  { q: 'absent_over_time(nonexistent_metric{job="x", instance=~"y"}[5m])' },
  {
    q: "avg_over_time(weird_values[5m])",
    versionDiff: "subnormal values (kind=\"tiny\"): 2.42 averages with an incremental mean that rounds every step, 3.x divides a Kahan sum once",
  },
  { q: 'avg_over_time(weird_values{kind!="tiny"}[5m])' },
  { q: "sum_over_time(weird_values[5m])" },
  { q: "min_over_time(weird_values[5m])" },
  { q: "max_over_time(weird_values[5m])" },
  {
    q: "stddev_over_time(weird_values[5m])",
    versionDiff: "values near 1e300 (kind=\"big\"): 2.42's Kahan step turns an infinite sum into NaN (Inf - Inf in the compensation), 3.x's kahanSumInc keeps +Inf",
  },
  { q: 'stddev_over_time(weird_values{kind!="big"}[5m])' },
  { q: "quantile_over_time(0.5, weird_values[5m])" },
  // Subqueries (ranges carry 500 ms: see the file comment).
  { q: "max_over_time(rate(http_requests_total[5m])[30m500ms:1m])" },
  { q: "avg_over_time(node_temperature_celsius[10m500ms:30s])" },
  { q: "rate(http_requests_total[5m500ms:15s])" },
  { q: 'deriv(sum(rate(http_requests_total{job="api"}[5m]))[20m500ms:1m])' },
  { q: "min_over_time((queue_depth > 2)[15m500ms:15s])" },
  { q: "max_over_time(rate(http_requests_total[5m])[20m500ms:1m] offset 10m)" },
  { q: "max_over_time(avg_over_time(node_temperature_celsius[5m500ms:1m])[20m500ms:2m])" },
  { q: "count_over_time(queue_depth[10m500ms:])" },
  { q: `sum_over_time(queue_depth[10m500ms:1m] @ ${at30m})` },
  { q: "queue_depth[5m500ms:1m]", instantOnly: true },
  { q: "max_over_time(rate(http_requests_total[5m])[10m500ms:1m] @ end())" },
  {
    q: "increase(http_requests_total[5m500ms:1m])",
    versionDiffInstant: "at the first instant the subquery's first point is a counter's first sample: the start-of-series extrapolation of rate(jobs_started_total[5m])",
  },
  { q: "changes(rate(http_requests_total[5m])[10m500ms:30s])" },
  { q: "sum_over_time(vector(1)[10m500ms:1m])" },
  { q: "predict_linear(avg by (sensor) (node_temperature_celsius)[30m500ms:1m], 600)" },
  { q: "timestamp(last_over_time(queue_depth[5m500ms:20s]))" },
  // Aggregations.
  { q: "sum(rate(http_requests_total[5m]))" },
  { q: "sum by (job) (rate(http_requests_total[5m]))" },
  { q: "sum(rate(http_requests_total[5m])) by (job, code)" },
  { q: "sum without (instance, method) (rate(http_requests_total[5m]))" },
  { q: "sum by () (http_requests_total)" },
  { q: "avg by (code) (rate(http_requests_total[5m]))" },
  { q: "min by (sensor) (node_temperature_celsius)" },
  { q: "max by (sensor) (node_temperature_celsius)" },
  { q: "count by (job) (http_requests_total)" },
  { q: "count by (__name__) ({job=~\"api|web\"})" },
  { q: "group by (job, instance) (http_requests_total)" },
  { q: "stddev by (sensor) (node_temperature_celsius)" },
  { q: "stdvar(queue_depth)" },
  { q: "topk(3, node_temperature_celsius)" },
  { q: "topk by (job) (2, rate(http_requests_total[5m]))" },
  { q: "bottomk(2, node_temperature_celsius)" },
  {
    q: "topk(2, queue_depth)",
    versionDiff: "ties: when its heap is full, 2.42 pops the root and pushes the new sample, 3.x overwrites the root and fixes the heap, so equal values keep different series",
  },
  { q: "topk(2, node_temperature_celsius)" },
  { q: "bottomk(1, queue_depth)" },
  {
    q: "topk(scalar(count(queue_depth)) - 4, node_temperature_celsius)",
    // After the data ends count() is empty and k NaN.
    messageDiffers: '2.42 says "Scalar value NaN overflows int64", 3.x "Parameter value is NaN"',
  },
  { q: "quantile(0.5, node_temperature_celsius)" },
  { q: "quantile by (job) (0.95, rate(http_requests_total[5m]))" },
  { q: "quantile(2, queue_depth)" },
  { q: 'count_values("value", queue_depth)' },
  { q: 'count_values by (queue) ("depth", queue_depth)' },
  { q: "sum(weird_values)" },
  { q: "avg(weird_values)" },
  { q: 'avg(weird_values{kind=~"big|negative"})' },
  { q: "max(weird_values)" },
  { q: "min(weird_values)" },
  { q: "stddev(weird_values)" },
  { q: "topk(3, weird_values)" },
  { q: "bottomk(3, weird_values)" },
  { q: "quantile(0.5, weird_values)" },
  { q: 'count_values("v", weird_values)' },
  { q: 'count_values("v", round(node_temperature_celsius, 0.1))' },
  { q: 'count_values("v", rate(http_requests_total{code="404"}[5m]))' },
  { q: "topk(2, rate(http_requests_total[5m])) by (job)" },
  { q: "sum without () (queue_depth)" },
  { q: "count without (instance) (queue_depth)" },
  { q: "sum by (__name__) ({__name__=~\"queue_depth|flaky_gauge\"})" },
  { q: "sum(nonexistent_metric)" },
  { q: "count(nonexistent_metric)" },
  { q: "min(node_temperature_celsius) by (instance) - max(node_temperature_celsius) by (instance)" },
  // Binary operators.
  { q: "http_requests_total * 2" },
  { q: "2 - node_temperature_celsius" },
  { q: "node_temperature_celsius / 0" },
  { q: "-node_temperature_celsius" },
  { q: "node_temperature_celsius % 3" },
  { q: "node_temperature_celsius ^ 2" },
  { q: "node_temperature_celsius atan2 2", versionDiff: "2.42 keeps the metric name after atan2; 3.x drops it, as for the other arithmetic operators" },
  { q: "(node_temperature_celsius atan2 2) + 0" },
  { q: "queue_depth > 2" },
  { q: "queue_depth > bool 2" },
  { q: "2 < queue_depth" },
  { q: "queue_depth == bool 3" },
  { q: "queue_depth >= 2 <= 4" },
  { q: "queue_depth != queue_depth" },
  { q: "1 + 2 * 3 ^ 2 ^ 0.5" },
  { q: "(1 > bool 2) + (3 == bool 3)" },
  { q: "-2 ^ 2" },
  { q: "1e3 + 0x10 - Inf" },
  { q: "NaN" },
  { q: "-inf + .5 + 5. + 0x1F + 1e-3" },
  { q: "1 == bool 1" },
  { q: "-(-queue_depth)" },
  { q: "vector(1) and on () (count(queue_depth) > 100)" },
  { q: "scalar(sum(queue_depth)) * queue_depth" },
  { q: "vector(1) + on () group_left sum(queue_depth)" },
  { q: "timestamp(rate(http_requests_total[5m]))" },
  { q: '"hello"', instantOnly: true },
  {
    q: 'sum by (job, instance) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job, instance) (rate(http_requests_total[5m]))',
  },
  { q: "rate(http_requests_total[5m]) * on (instance) group_left (version) build_info" },
  { q: "build_info * on (job, instance) group_right (version) sum by (job, instance, code) (rate(http_requests_total[5m]))" },
  { q: "sum by (job, instance, code) (rate(http_requests_total[5m])) / ignoring (code) group_left sum by (job, instance) (rate(http_requests_total[5m]))" },
  { q: "http_requests_total > on (job, instance) group_left build_info * 100" },
  { q: "node_temperature_celsius - on (instance) group_left avg by (instance) (node_temperature_celsius)" },
  { q: "rate(http_requests_total[5m]) > bool ignoring (method) group_left rate(http_requests_total{method=\"get\"}[5m])" },
  { q: "queue_depth and queue_depth > 2" },
  { q: "queue_depth or node_temperature_celsius" },
  { q: "queue_depth unless queue_depth > 3" },
  { q: 'http_requests_total and on (instance) build_info{version="1.2.0"}' },
  { q: "sum(queue_depth) or vector(0)" },
  { q: "nonexistent_metric or on () vector(1)" },
  { q: "flaky_gauge unless on (instance) flaky_gauge offset 10m" },
  { q: "queue_depth > scalar(avg(queue_depth))" },
  { q: 'worker_heartbeat_total / ignoring (worker) group_left worker_heartbeat_total{worker="w4"}' },
  // Histograms and summaries.
  { q: "histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))" },
  { q: "histogram_quantile(0.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))" },
  { q: "histogram_quantile(0.99, sum by (le, instance) (rate(request_duration_seconds_bucket[10m])))" },
  { q: "histogram_quantile(0, sum by (le) (rate(request_duration_seconds_bucket[5m])))" },
  { q: "histogram_quantile(1.5, sum by (le) (rate(request_duration_seconds_bucket[5m])))" },
  { q: "histogram_quantile(0.5, request_duration_seconds_bucket)" },
  { q: 'histogram_quantile(0.5, request_duration_seconds_bucket{le!="+Inf"})' },
  { q: "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])" },
  { q: "rate(rpc_duration_seconds_sum[5m]) / rate(rpc_duration_seconds_count[5m])" },
  { q: 'max by (service) (rpc_duration_seconds{quantile="0.9"})' },
  // Labels.
  { q: 'label_replace(http_requests_total, "host", "$1", "instance", "(.*):.*")' },
  { q: 'label_replace(http_requests_total, "foo", "bar", "nonexistent", "")' },
  { q: 'label_replace(queue_depth, "queue", "", "queue", ".*")' },
  { q: 'label_replace(queue_depth, "x", "$2-$1", "instance", "q(\\\\d)")' },
  { q: 'label_join(http_requests_total, "combined", "-", "job", "instance", "code")' },
  { q: 'label_join(queue_depth, "queue", "", "nonexistent")' },
  { q: 'label_replace(http_requests_total, "n", "${1}x$2", "instance", `([a-z]+)-(\\d).*`)' },
  { q: 'label_replace(http_requests_total, "port", "$port", "instance", `.*:(?P<port>\\d+)`)' },
  { q: 'label_replace(queue_depth, "x", "$1", "instance", "(z)?q.*")' },
  { q: 'label_join(rate(http_requests_total[5m]), "src", ",", "__name__", "job")' },
  { q: 'label_replace(rate(http_requests_total[5m]), "__name__", "rate_$1", "code", "(.*)")' },
  // Math.
  { q: "abs(weird_values)" },
  { q: "abs(node_temperature_celsius)" },
  { q: "ceil(node_temperature_celsius)" },
  { q: "floor(node_temperature_celsius)" },
  { q: "round(node_temperature_celsius)" },
  { q: "round(node_temperature_celsius, 0.5)" },
  { q: "round(node_temperature_celsius, 5)" },
  { q: "round(queue_depth)" },
  { q: "round(node_temperature_celsius, 0.3)" },
  { q: "clamp_min(node_temperature_celsius, NaN)" },
  { q: "sgn(weird_values)" },
  { q: "node_temperature_celsius % -3" },
  { q: "weird_values % 0" },
  { q: "5 % Inf + (-5) % Inf" },
  { q: "NaN ^ 0 + (-8) ^ (1 / 3)" },
  { q: "node_temperature_celsius == bool NaN" },
  { q: "ln(vector(0)) + log2(vector(-1))" },
  { q: "exp(vector(710))" },
  { q: "sqrt(-vector(0))" },
  { q: "atanh(vector(1)) + acosh(vector(0.5))" },
  { q: "round(-vector(2.5)) + round(vector(2.5)) + round(-vector(0.4))" },
  { q: "stddev(vector(3))" },
  { q: "quantile(0.5, queue_depth{queue=\"high\"})" },
  { q: "clamp(node_temperature_celsius, -1, 20)" },
  { q: "clamp(node_temperature_celsius, 5, 1)" },
  { q: "clamp_min(node_temperature_celsius, 0)" },
  { q: "clamp_max(weird_values, 5)" },
  { q: "exp(node_temperature_celsius / 10)" },
  { q: "ln(node_temperature_celsius)" },
  { q: "log2(queue_depth)" },
  { q: "log10(http_requests_total)" },
  { q: "sqrt(node_temperature_celsius)" },
  { q: "sgn(node_temperature_celsius)" },
  { q: "sin(node_temperature_celsius) + cos(node_temperature_celsius) + tan(node_temperature_celsius)" },
  { q: "asin(queue_depth / 5) + acos(queue_depth / 5) + atan(queue_depth)" },
  { q: "sinh(queue_depth) + cosh(queue_depth) + tanh(queue_depth)" },
  { q: "asinh(node_temperature_celsius)" },
  { q: "acosh(queue_depth) + atanh(queue_depth / 10)" },
  { q: "deg(node_temperature_celsius) + rad(node_temperature_celsius) + pi()" },
  { q: "exp(weird_values)" },
  // Time.
  { q: "time()" },
  { q: "timestamp(queue_depth)" },
  { q: "timestamp(queue_depth offset 5m)" },
  { q: `timestamp(queue_depth @ ${at30m})` },
  { q: "day_of_year()" },
  { q: "day_of_month(timestamp(queue_depth))" },
  { q: "year(vector(-1)) + month(vector(1e10))" },
  { q: "time() - timestamp(worker_heartbeat_total)" },
  { q: "minute()" },
  { q: "hour()" },
  { q: "day_of_week()" },
  { q: "day_of_month()" },
  { q: "days_in_month()" },
  { q: "month()" },
  { q: "year()" },
  { q: "minute(timestamp(queue_depth))" },
  { q: "hour(vector(1709251199))" },
  { q: "days_in_month(vector(1706745600))" },
  { q: "day_of_week(timestamp(flaky_gauge))" },
  // scalar, vector, absent, sort.
  { q: 'scalar(queue_depth{instance="q1"})' },
  { q: "scalar(queue_depth)" },
  { q: "vector(1)" },
  { q: "vector(time())" },
  { q: "absent(nonexistent_metric)" },
  { q: 'absent(nonexistent_metric{job="x", instance=~"y", code="200"})' },
  { q: "absent(queue_depth)" },
  { q: 'absent(worker_heartbeat_total{worker="w1"})' },
  { q: "absent(sum(nonexistent_metric))" },
  { q: "sort(node_temperature_celsius)", ordered: true },
  { q: "sort_desc(rate(http_requests_total[5m]))", ordered: true },
  { q: "sort(weird_values)", ordered: true },
  { q: "sort_desc(weird_values)", ordered: true },
  { q: "sort_desc(sum by (job, code) (rate(http_requests_total[5m])))", ordered: true },
  // Dashboard and alert shapes.
  { q: "100 * (1 - avg by (instance) (rate(http_requests_total{code=\"200\"}[5m])) / avg by (instance) (rate(http_requests_total[5m])))" },
  { q: 'sum by (job) (increase(http_requests_total{code=~"5.."}[10m])) > 5' },
  { q: "(time() - max by (worker) (timestamp(worker_heartbeat_total))) > 60" },
  { q: 'count(up_nonexistent == 0) or vector(0)' },
  {
    q: "avg_over_time(queue_depth[5m]) > bool 2.5",
    versionDiff: "integers averaging exactly 2.5: 2.42's incremental mean gives 2.5000000000000004, 3.x's Kahan sum / count exactly 2.5, so the comparison flips",
  },
  { q: "avg_over_time(queue_depth[5m]) > bool 2.4321" },
  { q: "histogram_quantile(0.9, sum without (instance) (rate(request_duration_seconds_bucket[5m])))" },
  { q: "histogram_quantile(0.75, sum by (le) (increase(request_duration_seconds_bucket[1h])))" },
  { q: "count by (version) (build_info)" },
  { q: "max by (job) (topk by (job) (1, rate(http_requests_total[5m])))" },
  { q: "quantile_over_time(0.95, rate(http_requests_total[5m])[30m500ms:1m])" },
  { q: 'sum by (instance) (rate(http_requests_total[5m])) or label_replace(vector(0), "instance", "none", "", "")' },
  { q: "rate(http_requests_total[5m]) unless on () vector(1)" },
  { q: "queue_depth > on (instance) queue_depth offset 1m" },
];

/** Bad queries: both must fail the same way. */
interface ErrorCase {
  q: string;
  /** Only compare errorType: the 2.42 and 3.x messages differ (reason). */
  messageDiffers?: string;
  /** Instant or range query (default both). */
  only?: "instant" | "range";
  /** A 2.42-vs-3.x difference: skipped with this reason. */
  versionDiff?: string;
  vigilBug?: string;
  /** Like vigilBug, for range queries only. */
  vigilBugRange?: string;
}

const MANY_TO_MANY_ORDER =
  "the many-to-many error lists its two series sorted by labels in current Prometheus (operators.test in its test scripts asks for a stable, sorted order), the later one first in 2.42";

const ERROR_CASES: ErrorCase[] = [
  { q: "sum(" },
  { q: "rate(http_requests_total)" },
  { q: "http_requests_total[5m]", only: "range" },
  { q: '"hello"', only: "range" },
  { q: "foo{" },
  { q: "1 +" },
  { q: "histogram_quantile(0.9)" },
  { q: "unknown_func(x)" },
  { q: "{}" },
  { q: 'x{a=~"("}', messageDiffers: "2.42 quotes the anchored regexp (`^(?:()$`), 3.x the one written (`(`)" },
  { q: '"a" + 1' },
  { q: "x offset 1m offset 2m" },
  { q: "1 and 2" },
  { q: 'topk("a", x)' },
  { q: "count_values(1, x)" },
  { q: "sum(x) by (job) without (instance)" },
  { q: "x @ 1 @ 2" },
  { q: "rate(x[5m] offset)", messageDiffers: '3.x expects "number, duration, step(), or range()" after offset, 2.42 "duration"' },
  { q: "x[5m:1m:1m]" },
  { q: "label_replace(http_requests_total, \"a\", \"b\", \"c\", \"(\")" },
  { q: 'label_replace(http_requests_total, "1bad", "b", "code", "(.*)")', versionDiff: "3.x accepts UTF-8 label names, 2.42 only [a-zA-Z_][a-zA-Z0-9_]*" },
  { q: 'label_replace(http_requests_total, "", "b", "code", "(.*)")' },
  {
    q: "http_requests_total + on (job) http_requests_total",
    messageDiffers: MANY_TO_MANY_ORDER,
  },
  {
    q: "http_requests_total * on (instance) group_left build_info * on (job) group_left build_info",
    messageDiffers: MANY_TO_MANY_ORDER,
  },
  { q: 'label_replace(queue_depth, "instance", "", "instance", ".*")' },
  { q: 'label_join(queue_depth, "1bad", "-", "queue")', versionDiff: "3.x accepts UTF-8 label names, 2.42 only [a-zA-Z_][a-zA-Z0-9_]*" },
  { q: 'label_join(queue_depth, "", "-", "queue")' },
  { q: "queue_depth[5m] + 1" },
  { q: "x[5m" },
  // Series that differ only in the name they lose: collisions, also on the engine's fast paths.
  { q: 'rate({__name__=~"request_duration_seconds_(sum|count)"}[5m])' },
  { q: 'sum by (job) (rate({__name__=~"request_duration_seconds_(sum|count)"}[5m]))' },
  { q: '{__name__=~"request_duration_seconds_(sum|count)"} * 2' },
  { q: 'max_over_time({__name__=~"request_duration_seconds_(sum|count)"}[10m500ms:1m])' },
  { q: 'abs({__name__=~"request_duration_seconds_(sum|count)"})' },
  { q: 'sqrt({__name__=~"request_duration_seconds_(sum|count)"})' },
  { q: 'round({__name__=~"request_duration_seconds_(sum|count)"}, 0.5)' },
  { q: '{__name__=~"request_duration_seconds_(sum|count)"} ^ 2' },
  { q: '2 > bool {__name__=~"request_duration_seconds_(sum|count)"}' },
  { q: 'timestamp({__name__=~"request_duration_seconds_(sum|count)"})' },
  { q: '{__name__=~"request_duration_seconds_(sum|count)"} > bool 1' },
  { q: '1 - {__name__=~"request_duration_seconds_(sum|count)"}' },
  { q: '{__name__=~"request_duration_seconds_(sum|count)"} / {__name__=~"request_duration_seconds_(sum|count)"}', messageDiffers: MANY_TO_MANY_ORDER },
  { q: '{__name__=~"request_duration_seconds_(sum|count)"} * on (instance) group_left build_info' },
  { q: "time(1)" },
  { q: "sum(x, y)" },
  { q: "abs()" },
  { q: 'label_replace(x, "a", "$1", "b")' },
  { q: 'quantile_over_time("a", x[5m])' },
  { q: "round(x, 1, 2)" },
  { q: "sort(x[5m])" },
  { q: "absent(x[5m])" },
  { q: "histogram_quantile(0.5, x[5m])" },
  { q: "x @ foo" },
  { q: '{__name__=~".*"}' },
  { q: 'x{__name__="y"}' },
  { q: '-"a"' },
  { q: "sum without (a) by (b) (x)" },
  { q: "x[0s]" },
  { q: "x[5m:0s]", only: "instant" },
  { q: "topk(1e20, queue_depth)" },
  { q: "topk(-1e20, queue_depth)", versionDiff: "3.x returns nothing when every k is below 1 before checking that k fits an int64; 2.42 fails" },
  { q: 'count_values("1bad", queue_depth)', versionDiff: "3.x accepts UTF-8 label names, 2.42 only [a-zA-Z_][a-zA-Z0-9_]*" },
  { q: "count_over_time(time()[5m:1m])" },
  { q: 'count_values("", queue_depth)' },
];

// ---------------------------------------------------------------------------
// Comparison

interface Answer {
  resultType: string;
  result: ResultSeries[] | ResultPoint;
}
type Outcome = { ok: true; data: Answer } | { ok: false; errorType: string; error: string };

const REL_TOL = 1e-9;

/** Points (samples of vectors and matrices, scalars, strings) in an answer. */
function countPoints(o: Outcome): number {
  if (!o.ok) return 0;
  if (o.data.resultType === "scalar" || o.data.resultType === "string") return 1;
  let n = 0;
  for (const s of o.data.result as ResultSeries[]) n += s.values?.length ?? 1;
  return n;
}

const INVALID_QUERY = 'invalid parameter "query": ';

/**
 * Vigil's error message as 2.42 would word it at the HTTP level: 2.42's
 * query_range returns the parser's error bare, where its query endpoint and
 * both of 3.x's wrap it in `invalid parameter "query": ` (a version
 * difference of the API, not of the engine).
 */
function normalizeMessage(vigil: string, prometheus: string): string {
  return vigil.startsWith(INVALID_QUERY) && !prometheus.startsWith(INVALID_QUERY) ? vigil.slice(INVALID_QUERY.length) : vigil;
}

/**
 * What differs between Vigil's answer (a) and Prometheus's (b), at most
 * `limit` lines. Series are matched by labels; `ordered` instant vectors must
 * also have equal values position by position (series with equal values may
 * come in any order: neither Prometheus's sort is stable).
 */
function compareAnswers(a: Outcome, b: Outcome, ordered: boolean, compareMessage: boolean): string[] {
  const problems: string[] = [];
  if (!a.ok || !b.ok) {
    if (a.ok) return [`Vigil answered, Prometheus failed: ${!b.ok ? `${b.errorType}: ${b.error}` : ""}`];
    if (b.ok) return [`Vigil failed (${a.errorType}: ${a.error}), Prometheus answered`];
    if (a.errorType !== b.errorType) problems.push(`errorType: Vigil ${a.errorType} (${a.error}), Prometheus ${b.errorType} (${b.error})`);
    else if (compareMessage && normalizeMessage(a.error, b.error) !== b.error) problems.push(`error: Vigil ${JSON.stringify(a.error)}, Prometheus ${JSON.stringify(b.error)}`);
    return problems;
  }
  if (a.data.resultType !== b.data.resultType) return [`resultType: Vigil ${a.data.resultType}, Prometheus ${b.data.resultType}`];
  if (a.data.resultType === "scalar" || a.data.resultType === "string") {
    const [ta, va] = a.data.result as ResultPoint;
    const [tb, vb] = b.data.result as ResultPoint;
    if (ta !== tb || (a.data.resultType === "scalar" ? !sameValue(va, vb, REL_TOL) : va !== vb)) problems.push(`Vigil ${JSON.stringify(a.data.result)}, Prometheus ${JSON.stringify(b.data.result)}`);
    return problems;
  }
  return compareResults(a.data.result as ResultSeries[], b.data.result as ResultSeries[], REL_TOL, ordered && a.data.resultType === "vector").problems;
}

// ---------------------------------------------------------------------------
// The test

describe.skipIf(version === null)(`Vigil's PromQL engine beside Prometheus ${version}`, () => {
  let prom: RunningPrometheus | null = null;
  let testDb: TestDatabase | undefined;
  let db: SqlClient | undefined;
  let store: SeriesStore | undefined;
  let engine: Engine;

  beforeAll(async () => {
    const pglite = (await testBackends()).find((b) => b.name === "pglite")!;
    testDb = await pglite.create();
    db = await testDb.open();
    // A fake clock just after the data, so the store's retention keeps it all.
    store = await SeriesStore.open(db, { now: () => T0 + SPAN + 60 * MIN });
    prom = await startPrometheus();
    const data = generate();
    for (const batch of batches(data)) {
      await store.append(batch);
      await prom!.write(batch);
    }
    // Prometheus 2.42's defaults: 5m lookback, 1m default subquery step (its evaluation_interval); no feature flags.
    engine = new Engine(store, { enableDelayedNameRemoval: false, enableExperimentalFunctions: false });
  });

  /** What was compared, for the summary printed at the end. */
  const stats = {
    answers: { instant: 0, range: 0, agreed: 0 },
    errors: { instant: 0, range: 0, agreed: 0 },
    evaluations: 0,
    points: 0,
    empty: [] as string[],
  };

  afterAll(async () => {
    console.log(
      `compared ${stats.answers.instant} instant and ${stats.answers.range} range queries, ${stats.answers.agreed} agreeing; ` +
        `${stats.errors.instant} instant and ${stats.errors.range} range bad queries, ${stats.errors.agreed} failing alike; ` +
        `${stats.evaluations} evaluations in all, ${stats.points} points from Prometheus; ` +
        `empty on both sides everywhere: ${stats.empty.join("; ") || "none"}`,
    );
    await prom?.stop();
    await store?.close({ flush: false });
    await db?.close();
    await testDb?.destroy();
  });

  async function vigil(q: string, mode: "instant" | "range", t: number, end = t, step = 0): Promise<Outcome> {
    const ctx = { engine, store: store! };
    try {
      const res =
        mode === "instant"
          ? await instantQuery(ctx, { query: q, timeMs: t, stats: "" })
          : await rangeQuery(ctx, { query: q, startMs: t, endMs: end, stepMs: step, stats: "" });
      const data = res.data as QueryData;
      return { ok: true, data: { resultType: data.resultType, result: JSON.parse(data.result.json) as Answer["result"] } };
    } catch (err) {
      const known = classifyError(err);
      if (!known) throw err;
      return { ok: false, errorType: known.type, error: known.message };
    }
  }

  async function prometheus(q: string, mode: "instant" | "range", t: number, end = t, step = 0): Promise<Outcome> {
    const { body } =
      mode === "instant"
        ? await prom!.api("/api/v1/query", { query: q, time: String(t / 1000) })
        : await prom!.api("/api/v1/query_range", { query: q, start: String(t / 1000), end: String(end / 1000), step: String(step / 1000) });
    const b = body as { status: string; data?: Answer; errorType?: string; error?: string };
    if (b.status === "success") return { ok: true, data: b.data! };
    return { ok: false, errorType: b.errorType ?? "?", error: b.error ?? "?" };
  }

  /**
   * Every evaluation of `q` in `mode` (each instant time, each range), with
   * what differs; with `mustFail`, also any evaluation where either side
   * answered.
   */
  async function differences(q: string, mode: "instant" | "range", opts: { ordered?: boolean; messageDiffers?: string; mustFail?: boolean }): Promise<string[]> {
    const out: string[] = [];
    let points = 0;
    const evals =
      mode === "instant"
        ? INSTANT_TIMES.map((off) => ({ what: `at T0+${off / 1000}s`, args: [T0 + off] as [number, number?, number?] }))
        : RANGES.map((r) => ({ what: `T0+${r.start / 1000}s..${r.end / 1000}s step ${r.step / 1000}s`, args: [T0 + r.start, T0 + r.end, r.step] as [number, number?, number?] }));
    for (const { what, args } of evals) {
      const a = await vigil(q, mode, ...args);
      const b = await prometheus(q, mode, ...args);
      const problems = compareAnswers(a, b, !!opts.ordered, !opts.messageDiffers);
      points += countPoints(b);
      stats.evaluations++;
      if (!opts.mustFail && !opts.messageDiffers && !a.ok && !b.ok) problems.push(`expected an answer: both failed (Vigil: ${a.error})`);
      if (opts.mustFail && (a.ok || b.ok)) problems.push(`expected both to fail: Vigil ${a.ok ? "answered" : "failed"}, Prometheus ${b.ok ? "answered" : "failed"}`);
      if (problems.length > 0) out.push(`${mode} ${what}:`, ...problems.slice(0, 8).map((p) => `  ${p}`));
    }
    stats.points += points;
    const kind = opts.mustFail ? "errors" : "answers";
    stats[kind][mode]++;
    if (out.length === 0) stats[kind].agreed++;
    if (points === 0 && !opts.mustFail) stats.empty.push(`${mode}: ${q}`);
    return out;
  }

  for (const c of CASES) {
    for (const mode of ["instant", "range"] as const) {
      if (mode === "range" && c.instantOnly) continue;
      const name = `${mode}: ${c.q}`;
      const bug = c.vigilBug ?? (mode === "instant" ? c.vigilBugInstant : c.vigilBugRange);
      const run = async () => expect(await differences(c.q, mode, c)).toEqual([]);
      const versionDiff = c.versionDiff ?? (mode === "instant" ? c.versionDiffInstant : undefined);
      if (versionDiff) it.skip(`${name} — 2.42 vs 3.x: ${versionDiff}`, run);
      else if (bug) it.fails(`${name} — ${bug}`, run);
      else it(c.messageDiffers ? `${name} (errors: errorType only, ${c.messageDiffers})` : name, run);
    }
  }

  // PROMQL_DIFF_PROBE='[{"q": "…", "t": <s>} | {"q": "…", "start": <s>, "end": <s>, "step": <s>}]'
  // prints both answers to each query, for looking into a difference.
  it.runIf(!!process.env.PROMQL_DIFF_PROBE)("probe", async () => {
    const probes = JSON.parse(process.env.PROMQL_DIFF_PROBE!) as { q: string; t?: number; start?: number; end?: number; step?: number }[];
    for (const p of probes) {
      const args: [number, number?, number?] = p.t !== undefined ? [p.t * 1000] : [p.start! * 1000, p.end! * 1000, p.step! * 1000];
      const mode = p.t !== undefined ? "instant" : "range";
      const a = await vigil(p.q, mode, ...args);
      const b = await prometheus(p.q, mode, ...args);
      console.log(`${mode} ${p.q} ${JSON.stringify(p)}\n  Vigil:      ${JSON.stringify(a)}\n  Prometheus: ${JSON.stringify(b)}`);
    }
  });

  for (const c of ERROR_CASES) {
    for (const mode of ["instant", "range"] as const) {
      if (c.only && c.only !== mode) continue;
      const name = `error, ${mode}: ${c.q}`;
      const run = async () => expect(await differences(c.q, mode, { ...c, mustFail: true })).toEqual([]);
      const bug = c.vigilBug ?? (mode === "range" ? c.vigilBugRange : undefined);
      if (c.versionDiff) it.skip(`${name} — 2.42 vs 3.x: ${c.versionDiff}`, run);
      else if (bug) it.fails(`${name} — ${bug}`, run);
      else it(c.messageDiffers ? `${name} (errorType only: ${c.messageDiffers})` : name, run);
    }
  }
});
