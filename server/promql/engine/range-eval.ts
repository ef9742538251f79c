// Step-wise evaluation over typed arrays.
//
// Every instant-vector or scalar expression evaluates to a StepMatrix: one
// StepSeries per output series, holding its value at each evaluation step in
// a Float64Array (plus a presence byte per step), so range evaluation does
// not allocate an object per point. Prometheus's rangeEval (per-step
// function application) and the range-vector function loop live here.

import type { Call, Expr, MatrixSelector, SubqueryExpr } from "../parser/ast";
import { exprType } from "../parser/ast";
import type { Labels } from "../../storage/labels/labels";
import type { Vector } from "./value";
import { unwrapParens, withoutStaleMarkers, type EvalRange, type Evaluator, type StepContext } from "./evaluator";
import { DistinctLabelSets, dropMetricName, getLabel, labelsHash, METRIC_NAME, TYPE_LABEL, UNIT_LABEL } from "./labels";
import type { FnArg, Window } from "./functions";
import { WINDOW_FUNCTIONS } from "./functions";
import { extrapolatedRateShared, extrapolatedRateSteps, nonCounterInfo, PLAIN_EXTRAPOLATED, sharedWindows, type SharedWindows } from "./functions/rate";
import { WindowsByTimes } from "./functions/windows";
import { overTimeSteps, PARAM_KERNELS, STEP_KERNELS, StepKernelScratch } from "./functions/over-time";
import { invalidQuantileWarning } from "./functions/math-util";

/** One output series: value per evaluation step. */
export interface StepSeries {
  metric: Labels;
  /** Value at step i (meaningful where has[i] is 1). */
  f: Float64Array;
  has: Uint8Array;
  /** Delayed `__name__` removal: drop the name when the query finishes. */
  dropName: boolean;
}

export type StepMatrix = StepSeries[];

export function numSteps(r: EvalRange): number {
  return Math.floor((r.end - r.start) / r.interval) + 1;
}

// Step arrays are carved out of larger slabs: allocating thousands of small
// typed arrays is much slower than taking views of a few big ones. The slabs
// live outside V8's heap, and fresh ones on every query make V8 run full
// garbage collections for "external memory pressure" (whose cost grows with
// the whole server's heap), so while the engine runs a query (see
// withStepArena) slabs come from a pool and go back to it when the query's
// result has been copied out.
const SLAB = 1 << 16;
/**
 * Pooled slabs kept at most (each 576 KiB, so up to 90 MiB): enough for a
 * query holding two step matrices of 10,000 series × 1,000 steps at once.
 * Fresh slabs beyond the pool cost page faults and extra full GCs (a 10,000
 * series join ran 40% slower at the median with a pool of 64).
 */
const MAX_POOLED_SLABS = 160;
/** Slabs kept once no query has run for IDLE_TRIM_MS. */
const IDLE_POOLED_SLABS = 8;
const IDLE_TRIM_MS = 30_000;

interface Slab {
  f: Float64Array;
  has: Uint8Array;
  /** Elements handed out. */
  used: number;
}

const slabPool: Slab[] = [];
/** Slabs handed out during the current withStepArena call (null outside one). */
let arenaSlabs: Slab[] | null = null;
let slab: Slab = { f: new Float64Array(0), has: new Uint8Array(0), used: 0 };
let lastArenaEnd = 0;
let trimTimer: ReturnType<typeof setTimeout> | null = null;

/** Gives pooled memory back once queries stop for a while. */
function scheduleTrim(): void {
  if (trimTimer !== null || slabPool.length <= IDLE_POOLED_SLABS) return;
  trimTimer = setTimeout(() => {
    trimTimer = null;
    if (Date.now() - lastArenaEnd >= IDLE_TRIM_MS) slabPool.length = Math.min(slabPool.length, IDLE_POOLED_SLABS);
    else scheduleTrim();
  }, IDLE_TRIM_MS);
  // Node: the timer must not keep the process alive.
  (trimTimer as { unref?: () => void }).unref?.();
}

