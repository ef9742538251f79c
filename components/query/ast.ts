// The AST as /api/v1/parse_query returns it (Prometheus's translateAST), and
// what the Explain tab does with it: print any node back to PromQL so it can
// be evaluated on its own, list a node's children, and name it in one line.
// The server has a printer too (server/promql/parser/printer.ts), but browser
// code may not import server code (STYLE.md convention 3), and this one works
// on the JSON form, where numbers are strings and durations integer ms.

import { formatDuration } from "./time";

export interface AstMatcher {
  name: string;
  /** "=", "!=", "=~", "!~" */
  type: string;
  value: string;
}

export interface AstMatching {
  card: "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";
  include: string[];
  labels: string[];
  on: boolean;
  fillValues?: { lhs: number | null; rhs: number | null };
}

export interface AstDuration {
  type: "numberLiteral" | "durationExpr";
  val?: string;
  duration?: boolean;
  op?: string;
  lhs?: AstDuration | null;
  rhs?: AstDuration | null;
  wrapped?: boolean;
}

interface SelectorFields {
  name: string;
  matchers: AstMatcher[];
  /** ms */
  offset: number;
  offsetExpr?: AstDuration | null;
  /** `@` time, Unix ms */
  timestamp: number | null;
  startOrEnd: "start" | "end" | null;
  anchored?: boolean;
  smoothed?: boolean;
}

export type AstNode =
  | { type: "aggregation"; op: string; grouping: string[]; without: boolean; param: AstNode | null; expr: AstNode }
  | { type: "binaryExpr"; op: string; bool: boolean; lhs: AstNode; rhs: AstNode; matching: AstMatching | null }
  | { type: "call"; func: { name: string; argTypes: string[]; returnType: string; variadic: number }; args: AstNode[] }
  | ({ type: "vectorSelector" } & SelectorFields)
  | ({ type: "matrixSelector"; range: number; rangeExpr?: AstDuration | null } & SelectorFields)
  | { type: "subquery"; expr: AstNode; range: number; rangeExpr?: AstDuration | null; step: number; stepExpr?: AstDuration | null; offset: number; offsetExpr?: AstDuration | null; timestamp: number | null; startOrEnd: "start" | "end" | null }
  | { type: "numberLiteral"; val: string; duration?: boolean }
  | { type: "stringLiteral"; val: string }
  | { type: "parenExpr"; expr: AstNode }
  | { type: "unaryExpr"; op: string; expr: AstNode };

const PARAM_AGGREGATIONS = new Set(["topk", "bottomk", "count_values", "quantile", "limitk", "limit_ratio"]);

const quote = (s: string) => JSON.stringify(s);

function formatNumber(val: string): string {
  if (val === "+Inf") return "Inf";
  return val;
}

function durationString(d: AstDuration | null | undefined): string {
  if (!d) return "";
  if (d.type === "numberLiteral") return d.duration ? formatDuration(Number(d.val) * 1000) : formatNumber(d.val ?? "0");
  let s: string;
  if (d.op === "step") s = "step()";
  else if (!d.lhs) s = `${d.op ?? ""}${durationString(d.rhs)}`;
  else if (d.op === "min" || d.op === "max") s = `${d.op}(${durationString(d.lhs)}, ${durationString(d.rhs)})`;
  else s = `${durationString(d.lhs)} ${d.op} ${durationString(d.rhs)}`;
  return d.wrapped ? `(${s})` : s;
}

function selectorCore(s: SelectorFields): string {
  const parts = s.matchers
    .filter((m) => !(m.name === "__name__" && m.type === "=" && m.value === s.name && s.name !== ""))
    .map((m) => `${m.name}${m.type}${quote(m.value)}`);
  return parts.length ? `${s.name}{${parts.join(",")}}` : s.name;
}

function atString(timestamp: number | null, startOrEnd: "start" | "end" | null): string {
  if (startOrEnd) return ` @ ${startOrEnd}()`;
  if (timestamp !== null) return ` @ ${(timestamp / 1000).toFixed(3)}`;
  return "";
}

function offsetString(offset: number, expr: AstDuration | null | undefined): string {
  if (expr) return ` offset ${durationString(expr)}`;
  if (offset > 0) return ` offset ${formatDuration(offset)}`;
  if (offset < 0) return ` offset -${formatDuration(-offset)}`;
  return "";
}

function extended(s: SelectorFields): string {
  return s.anchored ? " anchored" : s.smoothed ? " smoothed" : "";
}

