// The query engine: parses, resolves duration expressions, selects data
// through the Querier, evaluates, and converts errors and annotations in one
// place (Prometheus's Engine.exec).

import type { DurationNode, Expr, SubqueryExpr, VectorSelector } from "../parser/ast";
import { children, exprType, documentedType } from "../parser/ast";
import { infoSpec } from "./functions/info";
import { parseExpr, type ParserOptions } from "../parser/parser";
import { compareLabels } from "../../storage/labels/labels";
import { newMatcher } from "../../storage/labels/matcher";
import type { Querier, SelectedSeries } from "./querier";
import type { Matrix, QueryValue, Series, Vector } from "./value";
import { Evaluator, type EvalRange } from "./evaluator";
import { withStepArena } from "./range-eval";
import { BadQueryError, QueryExecutionError, StorageError } from "./errors";
import { dropMetricName, labelsHash } from "./labels";
import { goPow } from "./binop";

export interface EngineOptions {
  /** How far back an instant selector looks for a sample, ms (default 5m). */
  lookbackDelta?: number;
  /** Max samples loaded at once (default 50,000,000). */
  maxSamples?: number;
  /** Query timeout, ms (default 2m). */
  timeout?: number;
  /** Max queries evaluated at once (default 20); others wait. */
  maxConcurrent?: number;
  /** Default subquery step, ms (Prometheus: the global evaluation interval, default 1m). */
  defaultSubqueryStep?: number;
  /** --enable-feature=promql-experimental-functions (also limitk/limit_ratio). */
  enableExperimentalFunctions?: boolean;
  /** --enable-feature=promql-duration-expr */
  experimentalDurationExpr?: boolean;
  /** --enable-feature=promql-extended-range-selectors (anchored, smoothed). */
  enableExtendedRangeSelectors?: boolean;
  /** --enable-feature=promql-binop-fill-modifiers */
  enableBinopFillModifiers?: boolean;
  /** --enable-feature=promql-delayed-name-removal */
  enableDelayedNameRemoval?: boolean;
  /** --enable-feature=type-and-unit-labels */
  enableTypeAndUnitLabels?: boolean;
}

/** Every experimental switch on, as the conformance tests run. */
export const ALL_FEATURES: EngineOptions = {
  enableExperimentalFunctions: true,
  experimentalDurationExpr: true,
  enableExtendedRangeSelectors: true,
  enableBinopFillModifiers: true,
  enableDelayedNameRemoval: true,
  enableTypeAndUnitLabels: true,
};

export interface QueryStats {
  /** Samples touched during evaluation. */
  totalQueryableSamples: number;
  peakSamples: number;
}

export interface QueryResult {
  value: QueryValue;
  annotations: { warnings: string[]; infos: string[] };
  stats: QueryStats;
}

export interface QueryOpts {
  signal?: AbortSignal;
  /** Overrides the engine's lookback delta for this query, ms. */
  lookbackDelta?: number;
}

