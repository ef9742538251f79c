// Function implementations, keyed by the same names as the parser's
// signature table (server/promql/parser/functions.ts), as Prometheus's
// FunctionCalls map mirrors parser.Functions.
//
// `label_replace`, `label_join` and `info` work on whole series and are
// evaluated by the evaluator itself (see label.ts, info.ts).

import type { Call, Expr } from "../../parser/ast";
import type { Labels } from "../../../storage/labels/labels";
import type { StepContext } from "../evaluator";
import type { Vector } from "../value";
import { MATH_FUNCTIONS } from "./math";
import { OVER_TIME_FUNCTIONS } from "./over-time";
import { RATE_FUNCTIONS } from "./rate";
import { HISTOGRAM_FUNCTIONS } from "./histogram";
import { TIME_FUNCTIONS } from "./time";
import { SORT_FUNCTIONS } from "./sort";

/**
 * The samples of one series inside a range window, as index bounds into the
 * series' full (stale-free) arrays: samples lo..hi-1 lie in (rangeStart, rangeEnd].
 * Samples outside the window are reachable for the anchored/smoothed modifiers.
 */
export interface Window {
  metric: Labels;
  /** Sample times, ms. */
  t: Float64Array;
  f: Float64Array;
  lo: number;
  hi: number;
  /** Window bounds, ms (exclusive start, inclusive end). */
  rangeStart: number;
  rangeEnd: number;
  /** Range of the selector or subquery, ms. */
  range: number;
  /** The matrix selector or subquery (for annotation positions). */
  node: Expr;
  anchored: boolean;
  smoothed: boolean;
  /** True on the first call for a series (for once-per-series annotations). */
  firstCall: boolean;
  /** Per-series scratch data a function may compute on its first call (reset per series). */
  cache: Int32Array | null;
}

/** A function argument at one step: instant vector, range window, scalar or string. */
export type FnArg = Vector | Window | number | string;

/** A function over instant vectors and scalars: called once per step. */
export type FunctionImpl = (args: FnArg[], call: Call, enh: StepContext) => Vector;

/**
 * A function over a range vector: called per series and step with the
 * window (at `args[i]` for the range argument, other arguments as at that
 * step); returns the value, or undefined for no result.
 */
export type WindowFunction = (w: Window, args: FnArg[], call: Call, enh: StepContext) => number | undefined;

export const FUNCTION_IMPLS: Readonly<Record<string, FunctionImpl>> = {
  ...MATH_FUNCTIONS,
  ...HISTOGRAM_FUNCTIONS,
  ...TIME_FUNCTIONS,
  ...SORT_FUNCTIONS,
};

export const WINDOW_FUNCTIONS: Readonly<Record<string, WindowFunction>> = {
  ...OVER_TIME_FUNCTIONS,
  ...RATE_FUNCTIONS,
};
