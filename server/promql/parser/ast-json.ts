// The AST as `/api/v1/parse_query` returns it (Prometheus's `translateAST` in
// web/api/v1). Go's encoding/json writes map keys in sorted order, so every
// object below is built with its keys sorted; durations and timestamps are
// integer milliseconds; numbers are strings (`strconv.FormatFloat(v, 'f', -1,
// 64)`) so that NaN and ±Inf survive JSON.
//
// Field set: Prometheus 3.x with duration expressions (`rangeExpr`,
// `offsetExpr`, `stepExpr`, `durationExpr` nodes, `duration` on number
// literals), the extended range selectors (`anchored`, `smoothed`) and binop
// fill modifiers (`matching.fillValues`).

import type { DurationNode, Expr, Matcher, VectorMatching, VectorSelector } from "./ast";
import { formatFloatF, toWellFormed } from "./go-format";

/** A JSON value. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

// Go's encoding/json replaces invalid UTF-8 with U+FFFD.
const str = (s: string) => toWellFormed(s);

function matchersJSON(ms: Matcher[]): JSONValue {
  return ms.map((m) => ({ name: str(m.name), type: m.type, value: str(m.value) }));
}

function durationJSON(d: DurationNode | null): JSONValue {
  if (d === null) return null;
  if (d.type === "numberLiteral") return { duration: d.duration, type: "numberLiteral", val: formatFloatF(d.val) };
  return {
    lhs: durationJSON(d.lhs),
    op: d.op,
    rhs: durationJSON(d.rhs),
    type: "durationExpr",
    wrapped: d.wrapped,
  };
}

function matchingJSON(m: VectorMatching | null): JSONValue {
  if (m === null) return null;
  return {
    card: m.card,
    // NaN/Inf fill values cannot be represented in JSON; Go's encoder fails on
    // them, we emit null.
    fillValues: {
      lhs: m.fillValues.lhs !== null && Number.isFinite(m.fillValues.lhs) ? m.fillValues.lhs : null,
      rhs: m.fillValues.rhs !== null && Number.isFinite(m.fillValues.rhs) ? m.fillValues.rhs : null,
    },
    include: m.include.map(str),
    labels: m.matchingLabels.map(str),
    on: m.on,
  };
}

function selectorFields(vs: VectorSelector): { [key: string]: JSONValue } {
  return {
    anchored: vs.anchored,
    matchers: matchersJSON(vs.matchers),
    name: str(vs.name),
    offset: vs.offset,
    offsetExpr: durationJSON(vs.offsetExpr),
    smoothed: vs.smoothed,
    startOrEnd: vs.startOrEnd,
    timestamp: vs.timestamp,
  };
}

/** Translates an expression into the JSON object `/api/v1/parse_query` returns. */
export function astToJSON(e: Expr | null): JSONValue {
  if (e === null) return null;
  switch (e.type) {
    case "aggregation":
      return {
        expr: astToJSON(e.expr),
        grouping: e.grouping.map(str),
        op: e.op,
        param: astToJSON(e.param),
        type: "aggregation",
        without: e.without,
      };
    case "binaryExpr":
      return {
        bool: e.returnBool,
        lhs: astToJSON(e.lhs),
        matching: matchingJSON(e.matching),
        op: e.op,
        rhs: astToJSON(e.rhs),
        type: "binaryExpr",
      };
    case "call":
      return {
        args: e.args.map(astToJSON),
        func: {
          argTypes: [...e.func.argTypes],
          name: e.func.name,
          returnType: e.func.returnType,
          variadic: e.func.variadic,
        },
        type: "call",
      };
    case "matrixSelector": {
      const f = selectorFields(e.vectorSelector);
      return {
        anchored: f.anchored,
        matchers: f.matchers,
        name: f.name,
        offset: f.offset,
        offsetExpr: f.offsetExpr,
        range: e.range,
        rangeExpr: durationJSON(e.rangeExpr),
        smoothed: f.smoothed,
        startOrEnd: f.startOrEnd,
        timestamp: f.timestamp,
        type: "matrixSelector",
      };
    }
    case "subquery":
      return {
        expr: astToJSON(e.expr),
        offset: e.offset,
        offsetExpr: durationJSON(e.offsetExpr),
        range: e.range,
        rangeExpr: durationJSON(e.rangeExpr),
        startOrEnd: e.startOrEnd,
        step: e.step,
        stepExpr: durationJSON(e.stepExpr),
        timestamp: e.timestamp,
        type: "subquery",
      };
    case "numberLiteral":
      return { duration: e.duration, type: "numberLiteral", val: formatFloatF(e.val) };
    case "parenExpr":
      return { expr: astToJSON(e.expr), type: "parenExpr" };
    case "stringLiteral":
      return { type: "stringLiteral", val: str(e.val) };
    case "unaryExpr":
      return { expr: astToJSON(e.expr), op: e.op, type: "unaryExpr" };
    case "vectorSelector": {
      const f = selectorFields(e);
      return {
        anchored: f.anchored,
        matchers: f.matchers,
        name: f.name,
        offset: f.offset,
        offsetExpr: f.offsetExpr,
        smoothed: f.smoothed,
        startOrEnd: f.startOrEnd,
        timestamp: f.timestamp,
        type: "vectorSelector",
      };
    }
  }
}
