// The PromQL abstract syntax tree.
//
// Node names follow Prometheus's `promql/parser/ast.go` and the `type` tags of
// `/api/v1/parse_query` (vectorSelector, matrixSelector, aggregation, ...). The
// module is plain data plus pure helpers (no Node APIs), so the UI may import
// its types with `import type`.
//
// Positions (`posRange`) are UTF-16 offsets into the query string, so an editor
// can underline them directly. (Prometheus counts bytes; the `line:col` in
// error messages is computed in bytes to match its wording exactly.)
//
// Time fields are integer milliseconds, as everywhere inside Vigil.

import type { FunctionSignature } from "./functions";

/** Half-open [start, end) range of UTF-16 offsets into the query. */
export interface PosRange {
  start: number;
  end: number;
}

/** The value type an expression evaluates to (Prometheus `ValueType`). */
export type ValueType = "none" | "vector" | "scalar" | "matrix" | "string";

/** Label matcher operator. */
export type MatchType = "=" | "!=" | "=~" | "!~";

/**
 * A label matcher, e.g. `job=~"api.*"`. Regex values are matched fully anchored
 * (`^(?s:value)$`) with RE2 semantics, as Prometheus does.
 */
export interface Matcher {
  type: MatchType;
  name: string;
  value: string;
}

export type ArithmeticOp = "+" | "-" | "*" | "/" | "%" | "^" | "atan2";
export type ComparisonOp = "==" | "!=" | "<=" | "<" | ">=" | ">";
export type SetOp = "and" | "or" | "unless";
/** Native-histogram trim operators: `h </ x` drops observations above x, `h >/ x` those below. */
export type TrimOp = "</" | ">/";
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp | TrimOp;

export type AggregateOp =
  | "sum"
  | "avg"
  | "count"
  | "min"
  | "max"
  | "group"
  | "stddev"
  | "stdvar"
  | "topk"
  | "bottomk"
  | "count_values"
  | "quantile"
  | "limitk"
  | "limit_ratio";

export type VectorMatchCardinality = "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";

/** How the two sides of a vector/vector binary operation are matched. */
export interface VectorMatching {
  card: VectorMatchCardinality;
  /** Labels of `on(...)` / `ignoring(...)`. */
  matchingLabels: string[];
  /** True for `on(...)`, false for `ignoring(...)` (or no clause). */
  on: boolean;
  /** Extra labels of `group_left(...)` / `group_right(...)`. */
  include: string[];
  /** Values of the experimental `fill()`, `fill_left()`, `fill_right()` modifiers (null = not set). */
  fillValues: { lhs: number | null; rhs: number | null };
}

export interface VectorSelector {
  type: "vectorSelector";
  /** Metric name written before the braces; "" when absent (e.g. `{"my.metric"}`). */
  name: string;
  /** All matchers; a name written outside braces is appended as a final `__name__=` matcher, as Prometheus does. */
  matchers: Matcher[];
  /** `offset` in milliseconds (negative allowed); 0 when absent or given as an expression. */
  offset: number;
  /** `offset` given as a duration expression (`offset step()`, `offset (1h + 5m)`). */
  offsetExpr: DurationNode | null;
  /** `@` timestamp in milliseconds, or null. */
  timestamp: number | null;
  /** `@ start()` / `@ end()`, or null. */
  startOrEnd: "start" | "end" | null;
  /** Experimental `anchored` range modifier. */
  anchored: boolean;
  /** Experimental `smoothed` range modifier. */
  smoothed: boolean;
  /** Set by the check pass on the second argument of `info()`, which may match the empty string. */
  bypassEmptyMatcherCheck?: boolean;
  posRange: PosRange;
}

export interface MatrixSelector {
  type: "matrixSelector";
  /** The selector; offset, `@`, anchored and smoothed live on it, as in Prometheus. */
  vectorSelector: VectorSelector;
  /** Range in milliseconds; 0 when given as an expression. */
  range: number;
  rangeExpr: DurationNode | null;
  posRange: PosRange;
}

export interface SubqueryExpr {
  type: "subquery";
  expr: Expr;
  /** Range in milliseconds; 0 when given as an expression. */
  range: number;
  rangeExpr: DurationNode | null;
  /** Resolution in milliseconds; 0 = default resolution (or given as an expression). */
  step: number;
  stepExpr: DurationNode | null;
  /** `offset` in milliseconds. */
  offset: number;
  offsetExpr: DurationNode | null;
  /** `@` timestamp in milliseconds, or null. */
  timestamp: number | null;
  startOrEnd: "start" | "end" | null;
  posRange: PosRange;
}

