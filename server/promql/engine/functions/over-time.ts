// Range-vector functions over one series' window: *_over_time, changes,
// resets, deriv, predict_linear, irate, idelta, double_exponential_smoothing.

import { scratchWindowBounds, windowBounds, WindowsByTimes } from "./windows";
import type { Window, WindowFunction } from "./index";
import { invalidQuantileWarning, kahanSumInc } from "./math-util";
import { quantile } from "../aggregation";
import { formatFixed } from "../../parser/go-format";

/** Go's aggrOverTime: f over the window's float values. */
function overTime(f: (w: Window) => number): WindowFunction {
  return (w) => (w.hi <= w.lo ? undefined : f(w));
}

function values(w: Window): Float64Array {
  return w.f.slice(w.lo, w.hi);
}

/** Least-squares fit of the window against time relative to interceptTime (ms): [slope, intercept]. */
export function linearRegression(w: Window, interceptTime: number): [number, number] {
  return linearRegressionOf(w.t, w.f, w.lo, w.hi, interceptTime);
}

/** linearRegression of samples lo..hi-1 (Go's, with Kahan-compensated sums). */
function linearRegressionOf(t: Float64Array, f: Float64Array, lo: number, hi: number, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = f[lo];
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = f[i];
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[i] - interceptTime) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(y, sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  const intercept = sumY / n - (slope * sumX) / n;
  return [slope, intercept];
}

function instantValue(isRate: boolean): WindowFunction {
  return (w) => {
    if (w.hi - w.lo < 2) return undefined;
    return isRate ? irateAt(w.t, w.f, w.hi - 1) : w.f[w.hi - 1] - w.f[w.hi - 2];
  };
}

