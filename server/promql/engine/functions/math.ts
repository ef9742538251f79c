// Instant-vector math functions, scalar()/vector(), clamp, round, absent.

import type { FunctionImpl } from "./index";
import type { Vector } from "../value";
import { simpleFloatFunc, dropNameSample } from "./util";
import { createLabelsForAbsentFunction } from "../evaluator";

const simple = (f: (v: number) => number): FunctionImpl => (args, _call, enh) => simpleFloatFunc(args[0] as Vector, enh, f);

function goLog2(x: number): number {
  return Math.log2(x);
}

export const MATH_FUNCTIONS: Record<string, FunctionImpl> = {
  // abs(v instant-vector) → instant-vector
  abs: simple(Math.abs),
  ceil: simple(Math.ceil),
  floor: simple(Math.floor),
  exp: simple(Math.exp),
  sqrt: simple(Math.sqrt),
  ln: simple(Math.log),
  log2: simple(goLog2),
  log10: simple(Math.log10),
  sin: simple(Math.sin),
  cos: simple(Math.cos),
  tan: simple(Math.tan),
  asin: simple(Math.asin),
  acos: simple(Math.acos),
  atan: simple(Math.atan),
  sinh: simple(Math.sinh),
  cosh: simple(Math.cosh),
  tanh: simple(Math.tanh),
  asinh: simple(Math.asinh),
  acosh: simple(Math.acosh),
  atanh: simple(Math.atanh),
  // deg(v instant-vector) → instant-vector
  deg: simple((v) => (v * 180) / Math.PI),
  rad: simple((v) => (v * Math.PI) / 180),
  // sgn(v instant-vector) → instant-vector
  sgn: simple((v) => (v < 0 ? -1 : v > 0 ? 1 : v)),
  // pi() → scalar
  pi: () => [{ metric: [], t: 0, f: Math.PI }],
  // round(v instant-vector, to_nearest=1 scalar) → instant-vector
  round: (args, _call, enh) => {
    const toNearest = args.length >= 2 ? (args[1] as number) : 1;
    // Prometheus inverts first, which causes fewer floating point accuracy issues.
    const inv = 1 / toNearest;
    return simpleFloatFunc(args[0] as Vector, enh, (f) => Math.floor(f * inv + 0.5) / inv);
  },
  // clamp(v instant-vector, min scalar, max scalar) → instant-vector
  clamp: (args, _call, enh) => {
    const min = args[1] as number;
    const max = args[2] as number;
    if (max < min) return [];
    return simpleFloatFunc(args[0] as Vector, enh, (f) => Math.max(min, Math.min(max, f)));
  },
  clamp_max: (args, _call, enh) => {
    const max = args[1] as number;
    return simpleFloatFunc(args[0] as Vector, enh, (f) => Math.max(-Infinity, Math.min(max, f)));
  },
  clamp_min: (args, _call, enh) => {
    const min = args[1] as number;
    return simpleFloatFunc(args[0] as Vector, enh, (f) => Math.max(min, Math.min(Infinity, f)));
  },
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