function nextSlab(): Slab {
  const s = (arenaSlabs !== null ? slabPool.pop() : undefined) ?? { f: new Float64Array(SLAB), has: new Uint8Array(SLAB), used: 0 };
  if (arenaSlabs !== null) arenaSlabs.push(s);
  return s;
}

/**
 * Runs `fn` (a synchronous evaluation) with step arrays taken from pooled
 * slabs; when it returns, every step array it allocated is recycled. Nothing
 * allocated inside may be used afterwards: `fn` must copy its result out.
 */
export function withStepArena<T>(fn: () => T): T {
  if (arenaSlabs !== null) return fn();
  arenaSlabs = [];
  slab = { f: new Float64Array(0), has: new Uint8Array(0), used: 0 };
  try {
    return fn();
  } finally {
    for (const s of arenaSlabs) {
      if (slabPool.length >= MAX_POOLED_SLABS) break;
      // Step series expect zeroed arrays.
      s.f.fill(0, 0, s.used);
      s.has.fill(0, 0, s.used);
      s.used = 0;
      slabPool.push(s);
    }
    arenaSlabs = null;
    slab = { f: new Float64Array(0), has: new Uint8Array(0), used: 0 };
    lastArenaEnd = Date.now();
    scheduleTrim();
  }
}

export function newStepSeries(metric: Labels, n: number, dropName = false): StepSeries {
  if (n > SLAB / 4) return { metric, f: new Float64Array(n), has: new Uint8Array(n), dropName };
  if (slab.used + n > slab.f.length) slab = nextSlab();
  const pos = slab.used;
  slab.used += n;
  return { metric, f: slab.f.subarray(pos, pos + n), has: slab.has.subarray(pos, pos + n), dropName };
}

/** Number of points of a step matrix. */
export function countPoints(m: StepMatrix): number {
  let n = 0;
  for (const s of m) for (let i = 0; i < s.has.length; i++) n += s.has[i];
  return n;
}

/** The instant vector of a step matrix at step i. */
export function vectorAt(m: StepMatrix, i: number, ts: number): Vector {
  const vec: Vector = [];
  for (const s of m) if (s.has[i]) vec.push({ metric: s.metric, t: ts, f: s.f[i], dropName: s.dropName });
  return vec;
}

/**
 * Prometheus's rangeEval: evaluates the arguments over the whole range,
 * then calls `fn` once per step with each argument's value at that step
 * (instant vectors as Vectors, scalars as numbers, strings as strings).
 */
export function rangeEval(ev: Evaluator, r: EvalRange, fn: (vals: FnArg[], enh: StepContext) => Vector, args: Expr[]): StepMatrix {
  const evaluated: (StepMatrix | string)[] = args.map((a) => ev.evalString(a, r) ?? ev.evalSteps(a, r));
  return rangeEvalEvaluated(ev, r, fn, args, evaluated);
}

