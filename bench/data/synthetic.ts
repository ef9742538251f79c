// Deterministic synthetic fleet for benchmarks: node_exporter plus an instrumented Go HTTP
// service per host, with the label sets and value shapes those exporters really produce.
//
// Layout: every host contributes exactly SERIES_PER_HOST series, the first NODE_SERIES from
// its node_exporter target (job="node", :9100) and the rest from its app target (job="api",
// :8080). Series i therefore belongs to host floor(i / 100) and its target is computable from
// i alone, which keeps syntheticTimestamp(i, j) stateless. A series count that is not a multiple
// of 100 truncates the last host.
//
// Mix per 100 series: 27 integer counters (bytes, packets, requests; some idle),
// 18 float counters with 2-3 decimals (cpu/io seconds), 18 slowly changing gauges (memory pages,
// load averages, fds), 14 constants (info metrics, sizes, limits, start times), 16 histogram
// buckets and 7 full-precision floats (scrape durations, GC quantiles, histogram sums, clock).
//
// Values depend only on (seed, series index, point index); they are per-scrape processes and
// ignore intervalMs. No Math.random anywhere.

export interface SyntheticOptions {
  /** Number of series (default 10,000). */
  series?: number;
  /** First scrape, Unix ms (default 2025-01-01T00:00:00Z, aligned down to the interval). */
  startMs?: number;
  /** Scrape interval, ms (default 15,000). */
  intervalMs?: number;
  /** Points per series (default 480 = 2 h at 15 s). */
  points?: number;
  seed?: number;
  /**
   * Maximum scrape lateness, ms (default 0). Each scrape of a target is late by a uniform
   * integer in [0, jitterMs], the same for all series of that target (one scrape, one timestamp).
   */
  jitterMs?: number;
}

export type SyntheticKind =
  | "counter-int"
  | "counter-float"
  | "gauge-slow"
  | "gauge-const"
  | "histogram-bucket"
  | "float-full";

export const SYNTHETIC_KINDS: readonly SyntheticKind[] = [
  "counter-int",
  "counter-float",
  "gauge-slow",
  "gauge-const",
  "histogram-bucket",
  "float-full",
];

/**
 * How values evolve; `k` is an integer state, so decimal values are exact decimal strings'
 * float64s (k / div), as an exporter that prints "1234.56" produces.
 */
export type SyntheticModel =
  /** k += floor(step * (0.5 + u)) with probability prob; value k / div. */
  | { type: "counter"; seed: number; base: number; step: number; prob: number; div: number }
  /** k += round(step * (2u - 1)) with probability prob, k >= min; value k * mul / div. */
  | { type: "walk"; seed: number; base: number; step: number; prob: number; min: number; mul: number; div: number }
  | { type: "const"; value: number }
  /** Cumulative bucket of histogram `hist`: k += floor(requests_j * cdf + u_j); cdf 1 = +Inf / _count. */
  | { type: "bucket"; hist: number; rate: number; cdf: number }
  /** Histogram _sum: v += requests_j * mean * (0.5 + u). */
  | { type: "sum"; seed: number; hist: number; rate: number; mean: number }
  /** Full-precision gauge: base * (1 + spread * (2u - 1)), redrawn with probability prob. */
  | { type: "random"; seed: number; base: number; spread: number; prob: number }
  /** A clock in seconds: base + j * stepS + u * 0.002. */
  | { type: "clock"; seed: number; base: number; stepS: number };

export interface Label {
  name: string;
  value: string;
}

export interface SyntheticSeries {
  /** Sorted by name (so `__name__` first). */
  labels: Label[];
  kind: SyntheticKind;
  /** Scrape target index (2 per host); series of one target share timestamps. */
  target: number;
  model: SyntheticModel;
}

export const SERIES_PER_HOST = 100;
const NODE_SERIES = 60;
const DEFAULT_START_MS = 1_735_689_600_000;

interface Resolved {
  series: number;
  startMs: number;
  intervalMs: number;
  points: number;
  seed: number;
  jitterMs: number;
}

