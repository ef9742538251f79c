// Prints an AST back to PromQL, byte-for-byte as Prometheus does.
//
// - `exprToString` is Go's `Expr.String()`: one line, normalized spacing,
//   sorted label matchers, `by (a, b)` before the body, durations in
//   `model.Duration` form, `@` timestamps with three decimals.
// - `prettify` is Go's `Prettify`/`Pretty(0)`, which `/api/v1/format_query`
//   returns: nodes longer than 100 bytes are split over indented lines.
//
// Parsing the output again yields an equivalent tree (round-trip stable).

import type {
  AggregateExpr,
  BinaryExpr,
  DurationExpr,
  DurationNode,
  Expr,
  Matcher,
  MatrixSelector,
  SubqueryExpr,
  VectorSelector,
} from "./ast";
import { aggregatorHasParam } from "./functions";
import { formatFixed, formatFloatF, formatFloatG, goQuote, utf8ByteLength } from "./go-format";
import { formatDuration, secondsToMsTruncated } from "./duration";

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Grouping and matching label lists; names that are not legacy identifiers are quoted. */
function labelList(labels: string[]): string {
  return labels.map((l) => (LEGACY_LABEL.test(l) ? l : goQuote(l))).join(", ");
}

/** Go's `labels.Matcher.String()`. */
export function matcherToString(m: Matcher): string {
  const quoteName = m.name === "" || !LEGACY_LABEL.test(m.name);
  return (quoteName ? goQuote(m.name) : m.name) + m.type + goQuote(m.value);
}

/** Compares strings by code point, i.e. in UTF-8 byte order, as Go's sort.Strings. */
function compareBytes(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0)!;
    const cy = y.value.codePointAt(0)!;
    if (cx !== cy) return cx - cy;
  }
}

function durationLiteral(val: number): string {
  return val < 0 ? "-" + formatDuration(secondsToMsTruncated(-val)) : formatDuration(secondsToMsTruncated(val));
}

/** A duration operand: number literal or duration expression. */
export function durationToString(d: DurationNode): string {
  if (d.type === "numberLiteral") return d.duration ? durationLiteral(d.val) : formatFloatF(d.val);
  return durationExprToString(d);
}

function durationExprToString(d: DurationExpr): string {
  let s: string;
  switch (d.op) {
    case "step":
    case "range":
      s = `${d.op}()`;
      break;
    case "min":
    case "max":
    case "min_of":
    case "max_of":
      s = `${d.op}(${durationToString(d.lhs!)}, ${durationToString(d.rhs!)})`;
      break;
    default:
      if (d.lhs === null) s = d.op === "-" ? "-" + durationToString(d.rhs!) : durationToString(d.rhs!);
      else s = `${durationToString(d.lhs)} ${d.op} ${durationToString(d.rhs!)}`;
  }
  return d.wrapped ? `(${s})` : s;
}

function atString(timestamp: number | null, startOrEnd: "start" | "end" | null): string {
  if (timestamp !== null) return ` @ ${formatFixed(timestamp / 1000, 3)}`;
  if (startOrEnd !== null) return ` @ ${startOrEnd}()`;
  return "";
}

function offsetString(offset: number, offsetExpr: DurationNode | null): string {
  if (offsetExpr !== null) return ` offset ${durationToString(offsetExpr)}`;
  if (offset > 0) return ` offset ${formatDuration(offset)}`;
  if (offset < 0) return ` offset -${formatDuration(-offset)}`;
  return "";
}

/** Name and `{matchers}` of a selector, without modifiers. */
function selectorCore(vs: VectorSelector): string {
  const labels: string[] = [];
  for (const m of vs.matchers) {
    // Skip the matcher for the name written outside the braces.
    if (m.name === "__name__" && m.type === "=" && m.value === vs.name && m.value !== "") continue;
    labels.push(matcherToString(m));
  }
  labels.sort(compareBytes);
  return labels.length ? `${vs.name}{${labels.join(",")}}` : vs.name;
}

function extendedAttribute(vs: VectorSelector): string {
  if (vs.anchored) return " anchored";
  if (vs.smoothed) return " smoothed";
  return "";
}

function vectorSelectorToString(vs: VectorSelector): string {
  return (
    selectorCore(vs) +
    atString(vs.timestamp, vs.startOrEnd) +
    extendedAttribute(vs) +
    offsetString(vs.offset, vs.offsetExpr)
  );
}

function matrixSelectorToString(m: MatrixSelector): string {
  const vs = m.vectorSelector;
  const range = m.rangeExpr ? durationToString(m.rangeExpr) : formatDuration(m.range);
  return (
    `${selectorCore(vs)}[${range}]` +
    extendedAttribute(vs) +
    atString(vs.timestamp, vs.startOrEnd) +
    offsetString(vs.offset, vs.offsetExpr)
  );
}

/** `[range:step] @ ... offset ...` of a subquery. */
function subquerySuffix(s: SubqueryExpr): string {
  let step = "";
  if (s.step !== 0) step = formatDuration(s.step);
  else if (s.stepExpr) step = durationToString(s.stepExpr);
  const range = s.rangeExpr ? durationToString(s.rangeExpr) : formatDuration(s.range);
  return `[${range}:${step}]` + atString(s.timestamp, s.startOrEnd) + offsetString(s.offset, s.offsetExpr);
}