/** The PromQL engine. */
export class Engine {
  readonly opts: Required<EngineOptions>;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly querier: Querier,
    opts: EngineOptions = {},
  ) {
    this.opts = {
      lookbackDelta: 5 * 60_000,
      maxSamples: 50_000_000,
      timeout: 2 * 60_000,
      maxConcurrent: 20,
      defaultSubqueryStep: 60_000,
      enableExperimentalFunctions: false,
      experimentalDurationExpr: false,
      enableExtendedRangeSelectors: false,
      enableBinopFillModifiers: false,
      enableDelayedNameRemoval: false,
      enableTypeAndUnitLabels: false,
      ...opts,
    };
  }

  /** The parser options matching this engine's feature flags. */
  parserOptions(): ParserOptions {
    return {
      enableExperimentalFunctions: this.opts.enableExperimentalFunctions,
      experimentalDurationExpr: this.opts.experimentalDurationExpr,
      enableExtendedRangeSelectors: this.opts.enableExtendedRangeSelectors,
      enableBinopFillModifiers: this.opts.enableBinopFillModifiers,
    };
  }

  /** Evaluates `qs` at one instant (`timeMs`, ms). */
  async instantQuery(qs: string, timeMs: number, o: QueryOpts = {}): Promise<QueryResult> {
    const expr = parseExpr(qs, this.parserOptions());
    return this.exec(qs, expr, timeMs, timeMs, 0, o);
  }

  /** Evaluates `qs` at every step from startMs to endMs (all ms). */
  async rangeQuery(qs: string, startMs: number, endMs: number, stepMs: number, o: QueryOpts = {}): Promise<QueryResult> {
    const expr = parseExpr(qs, this.parserOptions());
    if (stepMs <= 0) throw new BadQueryError("zero or negative query resolution step widths are not accepted. Try a positive integer");
    if (endMs < startMs) throw new BadQueryError("end timestamp must not be before start time");
    const t = exprType(expr);
    if (t !== "vector" && t !== "scalar") {
      throw new BadQueryError(`invalid expression type "${documentedType(t)}" for range query, must be Scalar or instant Vector`);
    }
    return this.exec(qs, expr, startMs, endMs, stepMs, o);
  }

  private async acquire(): Promise<void> {
    if (this.active < this.opts.maxConcurrent) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }

  private async exec(qs: string, expr: Expr, start: number, end: number, step: number, o: QueryOpts): Promise<QueryResult> {
    await this.acquire();
    try {
      const lookbackDelta = o.lookbackDelta ?? this.opts.lookbackDelta;
      resolveDurations(expr, step, end - start);
      const data = await selectData(this.querier, expr, start, end, lookbackDelta);
      const ev = new Evaluator(
        qs,
        {
          lookbackDelta,
          maxSamples: this.opts.maxSamples,
          enableDelayedNameRemoval: this.opts.enableDelayedNameRemoval,
          enableTypeAndUnitLabels: this.opts.enableTypeAndUnitLabels,
          noStepSubqueryInterval: () => this.opts.defaultSubqueryStep,
          deadline: Date.now() + this.opts.timeout,
          signal: o.signal,
        },
        data,
        start,
        end,
        step,
      );
      const r: EvalRange = { start, end, interval: step === 0 ? 1 : step };
      // Evaluation and the copy of its result run synchronously inside one
      // step arena, so the step arrays are recycled for the next query.
      const value = withStepArena((): QueryValue => {
        ev.checkContext(true);
        const res = ev.eval(expr, r);
        ev.checkContext(true);
        const type = exprType(expr);
        if (!Array.isArray(res)) {
          return res.type === "string" ? { type: "string", value: { t: start, v: res.value } } : { type: "matrix", value: cleanupMatrix(ev, res.value) };
        } else if (step === 0) {
          if (type === "scalar") return { type: "scalar", value: { t: start, v: res.length > 0 && res[0].has[0] ? res[0].f[0] : NaN } };
          else {
            const vec: Vector = [];
            for (const s of res) if (s.has[0]) vec.push({ metric: s.metric, t: start, f: s.f[0], dropName: s.dropName });
            return { type: "vector", value: cleanupVector(ev, vec) };
          }
        } else {
          // Output points go into blocks shared by several series (each
          // series gets views). Fresh memory costs a page fault per 4 KiB,
          // more than filling it, so the output is kept small (see stepTimes)
          // and blocks stay under glibc's 128 KiB mmap threshold.
          const counts = new Int32Array(res.length);
          for (let i = 0; i < res.length; i++) {
            const has = res[i].has;
            let c = 0;
            for (let j = 0; j < has.length; j++) c += has[j];
            counts[i] = c;
          }
          const n = res.length > 0 ? res[0].has.length : 0;
          const stepTimes = new Float64Array(n);
          for (let j = 0; j < n; j++) stepTimes[j] = start + j * step;
          const mat: Matrix = [];
          let tBlock = new Float64Array(0);
          let fBlock = new Float64Array(0);
          let tPos = 0;
          let fPos = 0;
          for (let i = 0; i < res.length; i++) {
            const s = res[i];
            const c = counts[i];
            if (c === 0 && type !== "scalar") continue;
            if (fPos + c > fBlock.length) {
              fBlock = new Float64Array(Math.max(c, OUTPUT_BLOCK));
              fPos = 0;
            }
            const f = fBlock.subarray(fPos, fPos + c);
            fPos += c;
            let t: Float64Array;
            if (c === n) {
              // A point at every step (the usual case): all such series
              // share one timestamp array, which halves the output memory.
              t = stepTimes;
              const sf = s.f;
              for (let j = 0; j < n; j++) f[j] = sf[j];
            } else {
              if (tPos + c > tBlock.length) {
                tBlock = new Float64Array(Math.max(c, OUTPUT_BLOCK));
                tPos = 0;
              }
              t = tBlock.subarray(tPos, tPos + c);
              tPos += c;
              const has = s.has;
              const sf = s.f;
              let k = 0;
              for (let j = 0; j < n; j++) {
                if (has[j] === 0) continue;
                t[k] = stepTimes[j];
                f[k] = sf[j];
                k++;
              }
            }
            mat.push({ metric: type === "scalar" ? [] : s.metric, t, f, dropName: s.dropName });
          }
          const cleaned = type === "scalar" ? mat.slice(0, 1) : cleanupMatrix(ev, mat);
          cleaned.sort((a, b) => compareLabels(a.metric, b.metric));
          return { type: "matrix", value: cleaned };
        }
      });
      return {
        value,
        annotations: { warnings: [...ev.warnings], infos: [...ev.infos] },
        stats: { totalQueryableSamples: ev.totalSamples, peakSamples: ev.currentSamples },
      };
    } finally {
      this.release();
    }
  }
}

