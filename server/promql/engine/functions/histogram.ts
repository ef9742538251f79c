// histogram_quantile and histogram_fraction over classic histograms (`le`
// buckets), with Prometheus's bucket sorting, coalescing and monotonicity
// fix-ups. Native histograms are not stored by Vigil yet, so the native-only
// functions (histogram_count, histogram_sum, ...) return empty results.

import type { FunctionImpl } from "./index";
import type { StepContext } from "../evaluator";
import type { Call, Expr } from "../../parser/ast";
import type { Labels } from "../../../storage/labels/labels";
import type { Sample, Vector } from "../value";
import { deleteLabels, dropMetricName, getLabel, METRIC_NAME, setLabel } from "../labels";
import { formatFloatG, goQuote } from "../../parser/go-format";
import { invalidQuantileWarning } from "./math-util";

export interface Bucket {
  upperBound: number;
  count: number;
}

/** Go's strconv.ParseFloat for bucket bounds, or null. */
export function parseGoFloat(s: string): number | null {
  const lower = s.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, "");
  if (unsigned === "inf" || unsigned === "infinity") return lower.startsWith("-") ? -Infinity : Infinity;
  if (unsigned === "nan") return NaN;
  if (/^[+-]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(s)) return Number(s.replace(/_/g, ""));
  if (/^[+-]?0[xX][0-9a-fA-F.]+[pP][+-]?\d+$/.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(s);
    if (!m) return null;
    const mant = parseInt(m[2] + m[3] || "0", 16) / 16 ** m[3].length;
    const v = mant * 2 ** Number(m[4]);
    return m[1] === "-" ? -v : v;
  }
  return null;
}

/** Go's almost.Equal. */
export function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  const minNormal = 2.2250738585072014e-308;
  if (a === 0 || b === 0 || absSum < minNormal) return diff < epsilon * minNormal;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

function sortBuckets(b: Bucket[]): void {
  b.sort((x, y) => (x.upperBound < y.upperBound ? -1 : x.upperBound > y.upperBound ? 1 : 0));
}

function coalesceBuckets(buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  let last = { ...buckets[0] };
  for (let i = 1; i < buckets.length; i++) {
    const b = buckets[i];
    if (b.upperBound === last.upperBound) last.count += b.count;
    else {
      out.push(last);
      last = { ...b };
    }
  }
  out.push(last);
  return out;
}

/** Whether sortedBucketQuantile had to force the counts to be monotonic. */
export interface QuantileFlags {
  forced: boolean;
}

/**
 * Go's BucketQuantile over buckets already sorted by upper bound, given as
 * two arrays (`len` buckets; both are overwritten): the buckets with the same
 * bound are coalesced, the counts made monotonic, and the quantile
 * interpolated. Whether monotonicity had to be forced goes to `flags`.
 */
export function sortedBucketQuantile(q: number, ub: Float64Array, counts: Float64Array, len: number, flags: QuantileFlags): number {
  flags.forced = false;
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (ub[len - 1] !== Infinity) return NaN;
  // Coalesce buckets with the same bound, in place.
  let n = 1;
  for (let i = 1; i < len; i++) {
    if (ub[i] === ub[n - 1]) counts[n - 1] += counts[i];
    else {
      ub[n] = ub[i];
      counts[n] = counts[i];
      n++;
    }
  }
  // ensureMonotonicAndIgnoreSmallDeltas, tolerance 1e-12.
  let forced = false;
  let prev = counts[0];
  for (let i = 1; i < n; i++) {
    const curr = counts[i];
    if (curr === prev) continue;
    if (almostEqual(prev, curr, 1e-12)) {
      counts[i] = prev;
      continue;
    }
    if (curr < prev) {
      counts[i] = prev;
      forced = true;
      continue;
    }
    prev = curr;
  }
  if (n < 2) return NaN;
  const observations = counts[n - 1];
  if (observations === 0) return NaN;
  flags.forced = forced;
  let rank = q * observations;
  // sort.Search over the first n-1 buckets.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const h = (lo + hi) >> 1;
    if (!(counts[h] >= rank)) lo = h + 1;
    else hi = h;
  }
  const b = lo;
  if (b === n - 1) return ub[n - 2];
  if (b === 0 && ub[0] <= 0) return ub[0];
  let bucketStart = 0;
  const bucketEnd = ub[b];
  let count = counts[b];
  if (b > 0) {
    bucketStart = ub[b - 1];
    count -= counts[b - 1];
    rank -= counts[b - 1];
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/** Go's BucketQuantile: [value, forcedMonotonic]. Sorts `bucketsIn`. */
export function bucketQuantile(q: number, bucketsIn: Bucket[]): [number, boolean] {
  if (Number.isNaN(q)) return [NaN, false];
  if (q < 0) return [-Infinity, false];
  if (q > 1) return [Infinity, false];
  sortBuckets(bucketsIn);
  const len = bucketsIn.length;
  const ub = new Float64Array(len);
  const counts = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    ub[i] = bucketsIn[i].upperBound;
    counts[i] = bucketsIn[i].count;
  }
  const flags = { forced: false };
  const v = sortedBucketQuantile(q, ub, counts, len, flags);
  return [v, flags.forced];
}

