// The evaluator: walks the AST and produces values for every step of a
// (possibly single-step) range evaluation, following Prometheus's
// promql/engine.go `evaluator`.
//
// Every expression of type vector or scalar evaluates to a Matrix whose points
// sit exactly at the evaluation steps; an instant query is a range evaluation
// with one step, as in Prometheus. Data has been selected before evaluation
// starts (see engine.ts), so evaluation itself is synchronous.

import type {
  AggregateExpr,
  BinaryExpr,
  Call,
  Expr,
  MatrixSelector,
  SubqueryExpr,
  VectorSelector,
} from "../parser/ast";
import { exprType } from "../parser/ast";
import { positionToLineCol } from "../parser/errors";
import { compareStrings, type Labels } from "../../storage/labels/labels";
import type { SelectedSeries } from "./querier";
import { isStaleAt, type Matrix, type Vector } from "./value";
import { QueryCanceledError, QueryExecutionError, QueryTimeoutError, TooManySamplesError } from "./errors";
import { dropMetricName, labelsHash } from "./labels";
import { evalBinary } from "./binop";
import { evalAggregation } from "./aggregation";
import { FUNCTION_IMPLS, type FnArg } from "./functions";
import { evalRangeFunction, newStepSeries, numSteps, rangeEval, streamRangeFunction, type PreparedSeries, type StepMatrix, type StepSeries } from "./range-eval";
import { evalLabelJoin, evalLabelReplace } from "./functions/label";
import { evalInfo } from "./functions/info";
import { evalHistogramQuantileSteps } from "./histogram-eval";
import { evalElementwise } from "./elementwise-eval";
import { evalSortSteps } from "./sort-eval";

/** The steps an expression is evaluated at (all ms). */
export interface EvalRange {
  start: number;
  end: number;
  interval: number;
}

export interface EvaluatorOptions {
  /** ms */
  lookbackDelta: number;
  maxSamples: number;
  enableDelayedNameRemoval: boolean;
  enableTypeAndUnitLabels: boolean;
  /** Default subquery step for a given range (both ms). */
  noStepSubqueryInterval: (rangeMs: number) => number;
  /** Absolute deadline (Date.now() ms). */
  deadline: number;
  signal?: AbortSignal;
}

/** Prometheus's EvalNodeHelper: per-step context handed to function implementations. */
export class StepContext {
  /** Evaluation timestamp of the current step, ms. */
  ts = 0;
  constructor(readonly ev: Evaluator) {}
  /** Records a warning annotation positioned at `node`. */
  warn(msg: string, node: { posRange: { start: number } } | null): void {
    this.ev.addAnnotation("warning", msg, node);
  }
  info(msg: string, node: { posRange: { start: number } } | null): void {
    this.ev.addAnnotation("info", msg, node);
  }
}

export type StringResult = { type: "string"; value: string };
export type RawMatrixResult = { type: "matrix"; value: Matrix };
export type EvalResult = StepMatrix | StringResult | RawMatrixResult;

export function isStringResult(r: EvalResult): r is StringResult {
  return !Array.isArray(r) && r.type === "string";
}

export class Evaluator {
  readonly warnings = new Set<string>();
  readonly infos = new Set<string>();
  currentSamples = 0;
  totalSamples = 0;
  private checkCounter = 0;

  constructor(
    readonly query: string,
    readonly opts: EvaluatorOptions,
    /** Selected series per selector node. */
    readonly data: Map<VectorSelector, SelectedSeries[]>,
    /** Query start and end (ms), for `@ start()` / `@ end()` and start()/end(). */
    readonly queryStart: number,
    readonly queryEnd: number,
    /** Query step, ms (0 for instant queries). */
    readonly queryStep: number,
  ) {}

  error(msg: string): never {
    throw new QueryExecutionError(msg);
  }

  addAnnotation(kind: "warning" | "info", msg: string, node: { posRange: { start: number } } | null): void {
    const pos = node ? ` (${positionToLineCol(this.query, node.posRange.start)})` : "";
    if (kind === "warning") this.warnings.add(`PromQL warning: ${msg}${pos}`);
    else this.infos.add(`PromQL info: ${msg}${pos}`);
  }

