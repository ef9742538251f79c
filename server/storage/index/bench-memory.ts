// Measures the index's memory per series and a few selection timings.
//
//   node --expose-gc --import tsx server/storage/index/bench-memory.ts [series=200000]
//
// Series have 8 labels with a realistic spread of cardinalities; the "unique"
// run adds a label whose value differs for every series (the worst case for
// per-pair overhead), replacing `container`.

import { labelsFromRecord, type Labels } from "../labels/labels";
import { newMatcher, type MatchType } from "../labels/matcher";
import { MemPostings } from "./postings";

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with node --expose-gc");
  process.exit(1);
}

function heapUsed(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

function series(i: number, unique: boolean): Labels {
  // Deterministic, varied values; strings built fresh each time, as a parser would.
  const h = (x: number) => (Math.imul(x ^ 0x9e3779b9, 0x85ebca6b) >>> 0) % 1_000_000;
  const rec: Record<string, string> = {
    __name__: `metric_name_${h(i) % 1000}_total`,
    job: `job-${h(i + 1) % 20}`,
    instance: `10.0.${h(i + 2) % 8}.${h(i + 3) % 250}:9100`,
    namespace: `namespace-${h(i + 4) % 50}`,
    pod: `pod-${h(i + 5) % 20000}-abcde`,
    code: String(200 + (h(i + 6) % 5) * 100),
    method: ["GET", "POST", "PUT", "DELETE"][h(i + 7) % 4],
  };
  if (unique) rec.uid = `0b6f3c2e-${i.toString(16).padStart(8, "0")}`;
  else rec.container = `container-${h(i + 8) % 100}`;
  return labelsFromRecord(rec);
}

function run(n: number, unique: boolean) {
  // The inputs are built first so that build time excludes making them; they
  // are dropped before measuring, leaving only what the index retains
  // (including the label strings it shares with them).
  const before = heapUsed();
  const inputs: Labels[] = [];
  for (let i = 1; i <= n; i++) inputs.push(series(i, unique));
  const idx = new MemPostings();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) idx.add(i + 1, inputs[i]);
  const buildMs = performance.now() - t0;
  inputs.length = 0;
  const after = heapUsed();
  const perSeries = (after - before) / n;
  console.log(
    `${unique ? "with a unique label" : "typical labels     "}: ${n} series, ${idx.stats().numLabelPairs} pairs, ` +
      `${perSeries.toFixed(0)} bytes/series, build ${((buildMs * 1000) / n).toFixed(2)} µs/series`,
  );
  const q = (desc: string, ...ms: [MatchType, string, string][]) => {
    const matchers = ms.map(([t, name, v]) => newMatcher(t, name, v));
    idx.select(matchers); // warm up
    const t = performance.now();
    let size = 0;
    const reps = 5;
    for (let i = 0; i < reps; i++) size = idx.select(matchers).length;
    console.log(`  ${desc.padEnd(58)} ${((performance.now() - t) / reps).toFixed(2).padStart(8)} ms  (${size} series)`);
  };
  q(`{__name__="metric_name_7_total"}`, ["=", "__name__", "metric_name_7_total"]);
  q(`{__name__="metric_name_7_total", namespace="namespace-3"}`, ["=", "__name__", "metric_name_7_total"], ["=", "namespace", "namespace-3"]);
  q(`{job="job-3", pod=~"pod-1.*"}`, ["=", "job", "job-3"], ["=~", "pod", "pod-1.*"]);
  q(`{pod=~"pod-1[0-9]+-abcde"}`, ["=~", "pod", "pod-1[0-9]+-abcde"]);
  q(`{instance=~"10\\.0\\.1\\..*", code!="200"}`, ["=~", "instance", "10\\.0\\.1\\..*"], ["!=", "code", "200"]);
  q(`{__name__=~".+"}`, ["=~", "__name__", ".+"]);
  q(`{__name__=~"metric_name_1.*", method!~"GET|PUT"}`, ["=~", "__name__", "metric_name_1.*"], ["!~", "method", "GET|PUT"]);
  if (unique) q(`{uid=~".*-0000ff.*"}`, ["=~", "uid", ".*-0000ff.*"]);
  return idx;
}

const n = Number(process.argv[2] ?? 200_000);
let keep: unknown = run(n, false);
keep = run(n, true);
void keep;