/** Doubles per output block: 117 KiB, under glibc's default mmap threshold. */
const OUTPUT_BLOCK = 15_000;

/** Delayed `__name__` removal at the end of the query (Prometheus's cleanupMetricLabels). */
function cleanupVector(ev: Evaluator, vec: Vector): Vector {
  for (const s of vec) {
    if (s.dropName) s.metric = dropMetricName(s.metric);
    delete s.dropName;
  }
  ev.checkDuplicateVector(vec);
  return vec;
}

function cleanupMatrix(ev: Evaluator, mat: Matrix): Matrix {
  // Series are unique until names are dropped here; without that, nothing can collide.
  if (!mat.some((s) => s.dropName)) return mat.map((s) => ({ metric: s.metric, t: s.t, f: s.f }));
  const byKey = new Map<string, Series>();
  const out: Matrix = [];
  for (const s of mat) {
    const metric = s.dropName ? dropMetricName(s.metric) : s.metric;
    const k = labelsHash(metric);
    const prev = byKey.get(k);
    if (!prev) {
      const c = { metric, t: s.t, f: s.f };
      byKey.set(k, c);
      out.push(c);
      continue;
    }
    // Series that only became equal by dropping their names may be merged
    // when their points do not overlap.
    const merged = mergePoints(prev, s);
    if (merged === null) ev.error("vector cannot contain metrics with the same labelset");
    prev.t = merged.t;
    prev.f = merged.f;
  }
  return out;
}

/** The points of two series in time order, or null when both have a point at the same time. */
function mergePoints(a: Series, b: Series): { t: Float64Array; f: Float64Array } | null {
  const n = a.t.length + b.t.length;
  const t = new Float64Array(n);
  const f = new Float64Array(n);
  let i = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    if (j >= b.t.length || (i < a.t.length && a.t[i] < b.t[j])) {
      t[k] = a.t[i];
      f[k] = a.f[i++];
    } else if (i >= a.t.length || b.t[j] < a.t[i]) {
      t[k] = b.t[j];
      f[k] = b.f[j++];
    } else return null;
  }
  return { t, f };
}

// ---------------------------------------------------------------------------
// Duration expressions

function evalDuration(n: DurationNode, stepMs: number, rangeMs: number): number {
  if (n.type === "numberLiteral") return n.val;
  const l = n.lhs ? evalDuration(n.lhs, stepMs, rangeMs) : 0;
  const r = n.rhs ? evalDuration(n.rhs, stepMs, rangeMs) : 0;
  switch (n.op) {
    case "step":
      return stepMs / 1000;
    case "range":
      return rangeMs / 1000;
    case "min":
    case "min_of":
      return Math.min(l, r);
    case "max":
    case "max_of":
      return Math.max(l, r);
    case "+":
      return n.lhs ? l + r : r;
    case "-":
      return n.lhs ? l - r : -r;
    case "*":
      return l * r;
    case "/":
      if (r === 0) throw new QueryExecutionError("division by zero");
      return l / r;
    case "%":
      if (r === 0) throw new QueryExecutionError("modulo by zero");
      return l % r;
    case "^":
      return goPow(l, r);
  }
}

function durationMs(n: DurationNode, stepMs: number, rangeMs: number, allowNegative: boolean): number {
  const secs = evalDuration(n, stepMs, rangeMs);
  if (secs <= 0 && !allowNegative) throw new QueryExecutionError("duration must be greater than 0");
  return Math.trunc(secs * 1000);
}

/** Replaces duration expressions with their values (Prometheus's durationVisitor). */
function resolveDurations(expr: Expr, stepMs: number, rangeMs: number): void {
  const visit = (e: Expr): void => {
    switch (e.type) {
      case "vectorSelector":
        if (e.offsetExpr) e.offset = durationMs(e.offsetExpr, stepMs, rangeMs, true);
        return;
      case "matrixSelector":
        if (e.rangeExpr) e.range = durationMs(e.rangeExpr, stepMs, rangeMs, false);
        visit(e.vectorSelector);
        return;
      case "subquery":
        if (e.rangeExpr) e.range = durationMs(e.rangeExpr, stepMs, rangeMs, false);
        if (e.stepExpr) e.step = durationMs(e.stepExpr, stepMs, rangeMs, false);
        if (e.offsetExpr) e.offset = durationMs(e.offsetExpr, stepMs, rangeMs, true);
        visit(e.expr);
        return;
      case "aggregation":
        visit(e.expr);
        if (e.param) visit(e.param);
        return;
      case "binaryExpr":
        visit(e.lhs);
        visit(e.rhs);
        return;
      case "call":
        e.args.forEach(visit);
        return;
      case "parenExpr":
      case "unaryExpr":
        visit(e.expr);
        return;
      default:
        return;
    }
  };
  visit(expr);
}