  newStepContext(): StepContext {
    return new StepContext(this);
  }

  /** Checks the deadline and the abort signal (cheaply, every few calls). */
  checkContext(force = false): void {
    if (!force && (++this.checkCounter & 0x3f) !== 1) return;
    if (this.opts.signal?.aborted) throw new QueryCanceledError("expression evaluation");
    if (Date.now() > this.opts.deadline) throw new QueryTimeoutError("expression evaluation");
  }

  addSamples(n: number): void {
    this.currentSamples += n;
    this.totalSamples += n;
    if (this.currentSamples > this.opts.maxSamples) throw new TooManySamplesError();
  }

  /** Resolves a node's `@` to a timestamp (ms), or null. */
  atTime(node: { timestamp: number | null; startOrEnd: "start" | "end" | null }): number | null {
    if (node.timestamp !== null) return node.timestamp;
    if (node.startOrEnd === "start") return this.queryStart;
    if (node.startOrEnd === "end") return this.queryEnd;
    return null;
  }

  /** The value of a string-typed expression, or null for other types. */
  evalString(expr: Expr, r: EvalRange): string | null {
    if (exprType(expr) !== "string") return null;
    const v = this.eval(expr, r);
    return isStringResult(v) ? v.value : null;
  }

  /** Evaluates an instant-vector or scalar expression to its step matrix. */
  evalSteps(expr: Expr, r: EvalRange): StepMatrix {
    const v = this.eval(expr, r);
    if (!Array.isArray(v)) this.error(`unexpected ${v.type} value where an instant vector or scalar was expected`);
    return v;
  }

  /**
   * Evaluates an instant-vector expression series by series when its
   * producer can (see streamRangeFunction), handing each output series to
   * `each` instead of building the step matrix: consumers that fold series
   * (aggregations) skip the intermediate arrays. The series is only valid
   * during the call. Returns false, having done nothing, when the expression
   * has to be evaluated with evalSteps.
   */
  streamSteps(expr: Expr, r: EvalRange, each: (s: StepSeries) => void): boolean {
    const e = unwrapParens(expr);
    if (e.type !== "call") return false;
    this.checkContext();
    return streamRangeFunction(this, e, r, each);
  }

  eval(expr: Expr, r: EvalRange): EvalResult {
    this.checkContext();
    switch (expr.type) {
      case "numberLiteral": {
        const n = numSteps(r);
        const s = newStepSeries([], n);
        s.f.fill(expr.val);
        s.has.fill(1);
        return [s];
      }
      case "stringLiteral":
        return { type: "string", value: expr.val };
      case "parenExpr":
        return this.eval(expr.expr, r);
      case "unaryExpr": {
        const v = this.evalSteps(expr.expr, r);
        if (expr.op === "-") {
          for (const s of v) {
            for (let i = 0; i < s.f.length; i++) s.f[i] = -s.f[i];
            if (this.opts.enableDelayedNameRemoval) s.dropName = true;
            else s.metric = dropMetricName(s.metric);
          }
          if (!this.opts.enableDelayedNameRemoval) this.checkDuplicateSeries(v);
        }
        return v;
      }
      case "vectorSelector":
        return this.evalVectorSelector(expr, r, false);
      case "matrixSelector":
        return { type: "matrix", value: this.evalMatrixSelector(expr, r) };
      case "subquery":
        return { type: "matrix", value: this.evalSubqueryRaw(expr, r) };
      case "binaryExpr":
        return evalBinary(this, expr as BinaryExpr, r);
      case "aggregation":
        return evalAggregation(this, expr as AggregateExpr, r);
      case "call":
        return this.evalCall(expr, r);
    }
  }

  checkDuplicateSeries(m: StepMatrix): void {
    if (m.length < 2) return;
    const seen = new Set<string>();
    for (const s of m) {
      const k = labelsHash(s.metric);
      if (seen.has(k)) this.error("vector cannot contain metrics with the same labelset");
      seen.add(k);
    }
  }