/** `sum by (a) ` / `sum without (a) ` / `sum` (Go's ShortString of an aggregation). */
function aggregateOpString(a: AggregateExpr): string {
  if (a.without) return `${a.op} without (${labelList(a.grouping)}) `;
  if (a.grouping.length > 0) return `${a.op} by (${labelList(a.grouping)}) `;
  return a.op;
}

/** ` bool on (a) group_left (b) fill (0)`: everything between a binary operator and its right operand. */
function binaryModifiers(b: BinaryExpr): string {
  let s = b.returnBool ? " bool" : "";
  const vm = b.matching;
  if (vm) {
    const grouped = vm.card === "many-to-one" || vm.card === "one-to-many";
    if (vm.matchingLabels.length > 0 || vm.on || grouped) {
      s += ` ${vm.on ? "on" : "ignoring"} (${labelList(vm.matchingLabels)})`;
    }
    if (grouped) s += ` group_${vm.card === "many-to-one" ? "left" : "right"} (${labelList(vm.include)})`;
    const { lhs, rhs } = vm.fillValues;
    if (lhs !== null && rhs !== null && lhs === rhs) {
      // As in Go, NaN never equals itself: fill(NaN) prints as fill_left (NaN) fill_right (NaN).
      s += ` fill (${formatFloatG(lhs)})`;
    } else {
      if (lhs !== null) s += ` fill_left (${formatFloatG(lhs)})`;
      if (rhs !== null) s += ` fill_right (${formatFloatG(rhs)})`;
    }
  }
  return s;
}

/** Formats an expression on one line, as Prometheus's `String()`. */
export function exprToString(e: Expr): string {
  switch (e.type) {
    case "aggregation": {
      const param = aggregatorHasParam(e.op) && e.param ? exprToString(e.param) + ", " : "";
      return `${aggregateOpString(e)}(${param}${exprToString(e.expr)})`;
    }
    case "binaryExpr":
      return `${exprToString(e.lhs)} ${e.op}${binaryModifiers(e)} ${exprToString(e.rhs)}`;
    case "call":
      return `${e.func.name}(${e.args.map(exprToString).join(", ")})`;
    case "matrixSelector":
      return matrixSelectorToString(e);
    case "subquery":
      return exprToString(e.expr) + subquerySuffix(e);
    case "numberLiteral":
      return durationToString(e);
    case "parenExpr":
      return `(${exprToString(e.expr)})`;
    case "stringLiteral":
      return goQuote(e.val);
    case "unaryExpr":
      return e.op + exprToString(e.expr);
    case "vectorSelector":
      return vectorSelectorToString(e);
  }
}

/** Prometheus's line length limit for `Pretty`. */
export const MAX_CHARACTERS_PER_LINE = 100;

const indent = (level: number) => "  ".repeat(level);

/**
 * Formats an expression over several lines as Prometheus's `Prettify` (what
 * `/api/v1/format_query` returns). Any node whose one-line form is longer
 * than `maxWidth` bytes is split, children indented by two spaces.
 */
export function prettify(e: Expr, maxWidth = MAX_CHARACTERS_PER_LINE): string {
  const needsSplit = (n: Expr) => utf8ByteLength(exprToString(n)) > maxWidth;

  const pretty = (n: Expr, level: number): string => {
    switch (n.type) {
      case "aggregation": {
        if (!needsSplit(n)) return indent(level) + exprToString(n);
        let s = indent(level) + aggregateOpString(n) + "(\n";
        if (aggregatorHasParam(n.op) && n.param) s += pretty(n.param, level + 1) + ",\n";
        return s + pretty(n.expr, level + 1) + "\n" + indent(level) + ")";
      }
      case "binaryExpr": {
        if (!needsSplit(n)) return indent(level) + exprToString(n);
        return (
          pretty(n.lhs, level + 1) +
          "\n" +
          indent(level) +
          n.op +
          binaryModifiers(n) +
          "\n" +
          pretty(n.rhs, level + 1)
        );
      }
      case "call": {
        if (!needsSplit(n)) return indent(level) + exprToString(n);
        const args = n.args.map((a) => pretty(a, level + 1)).join(",\n");
        return `${indent(level)}${n.func.name}(\n${args}\n${indent(level)})`;
      }
      case "parenExpr": {
        if (!needsSplit(n)) return indent(level) + exprToString(n);
        return `${indent(level)}(\n${pretty(n.expr, level + 1)}\n${indent(level)})`;
      }
      case "subquery":
        // Prometheus does not indent an unsplit subquery; we keep its output.
        if (!needsSplit(n)) return exprToString(n);
        return pretty(n.expr, level) + subquerySuffix(n);
      case "unaryExpr":
        return indent(level) + n.op + pretty(n.expr, level).trim();
      default:
        return indent(level) + exprToString(n);
    }
  };

  return pretty(e, 0);
}