function binaryModifiers(n: Extract<AstNode, { type: "binaryExpr" }>): string {
  let s = n.bool ? " bool" : "";
  const m = n.matching;
  if (!m) return s;
  const grouped = m.card === "many-to-one" || m.card === "one-to-many";
  if (m.labels.length > 0 || m.on || grouped) s += ` ${m.on ? "on" : "ignoring"} (${m.labels.join(", ")})`;
  if (grouped) s += ` group_${m.card === "many-to-one" ? "left" : "right"} (${m.include.join(", ")})`;
  const fill = m.fillValues;
  if (fill && fill.lhs !== null && fill.lhs === fill.rhs) s += ` fill (${fill.lhs})`;
  else {
    if (fill?.lhs != null) s += ` fill_left (${fill.lhs})`;
    if (fill?.rhs != null) s += ` fill_right (${fill.rhs})`;
  }
  return s;
}

function aggregationPrefix(n: Extract<AstNode, { type: "aggregation" }>): string {
  if (n.without) return `${n.op} without (${n.grouping.join(", ")}) `;
  if (n.grouping.length > 0) return `${n.op} by (${n.grouping.join(", ")}) `;
  return n.op;
}

/** A node printed back as PromQL, on one line. */
export function serializeNode(n: AstNode): string {
  switch (n.type) {
    case "aggregation": {
      const param = PARAM_AGGREGATIONS.has(n.op) && n.param ? `${serializeNode(n.param)}, ` : "";
      return `${aggregationPrefix(n)}(${param}${serializeNode(n.expr)})`;
    }
    case "binaryExpr":
      return `${serializeNode(n.lhs)} ${n.op}${binaryModifiers(n)} ${serializeNode(n.rhs)}`;
    case "call":
      return `${n.func.name}(${n.args.map(serializeNode).join(", ")})`;
    case "vectorSelector":
      return selectorCore(n) + atString(n.timestamp, n.startOrEnd) + extended(n) + offsetString(n.offset, n.offsetExpr);
    case "matrixSelector":
      return `${selectorCore(n)}[${n.rangeExpr ? durationString(n.rangeExpr) : formatDuration(n.range)}]` + extended(n) + atString(n.timestamp, n.startOrEnd) + offsetString(n.offset, n.offsetExpr);
    case "subquery": {
      const range = n.rangeExpr ? durationString(n.rangeExpr) : formatDuration(n.range);
      const step = n.step ? formatDuration(n.step) : n.stepExpr ? durationString(n.stepExpr) : "";
      // The inner expression needs parentheses unless it is atomic; the parser keeps them as a parenExpr anyway.
      return `${serializeNode(n.expr)}[${range}:${step}]` + atString(n.timestamp, n.startOrEnd) + offsetString(n.offset, n.offsetExpr);
    }
    case "numberLiteral":
      return n.duration ? formatDuration(Number(n.val) * 1000) : formatNumber(n.val);
    case "stringLiteral":
      return quote(n.val);
    case "parenExpr":
      return `(${serializeNode(n.expr)})`;
    case "unaryExpr":
      return `${n.op}${serializeNode(n.expr)}`;
  }
}

/** The node's sub-expressions, in source order. */
export function childrenOf(n: AstNode): AstNode[] {
  switch (n.type) {
    case "aggregation":
      return n.param ? [n.param, n.expr] : [n.expr];
    case "binaryExpr":
      return [n.lhs, n.rhs];
    case "call":
      return n.args;
    case "subquery":
    case "parenExpr":
    case "unaryExpr":
      return [n.expr];
    default:
      return [];
  }
}

/** What kind of node it is, in a few words (shown beside its PromQL text). */
export function describeNode(n: AstNode): string {
  switch (n.type) {
    case "aggregation":
      return `aggregation: ${aggregationPrefix(n).trim()}`;
    case "binaryExpr":
      return `binary operator: ${n.op}${binaryModifiers(n)}`;
    case "call":
      return `function ${n.func.name}() returning ${n.func.returnType === "vector" ? "an instant vector" : n.func.returnType === "matrix" ? "a range vector" : `a ${n.func.returnType}`}`;
    case "vectorSelector":
      return "instant vector selector";
    case "matrixSelector":
      return `range vector selector over ${formatDuration(n.range)}`;
    case "subquery":
      return `subquery over ${formatDuration(n.range)}${n.step ? `, step ${formatDuration(n.step)}` : ""}`;
    case "numberLiteral":
      return "number";
    case "stringLiteral":
      return "string";
    case "parenExpr":
      return "parentheses";
    case "unaryExpr":
      return `unary ${n.op}`;
  }
}