  /**
   * Merges series that ended up with the same labels (label_replace and
   * friends), which is fine as long as they never have a point at the same
   * step; otherwise it is Prometheus's duplicate-labelset error.
   */
  mergeSameLabelset(m: StepMatrix): StepMatrix {
    if (m.length < 2) return m;
    const byKey = new Map<string, StepSeries>();
    const out: StepMatrix = [];
    for (const s of m) {
      const k = labelsHash(s.metric);
      const prev = byKey.get(k);
      if (!prev) {
        byKey.set(k, s);
        out.push(s);
        continue;
      }
      for (let i = 0; i < s.has.length; i++) {
        if (!s.has[i]) continue;
        if (prev.has[i]) this.error("vector cannot contain metrics with the same labelset");
        prev.has[i] = 1;
        prev.f[i] = s.f[i];
      }
    }
    return out;
  }

  checkDuplicateVector(v: Vector): void {
    if (v.length < 2) return;
    const seen = new Set<string>();
    for (const s of v) {
      const k = labelsHash(s.metric);
      if (seen.has(k)) this.error("vector cannot contain metrics with the same labelset");
      seen.add(k);
    }
  }

  selectedSeries(vs: VectorSelector): SelectedSeries[] {
    return this.data.get(vs) ?? [];
  }

  /** An instant vector selector: the latest non-stale sample within the lookback window at each step. */
  evalVectorSelector(vs: VectorSelector, r: EvalRange, sampleTimestamps: boolean): StepMatrix {
    if (vs.smoothed && !sampleTimestamps) return this.evalSmoothedVectorSelector(vs, r);
    const at = this.atTime(vs);
    const offset = vs.offset;
    const lookback = this.opts.lookbackDelta;
    const n = numSteps(r);
    const out: StepMatrix = [];
    const start = r.start;
    const interval = r.interval;
    for (const s of this.selectedSeries(vs)) {
      this.checkContext();
      const ss = newStepSeries(s.labels, n);
      const points = instantSteps(s.t, s.v, (at ?? start) - offset, at === null ? interval : 0, n, lookback, sampleTimestamps, ss.f, ss.has);
      if (points > 0) {
        this.addSamples(points);
        out.push(ss);
      }
    }
    return out;
  }

  /** `x smoothed`: the value linearly interpolated between the samples around each step. */
  private evalSmoothedVectorSelector(vs: VectorSelector, r: EvalRange): StepMatrix {
    const at = this.atTime(vs);
    const lookback = this.opts.lookbackDelta;
    const n = numSteps(r);
    const out: StepMatrix = [];
    for (const s of this.prepareSelectorSeries(vs)) {
      const ss = newStepSeries(s.metric, n);
      let points = 0;
      for (let step = 0; step < n; step++) {
        const ref = (at ?? r.start + step * r.interval) - vs.offset;
        let prev = -1;
        while (prev + 1 < s.t.length && s.t[prev + 1] <= ref) prev++;
        if (prev < 0 || s.t[prev] <= ref - lookback) continue;
        const next = prev + 1;
        let f = s.f[prev];
        if (s.t[prev] !== ref && next < s.t.length) {
          f = s.f[prev] + ((s.f[next] - s.f[prev]) * (ref - s.t[prev])) / (s.t[next] - s.t[prev]);
        }
        ss.f[step] = f;
        ss.has[step] = 1;
        points++;
      }
      if (points > 0) {
        this.addSamples(points);
        out.push(ss);
      }
    }
    return out;
  }

  /** Series of a matrix selector with stale markers removed. */
  prepareSelectorSeries(vs: VectorSelector): PreparedSeries[] {
    return this.selectedSeries(vs).map(withoutStaleMarkers);
  }

  /** A matrix selector evaluated on its own (only valid for instant evaluation): raw samples. */
  evalMatrixSelector(ms: MatrixSelector, r: EvalRange): Matrix {
    const vs = ms.vectorSelector;
    const ref = (this.atTime(vs) ?? r.start) - vs.offset;
    const out: Matrix = [];
    for (const s of this.prepareSelectorSeries(vs)) {
      let lo = 0;
      while (lo < s.t.length && s.t[lo] <= ref - ms.range) lo++;
      let hi = lo;
      while (hi < s.t.length && s.t[hi] <= ref) hi++;
      if (hi > lo) {
        this.addSamples(hi - lo);
        out.push({ metric: s.metric, t: s.t.slice(lo, hi), f: s.f.slice(lo, hi) });
      }
    }
    return out;
  }

