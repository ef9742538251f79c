// Range-vector functions over one series' window: *_over_time, changes,
// resets, deriv, predict_linear, irate, idelta, double_exponential_smoothing.

import type { Window, WindowFunction } from "./index";
import { kahanSumInc } from "./math-util";
import { quantile } from "../aggregation";
import { formatFloatG, formatFixed } from "../../parser/go-format";

/** Go's aggrOverTime: f over the window's float values. */
function overTime(f: (w: Window) => number): WindowFunction {
  return (w) => (w.hi <= w.lo ? undefined : f(w));
}

function values(w: Window): Float64Array {
  return w.f.slice(w.lo, w.hi);
}

/** Least-squares fit of the window against time relative to interceptTime (ms): [slope, intercept]. */
export function linearRegression(w: Window, interceptTime: number): [number, number] {
  let n = 0;
  let sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = w.f[w.lo];
  let constY = true;
  for (let i = w.lo; i < w.hi; i++) {
    const y = w.f[i];
    if (constY && i > w.lo && y !== initY) constY = false;
    n += 1;
    const x = (w.t[i] - interceptTime) / 1e3;
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
};

/**
 * One of STEP_KERNELS over a series at every step, as extrapolatedRateSteps
 * does for rate: the window (ref - range, ref] slides forward with two
 * pointers and each step's value goes straight into outF/outHas, with the
 * same per-window arithmetic as the window function (the helpers above are
 * shared). Returns the number of points; stats[0] grows by the number of
 * samples the windows held.
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
): number {
  const len = t.length;
  const minSamples = kernel >= 6 ? 2 : 1;
  let lo = 0;
  let hi = 0;
  let points = 0;
  let sampled = 0;
  for (let step = 0; step < n; step++) {
    const ref = firstRef + step * refStep;
    const mint = ref - rangeMs;
    while (lo < len && t[lo] <= mint) lo++;
    if (hi < lo) hi = lo;
    while (hi < len && t[hi] <= ref) hi++;
    const count = hi - lo;
    sampled += count;
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
  stddev_over_time: overTime((w) => Math.sqrt(variance(w))),
  stdvar_over_time: overTime((w) => variance(w)),
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
      enh.warn(`quantile value should be between 0 and 1, got ${formatFloatG(q)}`, call.args[0]);
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

function variance(w: Window): number {
  let count = 0;
  let mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const f = w.f[i];
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
