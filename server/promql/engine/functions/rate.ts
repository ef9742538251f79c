// rate, increase, delta: Prometheus's extrapolatedRate, including counter
// resets, the extrapolation rules, and the experimental anchored/smoothed
// range modifiers.

import type { Window, WindowFunction } from "./index";
import type { StepContext } from "../evaluator";
import type { Call } from "../../parser/ast";
import { getLabel } from "../labels";
import { scratchWindowBounds } from "./windows";
import type { Labels } from "../../../storage/labels/labels";
import { goQuote } from "../../parser/go-format";

function nonCounterInfo(enh: StepContext, metric: Labels, call: Call): void {
  const name = getLabel(metric, "__name__");
  if (name === "") return;
  if (name.endsWith("_total") || name.endsWith("_sum") || name.endsWith("_count") || name.endsWith("_bucket")) return;
  const type = getLabel(metric, "__type__");
  if (type === "counter") return;
  enh.info(`metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${goQuote(name)}`, call.args[0]);
}

/** Linear interpolation (or the nearest sample) at time t (ms) between samples i-1 and i. */
function interpolate(w: Window, i: number, t: number, isCounter: boolean): number {
  const t1 = w.t[i - 1], f1 = w.f[i - 1];
  const t2 = w.t[i], f2 = w.f[i];
  if (isCounter && f2 < f1) {
    // A counter reset between the samples: interpolate from zero.
    return (f2 * (t - t1)) / (t2 - t1);
  }
  return f1 + ((f2 - f1) * (t - t1)) / (t2 - t1);
}

/** Value at the range start for `smoothed` (null: no data on both sides). */
function smoothedStart(w: Window, isCounter: boolean): number | null {
  const prev = w.lo - 1;
  const next = w.lo;
  if (next >= w.t.length) return null;
  if (prev >= 0) return w.t[prev] === w.rangeStart ? w.f[prev] : interpolate(w, next, w.rangeStart, isCounter);
  return w.t[next] <= w.rangeEnd ? w.f[next] : null;
}

/** Value at the range end for `smoothed`. */
function smoothedEnd(w: Window, isCounter: boolean): number | null {
  const prev = w.hi - 1;
  const next = w.hi;
  if (prev < 0) return null;
  if (w.t[prev] === w.rangeEnd || next >= w.t.length) return w.f[prev];
  return interpolate(w, next, w.rangeEnd, isCounter);
}

/** anchored / smoothed: the increase between values at (or anchored to) the range boundaries, without extrapolation. */
function boundaryRate(w: Window, isCounter: boolean, isRate: boolean): number | null {
  let pts: Float64Array;
  if (w.smoothed) {
    const vs = smoothedStart(w, isCounter);
    const ve = smoothedEnd(w, isCounter);
    if (vs === null || ve === null) return null;
    pts = new Float64Array(w.hi - w.lo + 2);
    pts[0] = vs;
    pts.set(w.f.subarray(w.lo, w.hi), 1);
    pts[pts.length - 1] = ve;
  } else {
    if (w.hi <= w.lo) return null;
    pts = w.f.subarray(w.lo, w.hi);
  }
  let res = pts[pts.length - 1] - pts[0];
  if (isCounter) {
    let prev = pts[0];
    for (let i = 1; i < pts.length; i++) {
      if (pts[i] < prev) res += prev;
      prev = pts[i];
    }
  }
  if (isRate) res /= w.range / 1000;
  return res;
}

/** drops[i]: number of counter resets among samples 1..i of a series (into `into` when it is big enough). */
export function counterDrops(f: Float64Array, into?: Int32Array): Int32Array {
  const drops = into && into.length >= f.length ? into : new Int32Array(f.length);
  drops[0] = 0;
  for (let i = 1; i < f.length; i++) drops[i] = drops[i - 1] + (f[i] < f[i - 1] ? 1 : 0);
  return drops;
}

/**
 * Prometheus's extrapolatedRate over samples lo..hi-1 of a series, for the
 * window (rangeStart, rangeEnd] (ms): the increase with counter resets
 * corrected, extrapolated towards the window's edges. `drops` (counterDrops)
 * lets windows without a reset skip the reset loop; when there is one, the sum
 * is computed in Prometheus's order. Undefined for fewer than two samples.
 */