/** rangeEval over arguments already evaluated (`evaluated[i]` is args[i]'s value over the range). */
export function rangeEvalEvaluated(
  ev: Evaluator,
  r: EvalRange,
  fn: (vals: FnArg[], enh: StepContext) => Vector,
  args: Expr[],
  evaluated: (StepMatrix | string)[],
): StepMatrix {
  const kinds = args.map((a) => exprType(a));
  const enh = ev.newStepContext();
  const n = numSteps(r);
  const seriess = new Map<string, { s: StepSeries; last: number }>();
  const out: StepMatrix = [];
  const vals: FnArg[] = new Array(args.length);
  for (let step = 0; step < n; step++) {
    const ts = r.start + step * r.interval;
    ev.checkContext();
    for (let i = 0; i < evaluated.length; i++) {
      const m = evaluated[i];
      if (typeof m === "string") vals[i] = m;
      else if (kinds[i] === "scalar") vals[i] = m.length > 0 && m[0].has[step] ? m[0].f[step] : NaN;
      else vals[i] = vectorAt(m, step, ts);
    }
    enh.ts = ts;
    const result = fn(vals, enh);
    ev.addSamples(result.length);
    if (n === 1) {
      if (!ev.opts.enableDelayedNameRemoval) ev.checkDuplicateVector(result);
      return result.map((s) => {
        const ss = newStepSeries(s.metric, 1, s.dropName ?? false);
        ss.f[0] = s.f;
        ss.has[0] = 1;
        return ss;
      });
    }
    for (const sample of result) {
      // Series whose names are to be dropped are identified without them, so
      // that e.g. `-a or -b` can continue one series with the other.
      const key = sample.dropName ? labelsHash(dropMetricName(sample.metric)) : labelsHash(sample.metric);
      let e = seriess.get(key);
      if (e) {
        if (e.last === step) ev.error("vector cannot contain metrics with the same labelset");
      } else {
        e = { s: newStepSeries(sample.metric, n, sample.dropName ?? false), last: -1 };
        seriess.set(key, e);
        out.push(e.s);
      }
      e.last = step;
      e.s.f[step] = sample.f;
      e.s.has[step] = 1;
    }
  }
  return out;
}

/** A series a range function iterates over: stale markers removed, times in ms. */
export interface PreparedSeries {
  metric: Labels;
  t: Float64Array;
  f: Float64Array;
  dropName?: boolean;
}

const ANCHORED_FUNCS = ["changes", "delta", "increase", "rate", "resets"];
const SMOOTHED_FUNCS = ["delta", "increase", "rate"];

function checkRangeModifiers(ev: Evaluator, name: string, arg: MatrixSelector | SubqueryExpr): void {
  if (arg.type !== "matrixSelector") return;
  const vs = arg.vectorSelector;
  if (vs.anchored && !ANCHORED_FUNCS.includes(name)) {
    ev.error(`anchored modifier can only be used with: ${ANCHORED_FUNCS.join(", ")} - not with ${name}`);
  }
  if (vs.smoothed && !SMOOTHED_FUNCS.includes(name)) {
    ev.error(`smoothed modifier can only be used with: ${SMOOTHED_FUNCS.join(", ")} - not with ${name}`);
  }
}

/** Functions over range vectors that keep the metric name. */
const KEEPS_NAME = new Set(["last_over_time", "first_over_time"]);

/**
 * A function with a range-vector argument: for each series and each step,
 * the window (ref - range, ref] of the series is handed to the window
 * function, where ref is the step (or the `@` time) minus the offset.
 */