function resolve(opts: SyntheticOptions = {}): Resolved {
  const intervalMs = opts.intervalMs ?? 15_000;
  return {
    series: opts.series ?? 10_000,
    startMs: opts.startMs ?? Math.floor(DEFAULT_START_MS / intervalMs) * intervalMs,
    intervalMs,
    points: opts.points ?? 480,
    seed: opts.seed ?? 1,
    jitterMs: opts.jitterMs ?? 0,
  };
}

// --- randomness -------------------------------------------------------------------------

/** murmur3's 32-bit finalizer over a combination of two inputs. */
function hash2(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1) from two integers. */
function unit2(a: number, b: number): number {
  return hash2(a, b) / 4294967296;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator. */
class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    const s = (this.s = (this.s + 0x6d2b79f5) | 0);
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Log-uniform in [lo, hi). */
  logUniform(lo: number, hi: number): number {
    return lo * Math.pow(hi / lo, this.next());
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}

// --- the fleet ------------------------------------------------------------------------------

const CLUSTERS = ["eu-west-1", "us-east-1", "ap-south-1"];
const CPU_MODES: [mode: string, share: number][] = [
  ["idle", 0.84],
  ["iowait", 0.01],
  ["irq", 0.002],
  ["nice", 0.0005],
  ["softirq", 0.01],
  ["steal", 0],
  ["system", 0.03],
  ["user", 0.1],
];
const LE = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.5", "1", "+Inf"];
const HANDLERS: { handler: string; method: string; rate: [number, number]; median: number }[] = [
  { handler: "/api/v1/query", method: "GET", rate: [20, 400], median: 0.03 },
  { handler: "/api/v1/write", method: "POST", rate: [100, 2000], median: 0.004 },
];
/** http_requests_total series: handler, method, code, and whether the series is mostly idle. */
const REQUESTS: [handler: string, method: string, code: string, rare: boolean][] = [
  ["/-/healthy", "GET", "200", false],
  ["/api/v1/query", "GET", "200", false],
  ["/api/v1/query", "GET", "400", true],
  ["/api/v1/query", "GET", "500", true],
  ["/api/v1/query_range", "GET", "200", false],
  ["/api/v1/query_range", "GET", "400", true],
  ["/api/v1/write", "POST", "204", false],
  ["/api/v1/write", "POST", "500", true],
];

/** Log-logistic CDF: a latency distribution with the given median. */
function latencyCdf(le: string, median: number): number {
  if (le === "+Inf") return 1;
  return 1 / (1 + Math.pow(median / Number(le), 1.7));
}

type Emit = (name: string, extra: Record<string, string>, kind: SyntheticKind, model: SyntheticModel) => void;

function nodeSeries(host: number, r: Rng, emit: Emit): void {
  const uptimeTicks = r.int(1, 60) * 86400 * 100;
  const memTotalPages = [4, 8, 16, 32, 64][r.int(0, 4)]! * 262144 - r.int(1000, 40000);
  for (let cpu = 0; cpu < 2; cpu++) {
    for (const [mode, share] of CPU_MODES) {
      // 100 ticks per second per CPU: 1500 per 15 s scrape, split between modes.
      const s = share * r.logUniform(0.5, 2);
      emit("node_cpu_seconds_total", { cpu: String(cpu), mode }, "counter-float", {
        type: "counter",
        seed: r.int(0, 2 ** 31),
        base: Math.floor(uptimeTicks * s),
        step: 1500 * s,
        prob: s === 0 ? 0 : 0.98,
        div: 100,
      });
    }
  }
  const load = r.int(5, 400);
  for (const [name, step, prob] of [
    ["node_load1", 8, 1],
    ["node_load5", 3, 0.95],
    ["node_load15", 1, 0.8],
  ] as const) {
    emit(name, {}, "gauge-slow", { type: "walk", seed: r.int(0, 2 ** 31), base: load, step, prob, min: 0, mul: 1, div: 100 });
  }
  for (const [name, frac, step, prob] of [
    ["node_memory_MemAvailable_bytes", 0.6, 3000, 1],
    ["node_memory_MemFree_bytes", 0.2, 3000, 1],
    ["node_memory_Cached_bytes", 0.35, 800, 0.8],
    ["node_memory_Buffers_bytes", 0.02, 20, 0.3],
  ] as const) {
    emit(name, {}, "gauge-slow", {
      type: "walk",
      seed: r.int(0, 2 ** 31),
      base: Math.floor(memTotalPages * frac * r.logUniform(0.7, 1.2)),
      step,
      prob,
      min: 1000,
      mul: 4096,
      div: 1,
    });
  }
  emit("node_memory_MemTotal_bytes", {}, "gauge-const", { type: "const", value: memTotalPages * 4096 });
  const filesystems = [
    { device: "/dev/nvme0n1p2", fstype: "ext4", mountpoint: "/" },
    { device: "/dev/nvme1n1", fstype: "xfs", mountpoint: "/var/lib/containers" },
  ];
  for (const fs of filesystems) {
    const sizePages = r.int(10, 2000) * 262144;
    const availPages = Math.floor(sizePages * r.logUniform(0.1, 0.9));
    emit("node_filesystem_avail_bytes", fs, "gauge-slow", {
      type: "walk", seed: r.int(0, 2 ** 31), base: availPages, step: 200, prob: 0.3, min: 0, mul: 4096, div: 1,
    });
    emit("node_filesystem_free_bytes", fs, "gauge-slow", {
      type: "walk", seed: r.int(0, 2 ** 31), base: availPages + 12800, step: 200, prob: 0.3, min: 0, mul: 4096, div: 1,
    });
    emit("node_filesystem_size_bytes", fs, "gauge-const", { type: "const", value: sizePages * 4096 });
    emit("node_filesystem_files", fs, "gauge-const", { type: "const", value: sizePages / 4 });
  }
  for (const device of ["eth0", "lo"]) {
    const scale = device === "lo" ? 0.05 : 1;
    for (const [name, lo, hi] of [
      ["node_network_receive_bytes_total", 1e4, 1e7],
      ["node_network_transmit_bytes_total", 1e4, 1e7],
      ["node_network_receive_packets_total", 10, 1e4],
      ["node_network_transmit_packets_total", 10, 1e4],
    ] as const) {
      const step = r.logUniform(lo, hi) * scale;
      emit(name, { device }, "counter-int", {
        type: "counter", seed: r.int(0, 2 ** 31), base: Math.floor(step * r.int(1e4, 1e6)), step, prob: 1, div: 1,
      });
    }
    emit("node_network_receive_drop_total", { device }, "counter-int", {
      type: "counter", seed: r.int(0, 2 ** 31), base: device === "lo" ? 0 : r.int(0, 5000), step: 2, prob: device === "lo" ? 0 : 0.02, div: 1,
    });
  }
  for (const [name, lo, hi, prob] of [
    ["node_disk_read_bytes_total", 1e3, 1e8, 0.7],
    ["node_disk_written_bytes_total", 1e4, 1e8, 0.99],
    ["node_disk_reads_completed_total", 1, 1e3, 0.7],
    ["node_disk_writes_completed_total", 10, 1e3, 0.99],
  ] as const) {
    const step = r.logUniform(lo, hi);
    emit(name, { device: "nvme0n1" }, "counter-int", {
      type: "counter", seed: r.int(0, 2 ** 31), base: Math.floor(step * r.int(1e4, 1e6)), step, prob, div: 1,
    });
  }
  // Milliseconds busy per 15 s, printed with 3 decimals in seconds.
  const util = r.logUniform(0.001, 0.3);
  emit("node_disk_io_time_seconds_total", { device: "nvme0n1" }, "counter-float", {
    type: "counter", seed: r.int(0, 2 ** 31), base: Math.floor(uptimeTicks * 10 * util), step: 15000 * util, prob: 0.99, div: 1000,
  });
  for (const [name, lo, hi] of [
    ["node_context_switches_total", 1e4, 1e6],
    ["node_intr_total", 1e4, 1e6],
    ["node_forks_total", 10, 300],
  ] as const) {
    const step = r.logUniform(lo, hi);
    emit(name, {}, "counter-int", {
      type: "counter", seed: r.int(0, 2 ** 31), base: Math.floor(step * uptimeTicks / 1500), step, prob: 1, div: 1,
    });
  }
  for (const [name, base, step, prob] of [
    ["node_procs_running", 3, 2, 0.6],
    ["node_procs_blocked", 0, 1, 0.05],
    ["node_filefd_allocated", 2000, 8, 0.5],
  ] as const) {
    emit(name, {}, "gauge-slow", { type: "walk", seed: r.int(0, 2 ** 31), base, step, prob, min: 0, mul: 1, div: 1 });
  }
  emit(
    "node_uname_info",
    {
      domainname: "(none)",
      machine: "x86_64",
      nodename: `host-${String(host).padStart(4, "0")}`,
      release: `6.${r.int(1, 8)}.0-${r.int(10, 40)}-amd64`,
      sysname: "Linux",
      version: "#1 SMP PREEMPT_DYNAMIC Debian",
    },
    "gauge-const",
    { type: "const", value: 1 },
  );
  const bootS = DEFAULT_START_MS / 1000 - uptimeTicks / 100;
  emit("node_boot_time_seconds", {}, "gauge-const", { type: "const", value: bootS });
  emit("node_time_seconds", {}, "float-full", { type: "clock", seed: r.int(0, 2 ** 31), base: DEFAULT_START_MS / 1000, stepS: 15 });
  emit("up", {}, "gauge-const", { type: "const", value: 1 });
  emit("scrape_samples_scraped", {}, "gauge-const", { type: "const", value: r.int(900, 1400) });
  emit("scrape_series_added", {}, "gauge-const", { type: "const", value: 0 });
  emit("scrape_duration_seconds", {}, "float-full", { type: "random", seed: r.int(0, 2 ** 31), base: r.logUniform(0.005, 0.05), spread: 0.4, prob: 1 });
}

function appSeries(host: number, target: number, seed: number, r: Rng, emit: Emit): void {
  for (const [handler, method, code, rare] of REQUESTS) {
    const step = rare ? 1.5 : handler === "/-/healthy" ? 2 : r.logUniform(5, 500);
    emit("http_requests_total", { code, handler, method }, "counter-int", {
      type: "counter", seed: r.int(0, 2 ** 31), base: Math.floor(step * r.int(100, 1e5)), step, prob: rare ? 0.03 : 1, div: 1,
    });
  }
  for (let h = 0; h < HANDLERS.length; h++) {
    const { handler, method, rate, median } = HANDLERS[h]!;
    const hist = hash2(seed, target * 16 + h);
    const rt = r.logUniform(rate[0], rate[1]);
    for (const le of LE) {
      emit("http_request_duration_seconds_bucket", { handler, le, method }, "histogram-bucket", {
        type: "bucket", hist, rate: rt, cdf: latencyCdf(le, median),
      });
    }
    emit("http_request_duration_seconds_sum", { handler, method }, "float-full", {
      type: "sum", seed: r.int(0, 2 ** 31), hist, rate: rt, mean: median * 1.6,
    });
    emit("http_request_duration_seconds_count", { handler, method }, "counter-int", { type: "bucket", hist, rate: rt, cdf: 1 });
  }
  emit("process_cpu_seconds_total", {}, "counter-float", {
    type: "counter", seed: r.int(0, 2 ** 31), base: r.int(1e4, 1e7), step: r.logUniform(5, 300), prob: 0.99, div: 100,
  });
  emit("process_resident_memory_bytes", {}, "gauge-slow", {
    type: "walk", seed: r.int(0, 2 ** 31), base: r.int(10000, 500000), step: 300, prob: 0.9, min: 5000, mul: 4096, div: 1,
  });
  emit("process_open_fds", {}, "gauge-slow", { type: "walk", seed: r.int(0, 2 ** 31), base: r.int(20, 500), step: 4, prob: 0.4, min: 10, mul: 1, div: 1 });
  emit("process_max_fds", {}, "gauge-const", { type: "const", value: 1048576 });
  emit("process_start_time_seconds", {}, "gauge-const", {
    type: "const", value: Math.round((DEFAULT_START_MS / 1000 - r.int(3600, 30 * 86400)) * 100 + r.int(0, 99)) / 100,
  });
  emit("go_goroutines", {}, "gauge-slow", { type: "walk", seed: r.int(0, 2 ** 31), base: r.int(20, 2000), step: 15, prob: 0.7, min: 8, mul: 1, div: 1 });
  emit("go_memstats_heap_alloc_bytes", {}, "gauge-slow", {
    type: "walk", seed: r.int(0, 2 ** 31), base: r.int(5e6, 5e8), step: 2e6, prob: 0.95, min: 1e6, mul: 1, div: 1,
  });
  const gc = r.logUniform(2e-5, 5e-4);
  for (const [quantile, f] of [
    ["0", 0.3],
    ["0.5", 1],
    ["1", 4],
  ] as const) {
    emit("go_gc_duration_seconds", { quantile }, "float-full", { type: "random", seed: r.int(0, 2 ** 31), base: gc * f, spread: 0.5, prob: 0.6 });
  }
  emit("go_info", { version: "go1.23.4" }, "gauge-const", { type: "const", value: 1 });
  emit("app_build_info", { branch: "main", revision: (hash2(seed, host % 7) >>> 4).toString(16), version: `1.${host % 7}.0` }, "gauge-const", {
    type: "const", value: 1,
  });
}

function sortLabels(labels: Label[]): Label[] {
  return labels.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The series of the synthetic fleet, in host order (see the file header for the layout). */
export function syntheticSeries(opts?: SyntheticOptions): SyntheticSeries[] {
  const o = resolve(opts);
  const out: SyntheticSeries[] = [];
  for (let host = 0; out.length < o.series; host++) {
    const hostName = `host-${String(host).padStart(4, "0")}.${CLUSTERS[host % 3]}.example.net`;
    const common = { cluster: CLUSTERS[host % 3]!, env: host % 10 < 8 ? "prod" : "staging" };
    const r = new Rng(hash2(o.seed, host));
    const before = out.length;
    const make = (job: string, instance: string, target: number): Emit => (name, extra, kind, model) => {
      const labels: Label[] = [{ name: "__name__", value: name }];
      for (const [k, v] of Object.entries({ ...common, ...extra, instance, job })) labels.push({ name: k, value: v });
      out.push({ labels: sortLabels(labels), kind, target, model });
    };
    nodeSeries(host, r, make("node", `${hostName}:9100`, 2 * host));
    if (out.length - before !== NODE_SERIES) throw new Error("synthetic: node template size changed");
    appSeries(host, 2 * host + 1, o.seed, r, make("api", `${hostName}:8080`, 2 * host + 1));
    if (out.length - before !== SERIES_PER_HOST) throw new Error("synthetic: host template size changed");
  }
  out.length = o.series;
  return out;
}

/** Scrape target of series i (fixed by the layout). */
export function syntheticTarget(i: number): number {
  return 2 * Math.floor(i / SERIES_PER_HOST) + (i % SERIES_PER_HOST < NODE_SERIES ? 0 : 1);
}

/** Timestamp of point j of series i, Unix ms: on the schedule, plus the target's lateness. */
export function syntheticTimestamp(i: number, j: number, opts?: SyntheticOptions): number {
  // No resolve(): this is called once per sample by benchmarks.
  const intervalMs = opts?.intervalMs ?? 15_000;
  const startMs = opts?.startMs ?? Math.floor(DEFAULT_START_MS / intervalMs) * intervalMs;
  const jitterMs = opts?.jitterMs ?? 0;
  const late = jitterMs > 0 ? hash2(hash2(opts?.seed ?? 1, syntheticTarget(i)), j) % (jitterMs + 1) : 0;
  return startMs + j * intervalMs + late;
}

/** All timestamps of series i (points from opts), Unix ms. */
export function syntheticTimestamps(i: number, opts?: SyntheticOptions, out?: Float64Array): Float64Array {
  const o = resolve(opts);
  const ts = out ?? new Float64Array(o.points);
  const h = hash2(o.seed, syntheticTarget(i));
  for (let j = 0; j < o.points; j++) {
    ts[j] = o.startMs + j * o.intervalMs + (o.jitterMs > 0 ? hash2(h, j) % (o.jitterMs + 1) : 0);
  }
  return ts;
}

/**
 * Walks the values of one series forward, one point per `next()`. Values are produced
 * sequentially because counters are running sums.
 */
class ValueCursor {
  /** Index of the point last returned by next(); -1 before the first. */
  j = -1;
  /** Value at point j. */
  v = NaN;
  private k = 0;
  private x = 0;
  private r: Rng;

  constructor(private readonly m: SyntheticModel) {
    this.r = new Rng("seed" in m ? m.seed : 0);
  }

  next(): number {
    const j = ++this.j;
    const m = this.m;
    const r = this.r;
    switch (m.type) {
      case "const":
        this.v = m.value;
        break;
      case "counter":
        if (j === 0) this.k = m.base;
        else if (r.next() < m.prob) this.k += Math.floor(m.step * (0.5 + r.next()));
        this.v = this.k / m.div;
        break;
      case "walk":
        if (j === 0) this.k = m.base;
        else if (r.next() < m.prob) this.k = Math.max(m.min, this.k + Math.round(m.step * (2 * r.next() - 1)));
        this.v = (this.k * m.mul) / m.div;
        break;
      case "bucket":
        if (j === 0) this.k = Math.floor(m.rate * 1000 * m.cdf);
        else this.k += Math.floor(Math.floor(m.rate * (0.5 + unit2(m.hist, 2 * j))) * m.cdf + unit2(m.hist, 2 * j + 1));
        this.v = this.k;
        break;
      case "sum":
        if (j === 0) this.x = m.rate * 1000 * m.mean;
        else this.x += Math.floor(m.rate * (0.5 + unit2(m.hist, 2 * j))) * m.mean * (0.5 + r.next());
        this.v = this.x;
        break;
      case "random":
        if (j === 0 || r.next() < m.prob) this.x = m.base * (1 + m.spread * (2 * r.next() - 1));
        this.v = this.x;
        break;
      case "clock":
        this.v = m.base + j * m.stepS + r.next() * 0.002;
        break;
    }
    return this.v;
  }
}

/** Fills `out` (or a new array) with the first `points` values of series `s`. The fast path. */
export function syntheticValues(s: SyntheticSeries, points: number, out?: Float64Array): Float64Array {
  const v = out ?? new Float64Array(points);
  const c = new ValueCursor(s.model);
  for (let j = 0; j < points; j++) v[j] = c.next();
  return v;
}

// One forward cursor per series: any access pattern that moves forward in j (per series)
// costs O(1) per call; going back restarts that series.
const cursors = new WeakMap<SyntheticSeries, ValueCursor>();

/** Value of series i at point j (deterministic; values do not depend on opts). */
export function syntheticValue(series: SyntheticSeries[], i: number, j: number, _opts?: SyntheticOptions): number {
  const s = series[i];
  if (s === undefined) throw new RangeError(`synthetic: no series ${i}`);
  let c = cursors.get(s);
  if (c === undefined || c.j > j) {
    c = new ValueCursor(s.model);
    cursors.set(s, c);
  }
  while (c.j < j) c.next();
  return c.v;
}