export function extrapolate(
  t: Float64Array,
  f: Float64Array,
  lo: number,
  hi: number,
  rangeStart: number,
  rangeEnd: number,
  rangeMs: number,
  isCounter: boolean,
  isRate: boolean,
  drops: Int32Array | null,
): number | undefined {
  const n = hi - lo;
  if (n < 2) return undefined;
  const firstT = t[lo];
  const lastT = t[hi - 1];
  let res = f[hi - 1] - f[lo];
  if (isCounter && (drops === null || drops[hi - 1] !== drops[lo])) {
    let prev = f[lo];
    for (let i = lo + 1; i < hi; i++) {
      if (f[i] < prev) res += prev;
      prev = f[i];
    }
  }
  let durationToStart = (firstT - rangeStart) / 1000;
  let durationToEnd = (rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avgBetween = sampledInterval / (n - 1);
  const threshold = avgBetween * 1.1;
  if (durationToStart >= threshold) durationToStart = avgBetween / 2;
  if (isCounter) {
    // Counters cannot be negative: don't extrapolate past the zero point.
    let durationToZero = durationToStart;
    if (res > 0 && f[lo] >= 0) durationToZero = sampledInterval * (f[lo] / res);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= rangeMs / 1000;
  return res * factor;
}

function extrapolatedRate(isCounter: boolean, isRate: boolean): WindowFunction {
  return (w, _args, call, enh) => {
    if (isCounter && w.firstCall && w.hi > w.lo) nonCounterInfo(enh, w.metric, call);
    if (w.anchored || w.smoothed) {
      const v = boundaryRate(w, isCounter, isRate);
      return v === null ? undefined : v;
    }
    if (isCounter && w.cache === null) w.cache = counterDrops(w.f);
    return extrapolate(w.t, w.f, w.lo, w.hi, w.rangeStart, w.rangeEnd, w.range, isCounter, isRate, w.cache);
  };
}

/** windowShape's output: sampledInterval, durationToStart, durationToEnd, factor, zeroBound. */
const SHAPE_SIZE = 5;
/** Scratch for windowShape's output (read right after each call). */
const SHAPE = new Float64Array(SHAPE_SIZE);

/**
 * The extrapolation of a window shape, as Prometheus's extrapolatedRate
 * computes it (seconds): a window (mint, ref] whose `count` samples run from
 * firstT to lastT (ms). Into `out` (SHAPE_SIZE): the sampled interval, the
 * durations extrapolated to the start and the end, the factor (divided by the
 * range for rate), and zeroBound: firstF / res at or above it puts a
 * counter's zero point before the extrapolated start (with a margin far above
 * rounding error), so the zero-point division can be skipped.
 */
function windowShape(firstT: number, lastT: number, mint: number, ref: number, count: number, rangeMs: number, isRate: boolean, out: Float64Array): void {
  const sampledInterval = (lastT - firstT) / 1000;
  const avgBetween = sampledInterval / (count - 1);
  const threshold = avgBetween * 1.1;
  let durationToStart = (firstT - mint) / 1000;
  if (durationToStart >= threshold) durationToStart = avgBetween / 2;
  let durationToEnd = (ref - lastT) / 1000;
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= rangeMs / 1000;
  out[0] = sampledInterval;
  out[1] = durationToStart;
  out[2] = durationToEnd;
  out[3] = factor;
  out[4] = (durationToStart / sampledInterval) * (1 + 1e-9);
}

/** rate/increase/delta without range modifiers: the evaluator's fast path (no per-step window object). */
export const PLAIN_EXTRAPOLATED: Readonly<Record<string, { isCounter: boolean; isRate: boolean }>> = {
  rate: { isCounter: true, isRate: true },
  increase: { isCounter: true, isRate: false },
  delta: { isCounter: false, isRate: false },
};

/**
 * extrapolatedRate of one series at every step, as Prometheus evaluates a
 * matrix-selector function series by series: the window (ref - range, ref]
 * slides forward with two pointers, and each step's value goes straight into
 * outF/outHas (no per-step call or boxed return value). The step's reference
 * time is firstRef + step * refStep (refStep is 0 under `@`). The arithmetic is extrapolate()'s,
 * written out here so the loop stays one function, with each window shape's
 * part of it computed once (the results are the same to the bit). Returns the number of
 * points written; stats[0] grows by the number of samples the windows held,
 * and stats[1] is set to 1 when a window may have held a NaN (a staleness
 * marker, if `f` was not cleaned of them: then compute again without them).
 */
export function extrapolatedRateSteps(
  t: Float64Array,
  f: Float64Array,
  firstRef: number,
  refStep: number,
  n: number,
  rangeMs: number,
  isCounter: boolean,
  isRate: boolean,
  outF: Float64Array,
  outHas: Uint8Array,
  stats: Float64Array,
): number {
  const len = t.length;
  const rangeSecs = rangeMs / 1000;
  let lo = 0;
  let hi = 0;
  // Counter resets (a sample below the one before) among samples 1..lo and
  // 1..hi-1: the window holds one when they differ, and only then does the
  // sum need Prometheus's reset loop (which is exact either way: the counts
  // only let windows without a reset skip it).
  let resetsLo = 0;
  let resetsLast = 0;
  // Every sample of every window passes the hi pointer once: their sum is
  // NaN if one of them is (a staleness marker, say).
  let valueSum = 0;
  let points = 0;
  let sampled = 0;
  // The last window shape (ms from the window start to its first sample and
  // from its last sample to the end, and the sample count) and what follows from it.
  let shapeStart = -1;
  let shapeEnd = -1;
  let shapeCount = -1;
  let sampledInterval = 0;
  let durationToStart = 0;
  let durationToEnd = 0;
  let shapeFactor = 0;
  let zeroBound = 0;
  const shape = SHAPE;
  for (let step = 0; step < n; step++) {
    const ref = firstRef + step * refStep;
    const mint = ref - rangeMs;
    // Windows are left-open: (ref - range, ref]. Reference times never
    // decrease, so both pointers only move forward.
    while (lo < len && t[lo] <= mint) {
      lo++;
      if (lo < len && f[lo] < f[lo - 1]) resetsLo++;
    }
    if (hi < lo) {
      // The window moved past every sample it held.
      hi = lo;
      resetsLast = lo < len && f[lo] < f[lo - 1] ? resetsLo - 1 : resetsLo;
    }
    while (hi < len && t[hi] <= ref) {
      if (hi > 0 && f[hi] < f[hi - 1]) resetsLast++;
      valueSum += f[hi];
      hi++;
    }
    const count = hi - lo;
    sampled += count;
    if (count < 2) continue;
    const last = hi - 1;
    const firstT = t[lo];
    const lastT = t[last];
    const firstF = f[lo];
    let res = f[last] - firstF;
    if (isCounter && resetsLast !== resetsLo) {
      let prev = firstF;
      for (let i = lo + 1; i < hi; i++) {
        const x = f[i];
        if (x < prev) res += prev;
        prev = x;
      }
    }
    // The extrapolation depends on the window's shape (where its first and
    // last samples sit, and how many it holds) and, for counters, on the
    // zero point. With regular scrapes every window of a series has the same
    // shape, so the shape's factor is computed once and reused.
    const toStartMs = firstT - mint;
    const toEndMs = ref - lastT;
    if (toStartMs !== shapeStart || toEndMs !== shapeEnd || count !== shapeCount) {
      shapeStart = toStartMs;
      shapeEnd = toEndMs;
      shapeCount = count;
      windowShape(firstT, lastT, mint, ref, count, rangeMs, isRate, shape);
      sampledInterval = shape[0];
      durationToStart = shape[1];
      durationToEnd = shape[2];
      shapeFactor = shape[3];
      zeroBound = shape[4];
    }
    let factor = shapeFactor;
    if (isCounter && res > 0 && firstF >= 0 && !(firstF > 0 && firstF >= res * zeroBound)) {
      // Counters cannot be negative: don't extrapolate past the zero point.
      const durationToZero = sampledInterval * (firstF / res);
      if (durationToZero < durationToStart) {
        factor = (sampledInterval + durationToZero + durationToEnd) / sampledInterval;
        if (isRate) factor /= rangeSecs;
      }
    }
    outF[step] = res * factor;
    outHas[step] = 1;
    points++;
  }
  stats[0] += sampled;
  if (Number.isNaN(valueSum)) stats[1] = 1;
  return points;
}

/**
 * The windows of one timestamp array over a query's steps, for
 * extrapolatedRateShared: every series scraped at the same times (all the
 * series of one target are) has the same windows, so where each starts and
 * ends and each window shape's extrapolation are worked out once for all of
 * them. Per step: `lo` and `last` (-1 in `lo` when the window holds fewer than
 * two samples) and the shape's values as extrapolatedRateSteps computes them.
 */
export interface SharedWindows {
  /** The timestamps these windows are of (a series uses them when its own are equal). */
  readonly t: Float64Array;
  readonly lo: Int32Array;
  readonly last: Int32Array;
  readonly factor: Float64Array;
  readonly zeroBound: Float64Array;
  readonly sampledInterval: Float64Array;
  readonly durationToStart: Float64Array;
  readonly durationToEnd: Float64Array;
  /** Samples the windows hold, summed over the steps (the query's sample count). */
  readonly sampled: number;
}

/** Works out the windows of `t` over the steps (arguments as extrapolatedRateSteps's). */
export function sharedWindows(t: Float64Array, firstRef: number, refStep: number, n: number, rangeMs: number, isRate: boolean): SharedWindows {
  const w = {
    t,
    lo: new Int32Array(n).fill(-1),
    last: new Int32Array(n),
    factor: new Float64Array(n),
    zeroBound: new Float64Array(n),
    sampledInterval: new Float64Array(n),
    durationToStart: new Float64Array(n),
    durationToEnd: new Float64Array(n),
    sampled: 0,
  };
  const shape = SHAPE;
  const bounds = scratchWindowBounds(t, firstRef, refStep, n, rangeMs);
  for (let step = 0; step < n; step++) {
    const lo = bounds.lo[step];
    const hi = bounds.hi[step];
    const count = hi - lo;
    if (count < 2) continue;
    const ref = firstRef + step * refStep;
    windowShape(t[lo], t[hi - 1], ref - rangeMs, ref, count, rangeMs, isRate, shape);
    w.lo[step] = lo;
    w.last[step] = hi - 1;
    w.sampledInterval[step] = shape[0];
    w.durationToStart[step] = shape[1];
    w.durationToEnd[step] = shape[2];
    w.factor[step] = shape[3];
    w.zeroBound[step] = shape[4];
  }
  w.sampled = bounds.sampled;
  return w;
}

/**
 * extrapolatedRateSteps for a series whose timestamps are `w.t`, over the
 * windows worked out for them: per step only the first and last values are
 * read. Only for series the shortcut is exact for: no NaN (a staleness marker
 * must be dropped first) and, for counters, no reset (values never decrease).
 * Returns the number of points written, or -1 (nothing written) when the
 * series is not such a series: then use extrapolatedRateSteps.
 */
export function extrapolatedRateShared(
  w: SharedWindows,
  f: Float64Array,
  n: number,
  rangeMs: number,
  isCounter: boolean,
  isRate: boolean,
  outF: Float64Array,
  outHas: Uint8Array,
  stats: Float64Array,
): number {
  const len = f.length;
  if (isCounter) {
    // Non-decreasing, which no NaN is (every comparison with it is false).
    let prev = f[0];
    if (prev !== prev) return -1;
    for (let i = 1; i < len; i++) {
      const x = f[i];
      if (!(x >= prev)) return -1;
      prev = x;
    }
  } else {
    for (let i = 0; i < len; i++) if (f[i] !== f[i]) return -1;
  }
  const rangeSecs = rangeMs / 1000;
  const los = w.lo;
  const lasts = w.last;
  const factors = w.factor;
  let points = 0;
  for (let step = 0; step < n; step++) {
    const lo = los[step];
    if (lo < 0) continue;
    const firstF = f[lo];
    const res = f[lasts[step]] - firstF;
    let factor = factors[step];
    if (isCounter && res > 0 && firstF >= 0 && !(firstF > 0 && firstF >= res * w.zeroBound[step])) {
      // Counters cannot be negative: don't extrapolate past the zero point.
      const sampledInterval = w.sampledInterval[step];
      const durationToZero = sampledInterval * (firstF / res);
      if (durationToZero < w.durationToStart[step]) {
        factor = (sampledInterval + durationToZero + w.durationToEnd[step]) / sampledInterval;
        if (isRate) factor /= rangeSecs;
      }
    }
    outF[step] = res * factor;
    outHas[step] = 1;
    points++;
  }
  stats[0] += w.sampled;
  return points;
}

export { nonCounterInfo };

export const RATE_FUNCTIONS: Record<string, WindowFunction> = {
  // rate(v range-vector) → instant-vector
  rate: extrapolatedRate(true, true),
  // increase(v range-vector) → instant-vector
  increase: extrapolatedRate(true, false),
  // delta(v range-vector) → instant-vector
  delta: extrapolatedRate(false, false),
};