export function evalRangeFunction(ev: Evaluator, call: Call, r: EvalRange, matrixArgIndex: number, arg: MatrixSelector | SubqueryExpr): StepMatrix {
  const name = call.func.name;
  const fn = WINDOW_FUNCTIONS[name];
  if (!fn) ev.error(`function "${name}" is not implemented for range vectors`);
  checkRangeModifiers(ev, name, arg);
  const vs = arg.type === "matrixSelector" ? arg.vectorSelector : null;
  const range = arg.range;
  const offset = arg.type === "matrixSelector" ? arg.vectorSelector.offset : arg.offset;
  const at = ev.atTime(arg.type === "matrixSelector" ? arg.vectorSelector : arg);
  const lookback = ev.opts.lookbackDelta;

  // Non-matrix arguments are scalars (or strings), one value per step.
  const other: (StepMatrix | string | null)[] = call.args.map((a, i) => {
    if (i === matrixArgIndex) return null;
    return ev.evalString(a, r) ?? ev.evalSteps(a, r);
  });
  const n = numSteps(r);
  const enh = ev.newStepContext();
  const out: StepMatrix = [];
  const delayed = ev.opts.enableDelayedNameRemoval;
  const keepsName = KEEPS_NAME.has(name);
  const vals: FnArg[] = new Array(call.args.length);
  const win: Window = {
    metric: [],
    t: new Float64Array(0),
    f: new Float64Array(0),
    lo: 0,
    hi: 0,
    rangeStart: 0,
    rangeEnd: 0,
    range,
    node: arg,
    anchored: vs?.anchored ?? false,
    smoothed: vs?.smoothed ?? false,
    firstCall: true,
    cache: null,
  };
  vals[matrixArgIndex] = win;
  const hasOther = other.some((o) => o !== null);
  const plain = PLAIN_EXTRAPOLATED[name];
  if (plain && !win.anchored && !win.smoothed) {
    const rates: StepMatrix = [];
    plainExtrapolatedRate(ev, call, r, arg, plain.isCounter, plain.isRate, { into: rates });
    return rates;
  }
  const kernel = STEP_KERNELS[name];
  if (kernel !== undefined && !win.anchored && !win.smoothed) {
    // The common window functions, series by series over all steps in one
    // kernel call (no call and boxed result per step).
    const firstRef = (at ?? r.start) - offset;
    const refStep = at === null ? r.interval : 0;
    const stats = new Float64Array(1);
    const scratch = new StepKernelScratch();
    // The scalar argument at each step, as the window functions get it.
    let param: Float64Array | null = null;
    let badQ = false;
    if (PARAM_KERNELS.has(kernel)) {
      const o = other.find((x) => x !== null) as StepMatrix;
      param = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        param[i] = o.length > 0 && o[0].has[i] ? o[0].f[i] : NaN;
        if (name === "quantile_over_time" && !(param[i] >= 0 && param[i] <= 1)) badQ = true;
      }
    }
    for (const s of ev.rangeArgSeries(arg, r)) {
      ev.checkContext();
      const metric = s.dropName ? dropMetricName(s.metric) : s.metric;
      const target = newStepSeries(!keepsName && !delayed ? dropMetricName(metric) : metric, n, delayed && !keepsName);
      const points = overTimeSteps(kernel, s.t, s.f, firstRef, refStep, n, range, target.f, target.has, stats, param, r.start, r.interval, scratch);
      if (points === 0) continue;
      if (badQ) {
        // quantile_over_time warns at each step with a window, series by series.
        for (let i = 0; i < n; i++) {
          const q = param![i];
          if (target.has[i] && !(q >= 0 && q <= 1)) enh.warn(invalidQuantileWarning(q), call.args[0]);
        }
      }
      ev.addSamples(points);
      out.push(target);
    }
    ev.totalSamples += stats[0];
    return checkRangeFunctionResult(ev, out);
  }
  for (const s of ev.rangeArgSeries(arg, r)) {
    ev.checkContext();
    // A name dropped inside a subquery stays dropped.
    const metric = s.dropName ? dropMetricName(s.metric) : s.metric;
    win.metric = metric;
    win.t = s.t;
    win.f = s.f;
    win.firstCall = true;
    win.cache = null;
    const t = s.t;
    let outS: StepSeries | null = null;
    let lo = 0;
    let hi = 0;
    let points = 0;
    for (let step = 0; step < n; step++) {
      const ts = r.start + step * r.interval;
      if (hasOther) {
        for (let j = 0; j < other.length; j++) {
          const o = other[j];
          if (o === null) continue;
          vals[j] = typeof o === "string" ? o : o.length > 0 && o[0].has[step] ? o[0].f[step] : NaN;
        }
      }
      const ref = (at ?? ts) - offset;
      const mint = ref - range;
      // Windows are left-open: (ref - range, ref].
      if (lo > 0 && t[lo - 1] > mint) lo = 0;
      while (lo < t.length && t[lo] <= mint) lo++;
      if (hi < lo) hi = lo;
      if (hi > 0 && t[hi - 1] > ref) hi = lo;
      while (hi < t.length && t[hi] <= ref) hi++;
      if (hi === lo && !win.smoothed) continue;
      win.lo = lo;
      win.hi = hi;
      win.rangeStart = mint;
      win.rangeEnd = ref;
      // anchored: the last sample at or before the range start (within the lookback delta) anchors the window.
      if (win.anchored && lo > 0 && t[lo - 1] > mint - lookback) win.lo = lo - 1;
      enh.ts = ts;
      const v = fn(win, vals, call, enh);
      win.firstCall = false;
      ev.totalSamples += hi - lo;
      if (v === undefined) continue;
      if (!outS) {
        const m = !keepsName && !delayed ? dropMetricName(metric) : metric;
        outS = newStepSeries(m, n, delayed && !keepsName);
      }
      outS.f[step] = v;
      outS.has[step] = 1;
      points++;
    }
    if (outS) {
      ev.addSamples(points);
      out.push(outS);
    }
  }

  if (name === "absent_over_time") return absentOverTime(ev, call, r, out, n);
  return checkRangeFunctionResult(ev, out);
}

