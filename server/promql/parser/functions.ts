// PromQL function and aggregation signatures (type checking only).
//
// As in Prometheus, signatures live on the parser side and implementations on
// the engine side (`server/promql/engine/functions/*`), in two tables keyed by
// the same name. `variadic` follows Go's `Function.Variadic`: 0 = exactly
// `argTypes.length` arguments; n > 0 = the last argument type may repeat up to
// n more times, and the last declared argument is optional; -1 = unlimited.

import type { AggregateOp, ValueType } from "./ast";

export interface FunctionSignature {
  name: string;
  argTypes: ValueType[];
  variadic: number;
  returnType: ValueType;
  /** Needs `enableExperimentalFunctions` (Prometheus: --enable-feature=promql-experimental-functions). */
  experimental: boolean;
}

const V: ValueType = "vector";
const M: ValueType = "matrix";
const S: ValueType = "scalar";
const STR: ValueType = "string";

function fn(
  name: string,
  argTypes: ValueType[],
  returnType: ValueType,
  opts: { variadic?: number; experimental?: boolean } = {},
): FunctionSignature {
  return { name, argTypes, variadic: opts.variadic ?? 0, returnType, experimental: opts.experimental ?? false };
}

const exp = { experimental: true };

const LIST: FunctionSignature[] = [
  fn("abs", [V], V),
  fn("absent", [V], V),
  fn("absent_over_time", [M], V),
  fn("acos", [V], V),
  fn("acosh", [V], V),
  fn("asin", [V], V),
  fn("asinh", [V], V),
  fn("atan", [V], V),
  fn("atanh", [V], V),
  fn("avg_over_time", [M], V),
  fn("ceil", [V], V),
  fn("changes", [M], V),
  fn("clamp", [V, S, S], V),
  fn("clamp_max", [V, S], V),
  fn("clamp_min", [V, S], V),
  fn("cos", [V], V),
  fn("cosh", [V], V),
  fn("count_over_time", [M], V),
  fn("day_of_month", [V], V, { variadic: 1 }),
  fn("day_of_week", [V], V, { variadic: 1 }),
  fn("day_of_year", [V], V, { variadic: 1 }),
  fn("days_in_month", [V], V, { variadic: 1 }),
  fn("deg", [V], V),
  fn("delta", [M], V),
  fn("deriv", [M], V),
  fn("double_exponential_smoothing", [M, S, S], V, exp),
  fn("end", [], S, exp),
  fn("exp", [V], V),
  // first_over_time became stable in Prometheus 3.x (it started as experimental).
  fn("first_over_time", [M], V),
  fn("floor", [V], V),
  fn("histogram_avg", [V], V),
  fn("histogram_count", [V], V),
  fn("histogram_fraction", [S, S, V], V),
  fn("histogram_quantile", [S, V], V),
  fn("histogram_quantiles", [V, STR, S], V, { variadic: -1, experimental: true }),
  fn("histogram_stddev", [V], V),
  fn("histogram_stdvar", [V], V),
  fn("histogram_sum", [V], V),
  fn("hour", [V], V, { variadic: 1 }),
  fn("idelta", [M], V),
  fn("increase", [M], V),
  fn("info", [V, V], V, { variadic: 1, experimental: true }),
  fn("irate", [M], V),
  fn("label_join", [V, STR, STR, STR], V, { variadic: -1 }),
  fn("label_replace", [V, STR, STR, STR, STR], V),
  fn("last_over_time", [M], V),
  fn("ln", [V], V),
  fn("log10", [V], V),
  fn("log2", [V], V),
  fn("mad_over_time", [M], V, exp),
  fn("max_of", [S, S], S, exp),
  fn("max_over_time", [M], V),
  fn("min_of", [S, S], S, exp),
  fn("min_over_time", [M], V),
  fn("minute", [V], V, { variadic: 1 }),
  fn("month", [V], V, { variadic: 1 }),
  fn("pi", [], S),
  fn("predict_linear", [M, S], V),
  fn("present_over_time", [M], V),
  fn("quantile_over_time", [S, M], V),
  fn("rad", [V], V),
  fn("range", [], S, exp),
  fn("rate", [M], V),
  fn("resets", [M], V),
  fn("round", [V, S], V, { variadic: 1 }),
  fn("scalar", [V], S),
  fn("sgn", [V], V),
  fn("sin", [V], V),
  fn("sinh", [V], V),
  fn("sort", [V], V),
  fn("sort_by_label", [V, STR], V, { variadic: -1, experimental: true }),
  fn("sort_by_label_desc", [V, STR], V, { variadic: -1, experimental: true }),
  fn("sort_desc", [V], V),
  fn("sqrt", [V], V),
  fn("start", [], S, exp),
  fn("start_timestamp", [V], V, exp),
  fn("stddev_over_time", [M], V),
  fn("stdvar_over_time", [M], V),
  fn("step", [], S, exp),
  fn("sum_over_time", [M], V),
  fn("tan", [V], V),
  fn("tanh", [V], V),
  fn("time", [], S),
  fn("timestamp", [V], V),
  fn("ts_of_first_over_time", [M], V, exp),
  fn("ts_of_last_over_time", [M], V, exp),
  fn("ts_of_max_over_time", [M], V, exp),
  fn("ts_of_min_over_time", [M], V, exp),
  fn("vector", [S], V),
  fn("year", [V], V, { variadic: 1 }),
];

/** Every PromQL function Vigil knows, keyed by name (names are case-sensitive). */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = Object.freeze(
  Object.fromEntries(LIST.map((f) => [f.name, Object.freeze(f)])),
);

/** Looks up a function signature by its exact name. */
export function getFunction(
  name: string,
  functions: Readonly<Record<string, FunctionSignature>> = FUNCTIONS,
): FunctionSignature | undefined {
  return Object.prototype.hasOwnProperty.call(functions, name) ? functions[name] : undefined;
}

export interface AggregatorSignature {
  op: AggregateOp;
  /** Type of the leading parameter (`topk(5, x)`), or null for plain aggregations. */
  paramType: ValueType | null;
  experimental: boolean;
}

const AGG_LIST: AggregatorSignature[] = [
  { op: "sum", paramType: null, experimental: false },
  { op: "avg", paramType: null, experimental: false },
  { op: "count", paramType: null, experimental: false },
  { op: "min", paramType: null, experimental: false },
  { op: "max", paramType: null, experimental: false },
  { op: "group", paramType: null, experimental: false },
  { op: "stddev", paramType: null, experimental: false },
  { op: "stdvar", paramType: null, experimental: false },
  { op: "topk", paramType: "scalar", experimental: false },
  { op: "bottomk", paramType: "scalar", experimental: false },
  { op: "count_values", paramType: "string", experimental: false },
  { op: "quantile", paramType: "scalar", experimental: false },
  { op: "limitk", paramType: "scalar", experimental: true },
  { op: "limit_ratio", paramType: "scalar", experimental: true },
];

/** Aggregation operators keyed by their (lower-case) name. */
export const AGGREGATORS: Readonly<Record<AggregateOp, AggregatorSignature>> = Object.freeze(
  Object.fromEntries(AGG_LIST.map((a) => [a.op, Object.freeze(a)])) as Record<AggregateOp, AggregatorSignature>,
);

/** Whether an aggregation takes a leading parameter. */
export function aggregatorHasParam(op: AggregateOp): boolean {
  return AGGREGATORS[op].paramType !== null;
}