  /** The evaluation range of a subquery's inner expression (Prometheus's alignment). */
  subqueryRange(sq: SubqueryExpr, r: EvalRange): EvalRange {
    const at = this.atTime(sq);
    const outerStart = at ?? r.start;
    const outerEnd = at ?? r.end;
    const interval = sq.step !== 0 ? sq.step : this.opts.noStepSubqueryInterval(sq.range);
    const lo = outerStart - sq.offset - sq.range;
    // Go's integer division truncates towards zero.
    let start = interval * Math.trunc(lo / interval);
    if (start <= lo) start += interval;
    return { start, end: outerEnd - sq.offset, interval };
  }

  /** A subquery's inner result as raw series (points at the inner steps). */
  evalSubquerySeries(sq: SubqueryExpr, r: EvalRange): PreparedSeries[] {
    const inner = this.subqueryRange(sq, r);
    if (inner.end < inner.start) return [];
    const m = this.evalSteps(sq.expr, inner);
    return m.map((s) => {
      let n = 0;
      for (let i = 0; i < s.has.length; i++) n += s.has[i];
      const t = new Float64Array(n);
      const f = new Float64Array(n);
      let k = 0;
      for (let i = 0; i < s.has.length; i++) {
        if (!s.has[i]) continue;
        t[k] = inner.start + i * inner.interval;
        f[k] = s.f[i];
        k++;
      }
      return { metric: s.metric, t, f, dropName: s.dropName };
    });
  }

  private evalSubqueryRaw(sq: SubqueryExpr, r: EvalRange): Matrix {
    return this.evalSubquerySeries(sq, r)
      .filter((s) => s.t.length > 0)
      // The name is dropped by the engine's cleanup, which also merges or
      // rejects series that become equal without it.
      .map((s) => ({ metric: s.metric, t: s.t, f: s.f, dropName: s.dropName }));
  }

  /** Materializes the series a range function iterates over (matrix selector or subquery). */
  rangeArgSeries(arg: MatrixSelector | SubqueryExpr, r: EvalRange): PreparedSeries[] {
    if (arg.type === "matrixSelector") return this.prepareSelectorSeries(arg.vectorSelector);
    return this.evalSubquerySeries(arg, r).filter((s) => s.t.length > 0);
  }

  absentLabels(expr: Expr): Labels {
    return createLabelsForAbsentFunction(expr);
  }

  evalCall(call: Call, r: EvalRange): EvalResult {
    const name = call.func.name;
    if (name === "timestamp") {
      const a = unwrapParens(call.args[0]);
      if (a.type === "vectorSelector") {
        const m = this.evalVectorSelector(a, r, true);
        if (this.opts.enableDelayedNameRemoval) {
          for (const s of m) s.dropName = true;
          return m;
        }
        // Series that differ only in their names now collide where both have a point.
        for (const s of m) s.metric = dropMetricName(s.metric);
        return this.mergeSameLabelset(m);
      }
    }
    const elementwise = evalElementwise(this, call, r) ?? evalSortSteps(this, call, r);
    if (elementwise !== null) return elementwise;
    if (name === "histogram_quantile") {
      const m = evalHistogramQuantileSteps(this, call, r);
      if (m !== null) return m;
    }
    if (name === "label_replace") return evalLabelReplace(this, call, r);
    if (name === "label_join") return evalLabelJoin(this, call, r);
    if (name === "info") return evalInfo(this, call, r);

    for (let i = 0; i < call.args.length; i++) {
      const a = unwrapParens(call.args[i]);
      if (a.type === "matrixSelector" || a.type === "subquery") return evalRangeFunction(this, call, r, i, a);
    }
    const impl = FUNCTION_IMPLS[name];
    if (!impl) this.error(`function "${name}" is not implemented`);
    return rangeEval(this, r, (vals, enh) => impl(vals, call, enh), call.args);
  }