/**
 * Results that keep their name (last_over_time, ...) may collide, and so may
 * results whose name was dropped right away (without delayed name removal):
 * Prometheus's duplicate-labelset error.
 */
function checkRangeFunctionResult(ev: Evaluator, out: StepMatrix): StepMatrix {
  const seen = new DistinctLabelSets();
  for (const s of out) {
    if (s.dropName) continue;
    if (!seen.add(s.metric)) ev.error("vector cannot contain metrics with the same labelset");
  }
  return out;
}

/**
 * rate/increase/delta without modifiers: one kernel call per series over all
 * steps (extrapolatedRateSteps), as Prometheus's rangeEval runs matrix
 * selector functions series by series. Each series with points is appended
 * to `sink.into`, or handed to `sink.each` in a scratch series reused for the
 * next one.
 */
function plainExtrapolatedRate(
  ev: Evaluator,
  call: Call,
  r: EvalRange,
  arg: MatrixSelector | SubqueryExpr,
  isCounter: boolean,
  isRate: boolean,
  sink: { into: StepMatrix } | { each: (s: StepSeries) => void },
): void {
  const range = arg.range;
  const offset = arg.type === "matrixSelector" ? arg.vectorSelector.offset : arg.offset;
  const at = ev.atTime(arg.type === "matrixSelector" ? arg.vectorSelector : arg);
  // A selector's series go to the kernel as selected, staleness markers
  // and all: it reports windows that may hold a NaN, and only those series
  // are cleaned and computed again (a separate pass over every series to look
  // for markers cost as much as a tenth of the query).
  const raw = arg.type === "matrixSelector";
  const series: PreparedSeries[] = raw ? ev.selectedSeries(arg.vectorSelector).map((s) => ({ metric: s.labels, t: s.t, f: s.v })) : ev.rangeArgSeries(arg, r);
  const n = numSteps(r);
  const delayed = ev.opts.enableDelayedNameRemoval;
  const enh = ev.newStepContext();
  const firstRef = (at ?? r.start) - offset;
  const refStep = at === null ? r.interval : 0;
  const stats = new Float64Array(2);
  const windows = new WindowsByTimes<SharedWindows>((t) => sharedWindows(t, firstRef, refStep, n, range, isRate));
  const into = "into" in sink ? sink.into : null;
  const scratch: StepSeries = { metric: [], f: new Float64Array(n), has: new Uint8Array(n), dropName: false };
  // The "might not be a counter" check depends only on __name__ and __type__
  // (usually the same for every series: checked when they change).
  const checked = new Set<string>();
  let lastName: string | null = null;
  let lastType: string | null = null;
  // Without delayed name removal, dropping the name can make two results
  // equal, which is Prometheus's duplicate-labelset error; that needs
  // checking only when the series differ in the labels dropped.
  const dropped: Labels[] = [];
  let firstName: string | null = null;
  let firstType = "";
  let firstUnit = "";
  let mixedMeta = false;
  for (let s of series) {
    ev.checkContext();
    const sampledBefore = stats[0];
    // Materializing, the kernel writes straight into the series' own arrays
    // (a series without points only leaves a gap in a pooled slab).
    const target = into !== null ? newStepSeries([], n) : scratch;
    stats[1] = 0;
    let points = -1;
    const w = windows.lookup(s.t);
    if (w !== null) points = extrapolatedRateShared(w, s.f, n, range, isCounter, isRate, target.f, target.has, stats);
    if (points < 0) points = extrapolatedRateSteps(s.t, s.f, firstRef, refStep, n, range, isCounter, isRate, target.f, target.has, stats);
    if (raw && stats[1] === 1) {
      const clean = withoutStaleMarkers({ labels: s.metric, t: s.t, v: s.f });
      if (clean.f !== s.f) {
        s = clean;
        stats[0] = sampledBefore;
        target.has.fill(0);
        points = extrapolatedRateSteps(s.t, s.f, firstRef, refStep, n, range, isCounter, isRate, target.f, target.has, stats);
      }
    }
    const metric = s.dropName ? dropMetricName(s.metric) : s.metric;
    const name = getLabel(metric, METRIC_NAME);
    const type = getLabel(metric, TYPE_LABEL);
    if (isCounter && stats[0] > sampledBefore && (name !== lastName || type !== lastType)) {
      lastName = name;
      lastType = type;
      const key = name + "\xff" + type;
      if (!checked.has(key)) {
        checked.add(key);
        nonCounterInfo(enh, metric, call);
      }
    }
    if (points === 0) continue;
    ev.addSamples(points);
    if (delayed) {
      target.metric = metric;
      target.dropName = true;
    } else {
      target.metric = dropMetricName(metric);
      target.dropName = false;
      if (firstName === null) {
        firstName = name;
        firstType = type;
        firstUnit = getLabel(metric, UNIT_LABEL);
      } else if (!mixedMeta && (name !== firstName || type !== firstType || getLabel(metric, UNIT_LABEL) !== firstUnit)) mixedMeta = true;
      dropped.push(target.metric);
    }
    if (into !== null) into.push(target);
    else {
      (sink as { each: (s: StepSeries) => void }).each(target);
      target.has.fill(0);
    }
  }
  ev.totalSamples += stats[0];
  if (mixedMeta) {
    const seen = new Set<string>();
    for (const m of dropped) {
      const k = labelsHash(m);
      if (seen.has(k)) ev.error("vector cannot contain metrics with the same labelset");
      seen.add(k);
    }
  }
}