// ---------------------------------------------------------------------------
// Data selection

/**
 * Selects the data of every selector before evaluation, over the time range
 * the selector can touch (Prometheus's getTimeRangesForSelector, widened by
 * the lookback delta for the anchored/smoothed modifiers).
 */
async function selectData(
  querier: Querier,
  expr: Expr,
  start: number,
  end: number,
  lookbackDelta: number,
): Promise<Map<VectorSelector, SelectedSeries[]>> {
  const jobs: { vs: VectorSelector; mint: number; maxt: number }[] = [];
  const atOf = (n: { timestamp: number | null; startOrEnd: "start" | "end" | null }): number | null =>
    n.timestamp !== null ? n.timestamp : n.startOrEnd === "start" ? start : n.startOrEnd === "end" ? end : null;
  const visit = (e: Expr, path: SubqueryExpr[], evalRange: number): void => {
    switch (e.type) {
      case "vectorSelector": {
        let s = start;
        let en = end;
        let subOffset = 0;
        let subRange = 0;
        let subTs: number | null = null;
        for (const sq of path) {
          subOffset += sq.offset;
          subRange += sq.range;
          const at = atOf(sq);
          if (at !== null) {
            subOffset = sq.offset;
            subRange = sq.range;
            subTs = at;
          }
        }
        if (subTs !== null) {
          s = subTs;
          en = subTs;
        }
        const at = atOf(e);
        if (at !== null) {
          s = at;
          en = at;
        } else {
          s = s - subOffset - subRange;
          en -= subOffset;
        }
        s -= evalRange === 0 ? lookbackDelta : evalRange + (e.anchored || e.smoothed ? lookbackDelta : 0);
        if (e.smoothed) en += lookbackDelta;
        s -= e.offset;
        en -= e.offset;
        // Subquery steps are aligned to multiples of the step, which can reach one step further back.
        if (path.length > 0) s -= 60_000 + path.reduce((a, sq) => a + sq.step, 0);
        jobs.push({ vs: e, mint: s, maxt: en });
        return;
      }
      case "matrixSelector":
        visit(e.vectorSelector, path, e.range);
        return;
      case "subquery":
        visit(e.expr, [...path, e], 0);
        return;
      case "aggregation":
        visit(e.expr, path, 0);
        if (e.param) visit(e.param, path, 0);
        return;
      case "binaryExpr":
        visit(e.lhs, path, 0);
        visit(e.rhs, path, 0);
        return;
      case "call":
        if (e.func.name === "info") {
          visit(e.args[0], path, 0);
          jobs.push({ vs: infoSpec(e).selector, ...infoTimeRange(e.args[0]) });
          return;
        }
        for (const a of e.args) visit(a, path, 0);
        return;
      case "parenExpr":
      case "unaryExpr":
        visit(e.expr, path, evalRange);
        return;
      default:
        return;
    }
  };
  // info() reads its info series at the base expression's (shifted) times.
  const infoTimeRange = (base: Expr): { mint: number; maxt: number } => {
    let lo = start;
    let hi = end;
    let back = lookbackDelta;
    let fwd = 0;
    const note = (n: { timestamp: number | null; startOrEnd: "start" | "end" | null; offset: number }) => {
      const at = atOf(n);
      if (at !== null) {
        lo = Math.min(lo, at);
        hi = Math.max(hi, at);
      }
      if (n.offset > 0) back += n.offset;
      else fwd -= n.offset;
    };
    const walkBase = (x: Expr): void => {
      if (x.type === "vectorSelector") note(x);
      else if (x.type === "subquery") {
        note(x);
        back += x.range;
      } else if (x.type === "matrixSelector") back += x.range;
      for (const c of children(x)) walkBase(c);
    };
    walkBase(base);
    return { mint: lo - back, maxt: hi + fwd };
  };
  visit(expr, [], 0);
  const out = new Map<VectorSelector, SelectedSeries[]>();
  await Promise.all(
    jobs.map(async (j) => {
      const matchers = j.vs.matchers.map((m) => newMatcher(m.type, m.name, m.value));
      try {
        out.set(j.vs, await querier.select(matchers, j.mint, j.maxt));
      } catch (err) {
        throw new StorageError(err);
      }
    }),
  );
  return out;
}