  /** Prometheus's rangeEval (see range-eval.ts). */
  rangeEval(r: EvalRange, fn: (vals: FnArg[], enh: StepContext) => Vector, args: Expr[]): StepMatrix {
    return rangeEval(this, r, fn, args);
  }
}

/**
 * An instant selector over one series at every step: the latest sample at or
 * before the step's reference time (firstRef + step * refStep, ms) and within
 * the lookback delta, unless it is a staleness marker; with sampleTimestamps,
 * that sample's time in seconds instead (timestamp()). Writes outF/outHas and
 * returns the number of points. A function of its own, called per series, so
 * that V8 optimizes it early and keeps its doubles unboxed.
 */
function instantSteps(
  t: Float64Array,
  v: Float64Array,
  firstRef: number,
  refStep: number,
  n: number,
  lookback: number,
  sampleTimestamps: boolean,
  outF: Float64Array,
  outHas: Uint8Array,
): number {
  const len = t.length;
  let points = 0;
  let j = -1; // index of the last sample with t <= ref
  for (let step = 0; step < n; step++) {
    const ref = firstRef + step * refStep;
    while (j + 1 < len && t[j + 1] <= ref) j++;
    if (j < 0 || t[j] <= ref - lookback) continue;
    const x = v[j];
    // Staleness markers are NaNs with a particular bit pattern.
    if (x !== x && isStaleAt(v, j)) continue;
    outF[step] = sampleTimestamps ? t[j] / 1000 : x;
    outHas[step] = 1;
    points++;
  }
  return points;
}

/** A selected series without its staleness markers (the same arrays when it has none). */
export function withoutStaleMarkers(s: SelectedSeries): PreparedSeries {
  const v = s.v;
  let stale = 0;
  if (mayHoldNaN(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== x && isStaleAt(v, i)) stale++;
    }
  }
  if (stale === 0) return { metric: s.labels, t: s.t, f: v };
  const t = new Float64Array(s.t.length - stale);
  const f = new Float64Array(s.t.length - stale);
  let k = 0;
  for (let i = 0; i < v.length; i++) {
    if (isStaleAt(v, i)) continue;
    t[k] = s.t[i];
    f[k] = v[i];
    k++;
  }
  return { metric: s.labels, t, f };
}

/**
 * Whether an array may hold a NaN (a staleness marker, say): false
 * guarantees it holds none. A NaN makes the sum NaN; so do +Inf and -Inf
 * together, which only costs the caller an exact scan. Four running sums
 * keep the loop free of a per-element branch and of one long dependency chain.
 */
function mayHoldNaN(v: Float64Array): boolean {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < v.length; i += 4) {
    a += v[i];
    b += v[i + 1];
    c += v[i + 2];
    d += v[i + 3];
  }
  for (; i < v.length; i++) a += v[i];
  return Number.isNaN(a + b + c + d);
}

export function unwrapParens(e: Expr): Expr {
  while (e.type === "parenExpr") e = e.expr;
  return e;
}

/** Labels for absent()/absent_over_time(): the equality matchers of a plain selector (Go's createLabelsForAbsentFunction). */
export function createLabelsForAbsentFunction(expr: Expr): Labels {
  const e = unwrapParens(expr);
  let vs: VectorSelector | null = null;
  if (e.type === "vectorSelector") vs = e;
  else if (e.type === "matrixSelector") vs = e.vectorSelector;
  if (!vs) return [];
  const m = new Map<string, string>();
  const has = new Set<string>();
  for (const mt of vs.matchers) {
    if (mt.name === "__name__") continue;
    if (mt.type === "=" && !has.has(mt.name)) {
      m.set(mt.name, mt.value);
      has.add(mt.name);
    } else m.delete(mt.name);
  }
  return [...m.entries()]
    .filter(([, v]) => v !== "")
    .sort((a, b) => compareStrings(a[0], b[0]))
    .map(([name, value]) => ({ name, value }));
}