/**
 * Streams a plain rate/increase/delta call (no anchored/smoothed modifier)
 * to `each`, series by series, without building its step matrix; the
 * series handed over is scratch, valid only during the call. Returns false
 * for any other expression.
 */
export function streamRangeFunction(ev: Evaluator, call: Call, r: EvalRange, each: (s: StepSeries) => void): boolean {
  const plain = PLAIN_EXTRAPOLATED[call.func.name];
  if (!plain || call.args.length !== 1) return false;
  const arg = unwrapParens(call.args[0]);
  if (arg.type !== "matrixSelector" && arg.type !== "subquery") return false;
  if (arg.type === "matrixSelector" && (arg.vectorSelector.anchored || arg.vectorSelector.smoothed)) return false;
  plainExtrapolatedRate(ev, call, r, arg, plain.isCounter, plain.isRate, { each });
  return true;
}

function absentOverTime(ev: Evaluator, call: Call, r: EvalRange, mat: StepMatrix, n: number): StepMatrix {
  const found = new Uint8Array(n);
  let count = 0;
  for (const s of mat) {
    for (let i = 0; i < n; i++) {
      if (s.has[i] && !found[i]) {
        found[i] = 1;
        count++;
      }
    }
  }
  if (count === n) return [];
  const out = newStepSeries(ev.absentLabels(call.args[0]), n);
  for (let i = 0; i < n; i++) {
    if (!found[i]) {
      out.f[i] = 1;
      out.has[i] = 1;
    }
  }
  return [out];
}
