import { describe, expect, it } from "vitest";
import { ALL_EXPERIMENTAL, parseExpr } from "./parser";
import { astToJSON } from "./ast-json";

const json = (q: string) => JSON.stringify(astToJSON(parseExpr(q, ALL_EXPERIMENTAL)));

describe("astToJSON (/api/v1/parse_query)", () => {
  it("translates a vector selector with sorted keys", () => {
    expect(json(`up{job="api"} offset 5m @ 10`)).toBe(
      JSON.stringify({
        anchored: false,
        matchers: [
          { name: "job", type: "=", value: "api" },
          { name: "__name__", type: "=", value: "up" },
        ],
        name: "up",
        offset: 300000,
        offsetExpr: null,
        smoothed: false,
        startOrEnd: null,
        timestamp: 10000,
        type: "vectorSelector",
      }),
    );
  });

  it("translates matrix selectors and duration expressions", () => {
    expect(astToJSON(parseExpr("foo[5m+1m] offset (10m/2)", ALL_EXPERIMENTAL))).toEqual({
      anchored: false,
      matchers: [{ name: "__name__", type: "=", value: "foo" }],
      name: "foo",
      offset: 0,
      offsetExpr: {
        lhs: { duration: true, type: "numberLiteral", val: "600" },
        op: "/",
        rhs: { duration: false, type: "numberLiteral", val: "2" },
        type: "durationExpr",
        wrapped: true,
      },
      range: 0,
      rangeExpr: {
        lhs: { duration: true, type: "numberLiteral", val: "300" },
        op: "+",
        rhs: { duration: true, type: "numberLiteral", val: "60" },
        type: "durationExpr",
        wrapped: false,
      },
      smoothed: false,
      startOrEnd: null,
      timestamp: null,
      type: "matrixSelector",
    });
    expect(astToJSON(parseExpr("foo[range()] anchored", ALL_EXPERIMENTAL))).toMatchObject({
      anchored: true,
      range: 0,
      rangeExpr: { lhs: null, op: "range", rhs: null, type: "durationExpr", wrapped: false },
    });
    expect(astToJSON(parseExpr("foo offset -min(5s,step()+8s)", ALL_EXPERIMENTAL))).toMatchObject({
      offset: 0,
      offsetExpr: {
        op: "-",
        lhs: null,
        rhs: { op: "min", rhs: { op: "+", lhs: { op: "step", lhs: null, rhs: null } } },
      },
    });
  });

  it("translates subqueries", () => {
    expect(astToJSON(parseExpr("rate(x[5m])[1h:1m] @ end() offset 5m"))).toEqual({
      expr: expect.objectContaining({ type: "call" }),
      offset: 300000,
      offsetExpr: null,
      range: 3600000,
      rangeExpr: null,
      startOrEnd: "end",
      step: 60000,
      stepExpr: null,
      timestamp: null,
      type: "subquery",
    });
  });

  it("translates aggregations, calls and literals", () => {
    expect(json(`topk(5, sum by (job) (rate(x[5m])))`)).toBe(
      JSON.stringify({
        expr: {
          expr: {
            args: [
              {
                anchored: false,
                matchers: [{ name: "__name__", type: "=", value: "x" }],
                name: "x",
                offset: 0,
                offsetExpr: null,
                range: 300000,
                rangeExpr: null,
                smoothed: false,
                startOrEnd: null,
                timestamp: null,
                type: "matrixSelector",
              },
            ],
            func: { argTypes: ["matrix"], name: "rate", returnType: "vector", variadic: 0 },
            type: "call",
          },
          grouping: ["job"],
          op: "sum",
          param: null,
          type: "aggregation",
          without: false,
        },
        grouping: [],
        op: "topk",
        param: { duration: false, type: "numberLiteral", val: "5" },
        type: "aggregation",
        without: false,
      }),
    );
    expect(astToJSON(parseExpr("-(Inf)"))).toEqual({
      expr: { expr: { duration: false, type: "numberLiteral", val: "+Inf" }, type: "parenExpr" },
      op: "-",
      type: "unaryExpr",
    });
    expect(astToJSON(parseExpr(`label_join(x, "a", ",", "b")`))).toMatchObject({
      args: [{}, { type: "stringLiteral", val: "a" }, { val: "," }, { val: "b" }],
      func: { argTypes: ["vector", "string", "string", "string"], variadic: -1 },
    });
    expect(astToJSON(parseExpr("1e21 + 5m"))).toMatchObject({
      lhs: { val: "1000000000000000000000", duration: false },
      rhs: { val: "300", duration: true },
      matching: null,
    });
  });

  it("translates binary matching, including fill values", () => {
    expect(astToJSON(parseExpr("a / on(x) group_left(y) fill_right(0) b", ALL_EXPERIMENTAL))).toMatchObject({
      bool: false,
      matching: {
        card: "many-to-one",
        fillValues: { lhs: null, rhs: 0 },
        include: ["y"],
        labels: ["x"],
        on: true,
      },
      op: "/",
      type: "binaryExpr",
    });
    expect(astToJSON(parseExpr("a > bool b"))).toMatchObject({
      bool: true,
      matching: { card: "one-to-one", fillValues: { lhs: null, rhs: null }, include: [], labels: [], on: false },
    });
    expect(astToJSON(parseExpr("a unless b"))).toMatchObject({ matching: { card: "many-to-many" } });
    expect(astToJSON(parseExpr("a - 1"))).toMatchObject({ matching: null });
  });

  it("replaces invalid UTF-8 with U+FFFD, as Go's JSON encoder", () => {
    expect(astToJSON(parseExpr(`"a\\xffb"`))).toEqual({ type: "stringLiteral", val: "a\ufffdb" });
  });
});