export interface AggregateExpr {
  type: "aggregation";
  op: AggregateOp;
  expr: Expr;
  /** Parameter of topk, bottomk, quantile, count_values, limitk, limit_ratio. */
  param: Expr | null;
  grouping: string[];
  without: boolean;
  posRange: PosRange;
}

export interface BinaryExpr {
  type: "binaryExpr";
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /**
   * Vector matching. The parser attaches one to every binary expression; the
   * check pass (as Go's checkAST) sets it to null unless both sides are
   * instant vectors, and makes set operators many-to-many.
   */
  matching: VectorMatching | null;
  /** The `bool` modifier. */
  returnBool: boolean;
  posRange: PosRange;
}

export interface Call {
  type: "call";
  func: FunctionSignature;
  args: Expr[];
  posRange: PosRange;
}

export interface NumberLiteral {
  type: "numberLiteral";
  val: number;
  /** Written as a duration (`5m`); the value is then in seconds and prints as a duration. */
  duration: boolean;
  posRange: PosRange;
}

export interface StringLiteral {
  type: "stringLiteral";
  val: string;
  posRange: PosRange;
}

export interface ParenExpr {
  type: "parenExpr";
  expr: Expr;
  posRange: PosRange;
}

export interface UnaryExpr {
  type: "unaryExpr";
  op: "+" | "-";
  expr: Expr;
  posRange: PosRange;
}

export type DurationOp = "+" | "-" | "*" | "/" | "%" | "^" | "step" | "range" | "min" | "max" | "min_of" | "max_of";

/**
 * An experimental duration expression (`foo[5m * 2]`, `offset step()`,
 * `[min_of(step(), 1h)]`). Unary minus has `lhs` null; `step()`/`range()`
 * have neither operand. Values are in seconds, like number literals.
 */
export interface DurationExpr {
  type: "durationExpr";
  op: DurationOp;
  lhs: DurationNode | null;
  rhs: DurationNode | null;
  /** Written in parentheses. */
  wrapped: boolean;
  posRange: PosRange;
}

/** What may appear where a duration is expected. */
export type DurationNode = NumberLiteral | DurationExpr;

/** Any PromQL expression. */
export type Expr =
  | AggregateExpr
  | BinaryExpr
  | Call
  | MatrixSelector
  | SubqueryExpr
  | NumberLiteral
  | ParenExpr
  | StringLiteral
  | UnaryExpr
  | VectorSelector;

/** The type an expression evaluates to, as Go's `Expr.Type()`. */
export function exprType(e: Expr): ValueType {
  switch (e.type) {
    case "aggregation":
      return "vector";
    case "call":
      return e.func.returnType;
    case "matrixSelector":
    case "subquery":
      return "matrix";
    case "numberLiteral":
      return "scalar";
    case "stringLiteral":
      return "string";
    case "parenExpr":
    case "unaryExpr":
      return exprType(e.expr);
    case "vectorSelector":
      return "vector";
    case "binaryExpr":
      return exprType(e.lhs) === "scalar" && exprType(e.rhs) === "scalar" ? "scalar" : "vector";
  }
}

/** Prometheus's user-facing type names ("instant vector", "range vector", ...). */
export function documentedType(t: ValueType): string {
  switch (t) {
    case "vector":
      return "instant vector";
    case "matrix":
      return "range vector";
    default:
      return t;
  }
}

export const COMPARISON_OPS: ReadonlySet<string> = new Set(["==", "!=", "<=", "<", ">=", ">"]);
export const SET_OPS: ReadonlySet<string> = new Set(["and", "or", "unless"]);

export function isComparisonOp(op: string): op is ComparisonOp {
  return COMPARISON_OPS.has(op);
}

export function isSetOp(op: string): op is SetOp {
  return SET_OPS.has(op);
}

/** The direct child expressions of a node, in source order (as Go's `Children`). */
export function children(e: Expr): Expr[] {
  switch (e.type) {
    case "aggregation":
      return e.param ? [e.expr, e.param] : [e.expr];
    case "binaryExpr":
      return [e.lhs, e.rhs];
    case "call":
      return e.args;
    case "subquery":
    case "parenExpr":
    case "unaryExpr":
      return [e.expr];
    case "matrixSelector":
      return [e.vectorSelector];
    default:
      return [];
  }
}

/** Depth-first walk (parents before children). Return false from fn to skip a subtree. */
export function walk(e: Expr, fn: (node: Expr, path: Expr[]) => boolean | void, path: Expr[] = []): void {
  if (fn(e, path) === false) return;
  const next = [...path, e];
  for (const c of children(e)) walk(c, fn, next);
}
