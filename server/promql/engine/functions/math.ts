// Instant-vector math functions, scalar()/vector(), clamp, round, absent.

import type { FunctionImpl } from "./index";
import type { Vector } from "../value";
import { simpleFloatFunc, dropNameSample } from "./util";
import { createLabelsForAbsentFunction } from "../evaluator";

function goLog2(x: number): number {
  return Math.log2(x);
}

/**
 * A function applied to each element of its instant-vector argument on its
 * own, dropping the metric name (Go's simpleFloatFunc and its kin): given the
 * step's scalar arguments, the mapping of each value, or null when the step
 * has no output. The evaluator applies these series by series over a range
 * (elementwise-eval.ts); FUNCTION_IMPLS applies them step by step.
 */
export type ElementMapper = (scalars: readonly number[]) => ((v: number) => number) | null;

const same = (f: (v: number) => number): ElementMapper => () => f;

export const MATH_ELEMENTWISE: Record<string, ElementMapper> = {
  // abs(v instant-vector) → instant-vector
  abs: same(Math.abs),
  ceil: same(Math.ceil),
  floor: same(Math.floor),
  exp: same(Math.exp),
  sqrt: same(Math.sqrt),
  ln: same(Math.log),
  log2: same(goLog2),
  log10: same(Math.log10),
  sin: same(Math.sin),
  cos: same(Math.cos),
  tan: same(Math.tan),
  asin: same(Math.asin),
  acos: same(Math.acos),
  atan: same(Math.atan),
  sinh: same(Math.sinh),
  cosh: same(Math.cosh),
  tanh: same(Math.tanh),
  asinh: same(Math.asinh),
  acosh: same(Math.acosh),
  atanh: same(Math.atanh),
  // deg(v instant-vector) → instant-vector
  deg: same((v) => (v * 180) / Math.PI),
  rad: same((v) => (v * Math.PI) / 180),
  // sgn(v instant-vector) → instant-vector
  sgn: same((v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  // round(v instant-vector, to_nearest=1 scalar) → instant-vector
  round: ([toNearest = 1]) => {
    // Prometheus inverts first, which causes fewer floating point accuracy issues.
    const inv = 1 / toNearest;
    return (f) => Math.floor(f * inv + 0.5) / inv;
  },
  // clamp(v instant-vector, min scalar, max scalar) → instant-vector
  clamp: ([min, max]) => (max < min ? null : (f) => Math.max(min, Math.min(max, f))),
  clamp_max: ([max]) => (f) => Math.max(-Infinity, Math.min(max, f)),
  clamp_min: ([min]) => (f) => Math.max(min, Math.min(Infinity, f)),
};

/** An ElementMapper as a per-step function implementation. */
export function elementwiseImpl(mapper: ElementMapper): FunctionImpl {
  return (args, _call, enh) => {
    const f = mapper(args.slice(1) as number[]);
    return f === null ? [] : simpleFloatFunc(args[0] as Vector, enh, f);
  };
}

export const MATH_FUNCTIONS: Record<string, FunctionImpl> = {
  ...Object.fromEntries(Object.entries(MATH_ELEMENTWISE).map(([name, m]) => [name, elementwiseImpl(m)])),
  // pi() → scalar
  pi: () => [{ metric: [], t: 0, f: Math.PI }],
  // scalar(v instant-vector) → scalar
  scalar: (args) => {
    const v = args[0] as Vector;
    return [{ metric: [], t: 0, f: v.length === 1 ? v[0].f : NaN }];
  },
  // vector(s scalar) → instant-vector
  vector: (args, _call, enh) => [{ metric: [], t: enh.ts, f: args[0] as number }],
  // absent(v instant-vector) → instant-vector
  absent: (args, call, enh) => {
    if ((args[0] as Vector).length > 0) return [];
    return [{ metric: createLabelsForAbsentFunction(call.args[0]), t: enh.ts, f: 1 }];
  },
  // timestamp(v instant-vector) → instant-vector (selector arguments are handled by the evaluator)
  timestamp: (args, _call, enh) => (args[0] as Vector).map((s) => dropNameSample(enh, s, s.t / 1000)),
  // min_of(a scalar, b scalar) → scalar
  min_of: (args) => [{ metric: [], t: 0, f: Math.min(args[0] as number, args[1] as number) }],
  max_of: (args) => [{ metric: [], t: 0, f: Math.max(args[0] as number, args[1] as number) }],
};