/** Go's BucketFraction. */
export function bucketFraction(lower: number, upper: number, bucketsIn: Bucket[]): number {
  sortBuckets(bucketsIn);
  if (bucketsIn[bucketsIn.length - 1].upperBound !== Infinity) return NaN;
  const buckets = coalesceBuckets(bucketsIn);
  const count = buckets[buckets.length - 1].count;
  if (count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0, lowerRank = 0, upperRank = 0;
  let lowerSet = false, upperSet = false;
  for (let i = 0; i < buckets.length; i++) {
    const b = buckets[i];
    let lowerBound = -Infinity;
    if (i > 0) lowerBound = buckets[i - 1].upperBound;
    else if (b.upperBound > 0) lowerBound = 0;
    const upperBound = b.upperBound;
    // A bucket of infinite width is not interpolated: the part of it between a bound and its finite edge counts nothing.
    const interp = (v: number, isLower: boolean) =>
      lowerBound === -Infinity ? (isLower ? b.count : rank) : upperBound === Infinity ? (isLower ? rank : rank) : rank + ((b.count - rank) * (v - lowerBound)) / (upperBound - lowerBound);
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interp(lower, true);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interp(upper, false);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = b.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / count;
}

interface MetricWithBuckets {
  metric: Labels;
  buckets: Bucket[];
}

/**
 * Which histogram a bucket series belongs to: its labels without `le` (and
 * without the name, unless it is removed only at the end).
 */
export function bucketGroupKey(metric: Labels, delayedNameRemoval: boolean): string {
  let key = "";
  for (const l of metric) if (l.name !== "le" && (delayedNameRemoval || l.name !== METRIC_NAME)) key += l.name + "\xff" + l.value + "\xfe";
  return key;
}

/** The warning for a bucket series whose `le` is missing or no number. */
export function badBucketLabelWarning(le: string, metric: Labels): string {
  return `bucket label "le" is missing or has a malformed value of ${goQuote(le)} for metric name ${goQuote(getLabel(metric, METRIC_NAME))}`;
}

/** The info for a histogram whose counts had to be made monotonic. */
export function monotonicityInfo(metricName: string): string {
  return `input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${goQuote(metricName)}`;
}

/** Groups classic-histogram samples by their labels without `le` (Go's resetHistograms). */
function groupBuckets(enh: StepContext, vec: Vector, arg: Expr): MetricWithBuckets[] {
  const groups = new Map<string, MetricWithBuckets>();
  const delayed = enh.ev.opts.enableDelayedNameRemoval;
  for (const s of vec) {
    const le = getLabel(s.metric, "le");
    const ub = parseGoFloat(le);
    if (ub === null) {
      enh.warn(badBucketLabelWarning(le, s.metric), arg);
      continue;
    }
    const key = bucketGroupKey(s.metric, delayed);
    let g = groups.get(key);
    if (!g) {
      g = { metric: deleteLabels(s.metric, new Set(["le"])), buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound: ub, count: s.f });
  }
  return [...groups.values()];
}

function outSample(enh: StepContext, metric: Labels, f: number): Sample {
  if (enh.ev.opts.enableDelayedNameRemoval) return { metric, t: enh.ts, f, dropName: true };
  return { metric: dropMetricName(metric), t: enh.ts, f };
}

const nativeOnly: FunctionImpl = () => [];

/** The label value of one quantile: shortest float form, always with a decimal point ("0.0", "0.25", "NaN"). */
function quantileLabel(q: number): string {
  const s = formatFloatG(q);
  return /^[+-]?\d+$/.test(s) ? s + ".0" : s;
}

export const HISTOGRAM_FUNCTIONS: Record<string, FunctionImpl> = {
  // histogram_quantile(φ scalar, b instant-vector) → instant-vector
  histogram_quantile: (args, call: Call, enh) => {
    const q = args[0] as number;
    const vec = args[1] as Vector;
    if (Number.isNaN(q) || q < 0 || q > 1) {
      enh.warn(invalidQuantileWarning(q), call.args[0]);
    }
    const out: Vector = [];
    for (const mb of groupBuckets(enh, vec, call.args[1])) {
      if (mb.buckets.length === 0) continue;
      const [v, forced] = bucketQuantile(q, mb.buckets);
      if (forced) {
        enh.info(
          monotonicityInfo(getLabel(mb.metric, METRIC_NAME)),
          call.args[1],
        );
      }
      out.push(outSample(enh, mb.metric, v));
    }
    return out;
  },
  // histogram_fraction(lower scalar, upper scalar, b instant-vector) → instant-vector
  histogram_fraction: (args, call: Call, enh) => {
    const lower = args[0] as number;
    const upper = args[1] as number;
    const vec = args[2] as Vector;
    const out: Vector = [];
    for (const mb of groupBuckets(enh, vec, call.args[2])) {
      if (mb.buckets.length === 0) continue;
      out.push(outSample(enh, mb.metric, bucketFraction(lower, upper, mb.buckets)));
    }
    return out;
  },
  histogram_count: nativeOnly,
  histogram_sum: nativeOnly,
  histogram_avg: nativeOnly,
  histogram_stddev: nativeOnly,
  histogram_stdvar: nativeOnly,
  // histogram_quantiles(b instant-vector, label string, φ scalar...) → instant-vector (experimental)
  histogram_quantiles: (args, call: Call, enh) => {
    const vec = args[0] as Vector;
    const label = args[1] as string;
    const qs = args.slice(2) as number[];
    qs.forEach((q, i) => {
      if (Number.isNaN(q) || q < 0 || q > 1) {
        enh.warn(invalidQuantileWarning(q), call.args[i + 2]);
      }
    });
    const out: Vector = [];
    for (const mb of groupBuckets(enh, vec, call.args[0])) {
      if (mb.buckets.length === 0) continue;
      let forcedAny = false;
      for (const q of qs) {
        const [v, forced] = bucketQuantile(q, mb.buckets.map((b) => ({ ...b })));
        if (forced) forcedAny = true;
        out.push(outSample(enh, setLabel(mb.metric, label, quantileLabel(q)), v));
      }
      if (forcedAny) {
        enh.info(
          monotonicityInfo(getLabel(mb.metric, METRIC_NAME)),
          call.args[0],
        );
      }
    }
    return out;
  },
  start_timestamp: nativeOnly,
};