/** avg_over_time of samples lo..hi-1 (Kahan sum, switching to an incremental mean on overflow, as Go's). */
function avgOf(fs: Float64Array, lo: number, hi: number): number {
  // kahanSumInc written out: the [sum, c] pair it returns was an array
  // allocated per sample here.
  let sum = fs[lo];
  let count = 1;
  let mean = 0;
  let c = 0;
  let incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const f = fs[i];
    count = i - lo + 1;
    if (!incremental) {
      const t = sum + f;
      if (t !== Infinity && t !== -Infinity) {
        c += Math.abs(sum) >= Math.abs(f) ? sum - t + f : f - t + sum;
        sum = t;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    const inc = f / count;
    const m = q * mean;
    const t = m + inc;
    if (t === Infinity || t === -Infinity) c = 0;
    else c = q * c + (Math.abs(m) >= Math.abs(inc) ? m - t + inc : inc - t + m);
    mean = t;
  }
  if (incremental) return mean + c;
  return sum / count + c / count;
}

/** sum_over_time of samples lo..hi-1 (Kahan sum). */
function sumOf(fs: Float64Array, lo: number, hi: number): number {
  // kahanSumInc written out (no [sum, c] array per sample).
  let sum = 0;
  let c = 0;
  for (let i = lo; i < hi; i++) {
    const f = fs[i];
    const t = sum + f;
    if (t === Infinity || t === -Infinity) c = 0;
    else c += Math.abs(sum) >= Math.abs(f) ? sum - t + f : f - t + sum;
    sum = t;
  }
  if (sum === Infinity || sum === -Infinity) return sum;
  return sum + c;
}

function maxOf(fs: Float64Array, lo: number, hi: number): number {
  let max = fs[lo];
  for (let i = lo; i < hi; i++) if (fs[i] > max || Number.isNaN(max)) max = fs[i];
  return max;
}

function minOf(fs: Float64Array, lo: number, hi: number): number {
  let min = fs[lo];
  for (let i = lo; i < hi; i++) if (fs[i] < min || Number.isNaN(min)) min = fs[i];
  return min;
}

/** irate from samples last-1 and last (NaN-free times are strictly increasing, so the interval is never 0). */
function irateAt(ts: Float64Array, fs: Float64Array, last: number): number | undefined {
  const lastF = fs[last];
  const prevF = fs[last - 1];
  const interval = ts[last] - ts[last - 1];
  if (interval === 0) return undefined;
  return (lastF < prevF ? lastF : lastF - prevF) / (interval / 1000);
}

/**
 * The window functions overTimeSteps computes, by kernel number: the common
 * ones whose value depends on the window alone.
 */
export const STEP_KERNELS: Readonly<Record<string, number>> = {
  sum_over_time: 0,
  avg_over_time: 1,
  min_over_time: 2,
  max_over_time: 3,
  count_over_time: 4,
  last_over_time: 5,
  irate: 6,
  idelta: 7,
  stddev_over_time: 8,
  stdvar_over_time: 9,
  deriv: 10,
  // With a scalar argument (the `param` of overTimeSteps).
  quantile_over_time: 11,
  predict_linear: 12,
};

/** Kernels of STEP_KERNELS that take a scalar argument per step (`param`). */
export const PARAM_KERNELS: ReadonlySet<number> = new Set([11, 12]);

/**
 * One of STEP_KERNELS over a series at every step, as extrapolatedRateSteps
 * does for rate: the window (ref - range, ref] slides forward with two
 * pointers and each step's value goes straight into outF/outHas, with the
 * same per-window arithmetic as the window function (the helpers above are
 * shared). Returns the number of points; stats[0] grows by the number of
 * samples the windows held. `param` holds the scalar argument at each step
 * (quantile_over_time's q, predict_linear's t), and the evaluation time of
 * step i is firstTs + i * tsStep (ms; predict_linear's intercept time).
 * Calls for the series of one evaluation may share a `scratch`.
 */
export function overTimeSteps(
  kernel: number,
  t: Float64Array,
  f: Float64Array,
  firstRef: number,
  refStep: number,
  n: number,
  rangeMs: number,
  outF: Float64Array,
  outHas: Uint8Array,
  stats: Float64Array,
  param: Float64Array | null = null,
  firstTs = 0,
  tsStep = 0,
  scratch: StepKernelScratch | null = null,
): number {
  if (kernel === 11) return quantileSteps(t, f, firstRef, refStep, n, rangeMs, param!, outF, outHas, stats);
  if (kernel === 8 || kernel === 9) return varianceSteps(kernel === 8, t, f, firstRef, refStep, n, rangeMs, outF, outHas, stats);
  if (kernel >= 10) return regressionSteps(kernel === 12, t, f, firstRef, refStep, n, rangeMs, param, firstTs, tsStep, outF, outHas, stats, scratch);
  const minSamples = kernel === 6 || kernel === 7 ? 2 : 1;
  const bounds = scratchWindowBounds(t, firstRef, refStep, n, rangeMs);
  const los = bounds.lo;
  const his = bounds.hi;
  let points = 0;
  for (let step = 0; step < n; step++) {
    const lo = los[step];
    const hi = his[step];
    const count = hi - lo;
    if (count < minSamples) continue;
    let v: number;
    switch (kernel) {
      case 0:
        v = sumOf(f, lo, hi);
        break;
      case 1:
        v = avgOf(f, lo, hi);
        break;
      case 2:
        v = minOf(f, lo, hi);
        break;
      case 3:
        v = maxOf(f, lo, hi);
        break;
      case 4:
        v = count;
        break;
      case 5:
        v = f[hi - 1];
        break;
      case 6: {
        const r = irateAt(t, f, hi - 1);
        if (r === undefined) continue;
        v = r;
        break;
      }
      default:
        v = f[hi - 1] - f[hi - 2];
    }
    outF[step] = v;
    outHas[step] = 1;
    points++;
  }
  stats[0] += bounds.sampled;
  return points;
}

/** The variances of the two windows of the last variance2 call. */
const variances = new Float64Array(2);

/**
 * varianceOf over two windows at once, into `variances`: each window's
 * operations are varianceOf's in the same order (so the same bits), but the
 * two chains of dependent operations (a division each sample) interleave,
 * which a CPU runs nearly as fast as one.
 */
function variance2(fs: Float64Array, loA: number, hiA: number, loB: number, hiB: number): void {
  let countA = 0, meanA = 0, cMeanA = 0, auxA = 0, cAuxA = 0;
  let countB = 0, meanB = 0, cMeanB = 0, auxB = 0, cAuxB = 0;
  const both = Math.min(hiA - loA, hiB - loB);
  let a = loA;
  let b = loB;
  for (let k = 0; k < both; k++) {
    const fa = fs[a++];
    countA++;
    const deltaA = fa - (meanA + cMeanA);
    const incA = deltaA / countA;
    const tA = meanA + incA;
    if (tA === Infinity || tA === -Infinity) cMeanA = 0;
    else cMeanA += Math.abs(meanA) >= Math.abs(incA) ? meanA - tA + incA : incA - tA + meanA;
    meanA = tA;
    const fb = fs[b++];
    countB++;
    const deltaB = fb - (meanB + cMeanB);
    const incB = deltaB / countB;
    const tB = meanB + incB;
    if (tB === Infinity || tB === -Infinity) cMeanB = 0;
    else cMeanB += Math.abs(meanB) >= Math.abs(incB) ? meanB - tB + incB : incB - tB + meanB;
    meanB = tB;
    const inc2A = deltaA * (fa - (meanA + cMeanA));
    const t2A = auxA + inc2A;
    if (t2A === Infinity || t2A === -Infinity) cAuxA = 0;
    else cAuxA += Math.abs(auxA) >= Math.abs(inc2A) ? auxA - t2A + inc2A : inc2A - t2A + auxA;
    auxA = t2A;
    const inc2B = deltaB * (fb - (meanB + cMeanB));
    const t2B = auxB + inc2B;
    if (t2B === Infinity || t2B === -Infinity) cAuxB = 0;
    else cAuxB += Math.abs(auxB) >= Math.abs(inc2B) ? auxB - t2B + inc2B : inc2B - t2B + auxB;
    auxB = t2B;
  }
  // The longer window's remaining samples.
  for (; a < hiA; a++) {
    const fa = fs[a];
    countA++;
    const deltaA = fa - (meanA + cMeanA);
    const incA = deltaA / countA;
    const tA = meanA + incA;
    if (tA === Infinity || tA === -Infinity) cMeanA = 0;
    else cMeanA += Math.abs(meanA) >= Math.abs(incA) ? meanA - tA + incA : incA - tA + meanA;
    meanA = tA;
    const inc2A = deltaA * (fa - (meanA + cMeanA));
    const t2A = auxA + inc2A;
    if (t2A === Infinity || t2A === -Infinity) cAuxA = 0;
    else cAuxA += Math.abs(auxA) >= Math.abs(inc2A) ? auxA - t2A + inc2A : inc2A - t2A + auxA;
    auxA = t2A;
  }
  for (; b < hiB; b++) {
    const fb = fs[b];
    countB++;
    const deltaB = fb - (meanB + cMeanB);
    const incB = deltaB / countB;
    const tB = meanB + incB;
    if (tB === Infinity || tB === -Infinity) cMeanB = 0;
    else cMeanB += Math.abs(meanB) >= Math.abs(incB) ? meanB - tB + incB : incB - tB + meanB;
    meanB = tB;
    const inc2B = deltaB * (fb - (meanB + cMeanB));
    const t2B = auxB + inc2B;
    if (t2B === Infinity || t2B === -Infinity) cAuxB = 0;
    else cAuxB += Math.abs(auxB) >= Math.abs(inc2B) ? auxB - t2B + inc2B : inc2B - t2B + auxB;
    auxB = t2B;
  }
  variances[0] = (auxA + cAuxA) / countA;
  variances[1] = (auxB + cAuxB) / countB;
}

/**
 * stddev_over_time (sqrt) or stdvar_over_time at every step: windows with
 * samples are taken in pairs for variance2.
 */
function varianceSteps(
  sqrt: boolean,
  t: Float64Array,
  f: Float64Array,
  firstRef: number,
  refStep: number,
  n: number,
  rangeMs: number,
  outF: Float64Array,
  outHas: Uint8Array,
  stats: Float64Array,
): number {
  const bounds = scratchWindowBounds(t, firstRef, refStep, n, rangeMs);
  const los = bounds.lo;
  const his = bounds.hi;
  let points = 0;
  // A window waiting for its pair: step (-1 for none) and samples.
  let wStep = -1;
  let wLo = 0;
  let wHi = 0;
  for (let step = 0; step < n; step++) {
    const lo = los[step];
    const hi = his[step];
    if (hi === lo) continue;
    if (wStep < 0) {
      wStep = step;
      wLo = lo;
      wHi = hi;
      continue;
    }
    variance2(f, wLo, wHi, lo, hi);
    outF[wStep] = sqrt ? Math.sqrt(variances[0]) : variances[0];
    outF[step] = sqrt ? Math.sqrt(variances[1]) : variances[1];
    outHas[wStep] = 1;
    outHas[step] = 1;
    points += 2;
    wStep = -1;
  }
  if (wStep >= 0) {
    const v = varianceOf(f, wLo, wHi);
    outF[wStep] = sqrt ? Math.sqrt(v) : v;
    outHas[wStep] = 1;
    points++;
  }
  stats[0] += bounds.sampled;
  return points;
}

/** quantile()'s order: NaN first, then ascending (±0 equal, so they keep their order). */
function nanFirst(a: number, b: number): number {
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b;
}

/**
 * quantile_over_time's sorted window, kept between calls: up to
 * SCRATCH_KEEP values (larger buffers are dropped after the call).
 */
let sortedScratch = new Float64Array(256);
const SCRATCH_KEEP = 1 << 16;
/** Windows of more values than this are sorted afresh, not built by insertion. */
const SORT_ABOVE = 64;

/**
 * Inserts v into the sorted values buf[0..m) after the values equal to it
 * (a stable sort keeps the newer sample after the older ones); returns m + 1.
 */
function insertSorted(buf: Float64Array, m: number, v: number): number {
  let p = 0;
  if (Number.isNaN(v)) {
    while (p < m && Number.isNaN(buf[p])) p++;
  } else {
    // First value greater than v (NaN, at the front, is never greater).
    let hi = m;
    while (p < hi) {
      const mid = (p + hi) >>> 1;
      if (buf[mid] > v) hi = mid;
      else p = mid + 1;
    }
  }
  for (let j = m; j > p; j--) buf[j] = buf[j - 1];
  buf[p] = v;
  return m + 1;
}

/**
 * Removes the window's oldest sample, of value v, from the sorted values
 * buf[0..m): being the oldest, it comes first among the values equal to it.
 * Returns m - 1.
 */
function removeOldest(buf: Float64Array, m: number, v: number): number {
  let p = 0;
  if (!Number.isNaN(v)) {
    // First value not less than v (NaN, at the front, counts as less).
    let hi = m;
    while (p < hi) {
      const mid = (p + hi) >>> 1;
      if (buf[mid] >= v) hi = mid;
      else p = mid + 1;
    }
  }
  for (let j = p + 1; j < m; j++) buf[j - 1] = buf[j];
  return m - 1;
}

/**
 * quantile_over_time at every step. The window's values are kept sorted as
 * it slides (the samples leaving are taken out, those entering inserted:
 * O(window) per step instead of a sort), in exactly the order quantile()'s
 * stable sort gives them, so the same two values are interpolated.
 */
function quantileSteps(
  t: Float64Array,
  f: Float64Array,
  firstRef: number,
  refStep: number,
  n: number,
  rangeMs: number,
  q: Float64Array,
  outF: Float64Array,
  outHas: Uint8Array,
  stats: Float64Array,
): number {
  let buf = sortedScratch;
  const bounds = scratchWindowBounds(t, firstRef, refStep, n, rangeMs);
  const los = bounds.lo;
  const his = bounds.hi;
  // Samples sLo..sHi-1 are in buf[0..m), sorted.
  let sLo = 0;
  let sHi = 0;
  let m = 0;
  let points = 0;
  for (let step = 0; step < n; step++) {
    const lo = los[step];
    const hi = his[step];
    const count = hi - lo;
    if (count === 0) continue;
    if (buf.length < count) {
      const grown = new Float64Array(Math.max(count, 2 * buf.length));
      grown.set(buf.subarray(0, m));
      buf = grown;
    }
    const kept = lo < sHi ? sHi - lo : 0;
    if (count > SORT_ABOVE && 2 * kept < count) {
      buf.set(f.subarray(lo, hi));
      buf.subarray(0, count).sort(nanFirst);
      m = count;
    } else {
      if (kept === 0) m = 0;
      else for (let i = sLo; i < lo; i++) m = removeOldest(buf, m, f[i]);
      for (let i = lo + kept; i < hi; i++) m = insertSorted(buf, m, f[i]);
    }
    sLo = lo;
    sHi = hi;
    // quantile() over the sorted values.
    const qv = q[step];
    let v: number;
    if (Number.isNaN(qv)) v = NaN;
    else if (qv < 0) v = -Infinity;
    else if (qv > 1) v = Infinity;
    else {
      const rank = qv * (m - 1);
      const lowerIndex = Math.max(0, Math.floor(rank));
      const upperIndex = Math.min(m - 1, lowerIndex + 1);
      const weight = rank - Math.floor(rank);
      v = buf[lowerIndex] * (1 - weight) + buf[upperIndex] * weight;
    }
    outF[step] = v;
    outHas[step] = 1;
    points++;
  }
  if (buf.length <= SCRATCH_KEEP) sortedScratch = buf;
  stats[0] += bounds.sampled;
  return points;
}

/**
 * What deriv and predict_linear compute from the sample times alone, per
 * step: the window and, from the compensated sums of x and x², sumX and
 * varX as linearRegression has them. Series scraped at the same times (a
 * target's series) share them through a StepKernelScratch.
 */
interface RegressionWindows {
  lo: Int32Array;
  hi: Int32Array;
  sumX: Float64Array;
  varX: Float64Array;
  /** 0 where a sum of x or x² overflowed (the general function is used). */
  finite: Uint8Array;
}

/**
 * Scratch that the calls of overTimeSteps for the series of one evaluation
 * of one range function share (a new one per evaluation: its arguments are
 * the same for all its calls, and sample times are compared by content, but
 * a store may reuse its arrays between queries).
 */
export class StepKernelScratch {
  /** deriv/predict_linear's windows by sample times, made on the first call. */
  regression: WindowsByTimes<RegressionWindows> | null = null;
}

/**
 * The windows of `t` and their x sums: linearRegression's sums of x and x²
 * written out with the same operations in the same order (so the same
 * bits), without kahanSumInc's overflow check, which cannot fire where the
 * sums end finite (±Inf and NaN stay once reached).
 */
function regressionWindows(
  predict: boolean,
  t: Float64Array,
  firstRef: number,
  refStep: number,
  n: number,
  rangeMs: number,
  firstTs: number,
  tsStep: number,
): RegressionWindows {
  const w: RegressionWindows = {
    lo: new Int32Array(n),
    hi: new Int32Array(n),
    sumX: new Float64Array(n),
    varX: new Float64Array(n),
    finite: new Uint8Array(n),
  };
  windowBounds(t, firstRef, refStep, n, rangeMs, w.lo, w.hi);
  for (let step = 0; step < n; step++) {
    const lo = w.lo[step];
    const hi = w.hi[step];
    const count = hi - lo;
    if (count < 2) continue;
    // deriv fits against the window's first sample time, predict_linear
    // against the evaluation time.
    const interceptTime = predict ? firstTs + step * tsStep : t[lo];
    let sumX = 0, cX = 0, sumX2 = 0, cX2 = 0;
    for (let i = lo; i < hi; i++) {
      const x = (t[i] - interceptTime) / 1e3;
      let s = sumX + x;
      cX += Math.abs(sumX) >= Math.abs(x) ? sumX - s + x : x - s + sumX;
      sumX = s;
      const x2 = x * x;
      s = sumX2 + x2;
      cX2 += Math.abs(sumX2) >= Math.abs(x2) ? sumX2 - s + x2 : x2 - s + sumX2;
      sumX2 = s;
    }
    if (!(Math.abs(sumX) < Infinity && Math.abs(sumX2) < Infinity)) continue;
    w.finite[step] = 1;
    sumX += cX;
    sumX2 += cX2;
    w.sumX[step] = sumX;
    w.varX[step] = sumX2 - (sumX * sumX) / count;
  }
  return w;
}

/**
 * deriv (predict = false) or predict_linear (predict: t in `param`) at
 * every step: linearRegression with the same operations in the same order
 * (so the same bits) and nothing allocated per window. The sums of x come
 * from regressionWindows (shared by series with the same times); this sums
 * y and x·y, likewise without the overflow check, and hands windows whose
 * sums end non-finite (±Inf, NaN, overflow) to the general function.
 */
function regressionSteps(
  predict: boolean,
  t: Float64Array,
  f: Float64Array,
  firstRef: number,
  refStep: number,
  n: number,
  rangeMs: number,
  param: Float64Array | null,
  firstTs: number,
  tsStep: number,
  outF: Float64Array,
  outHas: Uint8Array,
  stats: Float64Array,
  scratch: StepKernelScratch | null,
): number {
  const windowsOf = (times: Float64Array) => regressionWindows(predict, times, firstRef, refStep, n, rangeMs, firstTs, tsStep);
  if (scratch !== null) scratch.regression ??= new WindowsByTimes(windowsOf);
  const w = scratch?.regression?.lookup(t, true) ?? windowsOf(t);
  const wLo = w.lo;
  const wHi = w.hi;
  let points = 0;
  let sampled = 0;
  for (let step = 0; step < n; step++) {
    const lo = wLo[step];
    const hi = wHi[step];
    const count = hi - lo;
    sampled += count;
    if (count < 2) continue;
    const interceptTime = predict ? firstTs + step * tsStep : t[lo];
    let sumY = 0, cY = 0, sumXY = 0, cXY = 0;
    const initY = f[lo];
    let constY = true;
    for (let i = lo; i < hi; i++) {
      const y = f[i];
      if (constY && i > lo && y !== initY) constY = false;
      const x = (t[i] - interceptTime) / 1e3;
      let s = sumY + y;
      cY += Math.abs(sumY) >= Math.abs(y) ? sumY - s + y : y - s + sumY;
      sumY = s;
      const xy = x * y;
      s = sumXY + xy;
      cXY += Math.abs(sumXY) >= Math.abs(xy) ? sumXY - s + xy : xy - s + sumXY;
      sumXY = s;
    }
    let slope: number;
    let intercept: number;
    if (!(w.finite[step] && Math.abs(sumY) < Infinity && Math.abs(sumXY) < Infinity)) {
      [slope, intercept] = linearRegressionOf(t, f, lo, hi, interceptTime);
    } else if (constY) {
      // Finite sums: initY is finite.
      slope = 0;
      intercept = initY;
    } else {
      const sumX = w.sumX[step];
      sumY += cY;
      sumXY += cXY;
      const covXY = sumXY - (sumX * sumY) / count;
      slope = covXY / w.varX[step];
      intercept = sumY / count - (slope * sumX) / count;
    }
    outF[step] = predict ? slope * param![step] + intercept : slope;
    outHas[step] = 1;
    points++;
  }
  stats[0] += sampled;
  return points;
}

function tsOf(pick: (w: Window) => number): WindowFunction {
  return (w) => (w.hi <= w.lo ? undefined : w.t[pick(w)] / 1000);
}

function argMax(w: Window): number {
  let idx = w.lo;
  let max = w.f[w.lo];
  for (let i = w.lo; i < w.hi; i++) {
    if (w.f[i] >= max || Number.isNaN(max)) {
      max = w.f[i];
      idx = i;
    }
  }
  return idx;
}

function argMin(w: Window): number {
  let idx = w.lo;
  let min = w.f[w.lo];
  for (let i = w.lo; i < w.hi; i++) {
    if (w.f[i] <= min || Number.isNaN(min)) {
      min = w.f[i];
      idx = i;
    }
  }
  return idx;
}

export const OVER_TIME_FUNCTIONS: Record<string, WindowFunction> = {
  // avg_over_time(v range-vector) → instant-vector
  avg_over_time: overTime((w) => avgOf(w.f, w.lo, w.hi)),
  // count_over_time(v range-vector) → instant-vector
  count_over_time: overTime((w) => w.hi - w.lo),
  // sum_over_time(v range-vector) → instant-vector
  sum_over_time: overTime((w) => sumOf(w.f, w.lo, w.hi)),
  // max_over_time(v range-vector) → instant-vector
  max_over_time: overTime((w) => maxOf(w.f, w.lo, w.hi)),
  min_over_time: overTime((w) => minOf(w.f, w.lo, w.hi)),
  // last_over_time(v range-vector) → instant-vector (keeps the metric name)
  last_over_time: overTime((w) => w.f[w.hi - 1]),
  first_over_time: overTime((w) => w.f[w.lo]),
  // present_over_time(v range-vector) → instant-vector
  present_over_time: overTime(() => 1),
  // absent_over_time(v range-vector) → instant-vector (completed by the evaluator)
  absent_over_time: overTime(() => 1),
  // stddev_over_time(v range-vector) → instant-vector
  stddev_over_time: overTime((w) => Math.sqrt(varianceOf(w.f, w.lo, w.hi))),
  stdvar_over_time: overTime((w) => varianceOf(w.f, w.lo, w.hi)),
  // mad_over_time(v range-vector) → instant-vector
  mad_over_time: overTime((w) => {
    const vs = values(w);
    if (vs.some((v) => Number.isNaN(v))) return NaN;
    const median = quantile(0.5, vs);
    return quantile(0.5, vs.map((v) => Math.abs(v - median)));
  }),
  // quantile_over_time(q scalar, v range-vector) → instant-vector
  quantile_over_time: (w, args, call, enh) => {
    const q = args[0] as number;
    if (w.hi <= w.lo) return undefined;
    if (Number.isNaN(q) || q < 0 || q > 1) {
      enh.warn(invalidQuantileWarning(q), call.args[0]);
    }
    return quantile(q, values(w));
  },
  // changes(v range-vector) → instant-vector
  changes: overTime((w) => {
    let changes = 0;
    let prev = w.f[w.lo];
    for (let i = w.lo + 1; i < w.hi; i++) {
      const cur = w.f[i];
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) changes++;
      prev = cur;
    }
    return changes;
  }),
  // resets(v range-vector) → instant-vector
  resets: overTime((w) => {
    let resets = 0;
    let prev = w.f[w.lo];
    for (let i = w.lo + 1; i < w.hi; i++) {
      const cur = w.f[i];
      if (cur < prev) resets++;
      prev = cur;
    }
    return resets;
  }),
  // deriv(v range-vector) → instant-vector
  deriv: (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.t[w.lo])[0]),
  // predict_linear(v range-vector, t scalar) → instant-vector
  predict_linear: (w, args, _call, enh) => {
    const duration = args[1] as number;
    if (w.hi - w.lo < 2) return undefined;
    const [slope, intercept] = linearRegression(w, enh.ts);
    return slope * duration + intercept;
  },
  // irate(v range-vector) → instant-vector
  irate: instantValue(true),
  idelta: instantValue(false),
  // double_exponential_smoothing(v range-vector, sf scalar, tf scalar) → instant-vector
  double_exponential_smoothing: (w, args, _call, enh) => {
    const sf = args[1] as number;
    const tf = args[2] as number;
    if (!(sf > 0 && sf < 1)) enh.ev.error(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${formatFixed(sf, 6)}`);
    if (!(tf > 0 && tf < 1)) enh.ev.error(`invalid trend factor. Expected: 0 < tf < 1, got: ${formatFixed(tf, 6)}`);
    const l = w.hi - w.lo;
    if (l < 2) return undefined;
    let s0 = 0;
    let s1 = w.f[w.lo];
    let b = w.f[w.lo + 1] - w.f[w.lo];
    for (let i = 1; i < l; i++) {
      const x = sf * w.f[w.lo + i];
      if (i - 1 !== 0) b = tf * (s1 - s0) + (1 - tf) * b;
      const y = (1 - sf) * (s1 + b);
      s0 = s1;
      s1 = x + y;
    }
    return s1;
  },
  // ts_of_max_over_time(v range-vector) → instant-vector: timestamp of the (last) maximum
  ts_of_max_over_time: tsOf(argMax),
  ts_of_min_over_time: tsOf(argMin),
  ts_of_first_over_time: tsOf((w) => w.lo),
  ts_of_last_over_time: tsOf((w) => w.hi - 1),
};

/** Population variance of samples lo..hi-1 (Welford's method with Kahan-compensated mean and sum of squares, as Go's). */
function varianceOf(fs: Float64Array, lo: number, hi: number): number {
  let count = 0;
  let mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = lo; i < hi; i++) {
    const f = fs[i];
    count++;
    const delta = f - (mean + cMean);
    // Two kahanSumInc steps written out (no [sum, c] array per sample).
    const inc = delta / count;
    const t = mean + inc;
    if (t === Infinity || t === -Infinity) cMean = 0;
    else cMean += Math.abs(mean) >= Math.abs(inc) ? mean - t + inc : inc - t + mean;
    mean = t;
    const inc2 = delta * (f - (mean + cMean));
    const t2 = aux + inc2;
    if (t2 === Infinity || t2 === -Infinity) cAux = 0;
    else cAux += Math.abs(aux) >= Math.abs(inc2) ? aux - t2 + inc2 : inc2 - t2 + aux;
    aux = t2;
  }
  return (aux + cAux) / count;
}
