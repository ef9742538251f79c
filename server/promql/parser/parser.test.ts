import { describe, expect, it } from "vitest";
import { parseExpr, parseMetricSelector, ALL_EXPERIMENTAL, type ParserOptions } from "./parser";
import { PromQLParseError } from "./errors";
import type { Expr } from "./ast";

function parseError(input: string, opts: ParserOptions = ALL_EXPERIMENTAL): PromQLParseError {
  try {
    parseExpr(input, opts);
  } catch (e) {
    if (e instanceof PromQLParseError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(input)} to fail`);
}

const sel = (name: string, start: number, end: number, extra: object = {}) => ({
  type: "vectorSelector",
  name,
  matchers: [{ type: "=", name: "__name__", value: name }],
  posRange: { start, end },
  ...extra,
});
const num = (val: number, start: number, end: number, duration = false) => ({
  type: "numberLiteral",
  val,
  duration,
  posRange: { start, end },
});

describe("parseExpr: literals and operators", () => {
  it.each<[string, object]>([
    ["1", num(1, 0, 1)],
    ["+Inf", num(Infinity, 0, 4)],
    ["-Inf", num(-Infinity, 0, 4)],
    [".5", num(0.5, 0, 2)],
    ["5.", num(5, 0, 2)],
    ["5e-3", num(0.005, 0, 4)],
    ["0xc", num(12, 0, 3)],
    ["0755", num(493, 0, 4)],
    ["-0755", num(-493, 0, 5)],
    ["+5.5e-3", num(0.0055, 0, 7)],
    ["NaN", { type: "numberLiteral", posRange: { start: 0, end: 3 } }],
    ["5m", num(300, 0, 2, true)],
    ["-1h30m", num(-5400, 0, 6, true)],
    [`"double \\" quoted"`, { type: "stringLiteral", val: 'double " quoted' }],
    [`'single \\' quoted'`, { type: "stringLiteral", val: "single ' quoted" }],
    ["`raw \\n`", { type: "stringLiteral", val: "raw \\n" }],
    [
      "-1^2",
      {
        type: "unaryExpr",
        op: "-",
        expr: { type: "binaryExpr", op: "^", lhs: num(1, 1, 2), rhs: num(2, 3, 4) },
        posRange: { start: 0, end: 4 },
      },
    ],
    ["-1*2", { type: "binaryExpr", op: "*", lhs: num(-1, 0, 2), rhs: num(2, 3, 4), matching: null }],
    [
      "-1^-2",
      { type: "unaryExpr", expr: { type: "binaryExpr", op: "^", lhs: num(1, 1, 2), rhs: num(-2, 3, 5) } },
    ],
    [
      "+1 + -2 * 1",
      { type: "binaryExpr", op: "+", lhs: num(1, 0, 2), rhs: { op: "*", lhs: num(-2, 5, 7), rhs: num(1, 10, 11) } },
    ],
    [
      "1 + 2/(3*1)",
      {
        op: "+",
        rhs: { op: "/", lhs: num(2, 4, 5), rhs: { type: "parenExpr", posRange: { start: 6, end: 11 } } },
      },
    ],
    [
      "1 < bool 2 - 1 * 2",
      { op: "<", returnBool: true, lhs: num(1, 0, 1), rhs: { op: "-", rhs: { op: "*" } } },
    ],
    ["2 ^ 3 ^ 2", { op: "^", lhs: num(2, 0, 1), rhs: { op: "^", lhs: num(3, 4, 5), rhs: num(2, 8, 9) } }],
    ["- - 1", num(1, 0, 5)],
    ["-some_metric", { type: "unaryExpr", op: "-", expr: sel("some_metric", 1, 12), posRange: { start: 0, end: 12 } }],
    [" +some_metric", { type: "unaryExpr", op: "+", expr: sel("some_metric", 2, 13), posRange: { start: 1, end: 13 } }],
    ["-a ^ b", { type: "unaryExpr", expr: { type: "binaryExpr", op: "^" } }],
    ["-a * b", { type: "binaryExpr", op: "*", lhs: { type: "unaryExpr" } }],
    ["-foo offset 5m", { type: "unaryExpr", expr: { type: "vectorSelector", offset: 300000 } }],
    ["10 atan2 20", { op: "atan2" }],
    ["h </ 5", { op: "</" }],
    ["h >/ 5", { op: ">/" }],
  ])("%s", (input, want) => {
    expect(parseExpr(input, ALL_EXPERIMENTAL)).toMatchObject(want);
  });

  it("applies the precedence of and/or/unless", () => {
    expect(parseExpr("foo + bar or bla and blub")).toMatchObject({
      op: "or",
      lhs: { op: "+", matching: { card: "one-to-one" } },
      rhs: { op: "and", matching: { card: "many-to-many" } },
      matching: { card: "many-to-many" },
    });
    expect(parseExpr("foo and bar unless baz or qux")).toMatchObject({
      op: "or",
      lhs: { op: "unless", lhs: { op: "and" } },
    });
  });

  it("parses vector matching modifiers", () => {
    expect(parseExpr("bar + on(foo) bla / on(baz, buz) group_right(test) blub")).toMatchObject({
      op: "+",
      matching: { card: "one-to-one", matchingLabels: ["foo"], on: true },
      rhs: {
        op: "/",
        matching: { card: "one-to-many", matchingLabels: ["baz", "buz"], on: true, include: ["test"] },
        rhs: sel("blub", 51, 55),
      },
    });
    expect(parseExpr("foo / ignoring(test,blub) group_left(blub) bar")).toMatchObject({
      matching: { card: "many-to-one", matchingLabels: ["test", "blub"], on: false, include: ["blub"] },
    });
    expect(parseExpr("foo * on(test,blub) group_left bar")).toMatchObject({
      matching: { card: "many-to-one", include: [] },
      rhs: sel("bar", 31, 34),
    });
    // A "(" right after group_left is its label list, not the right operand.
    expect(parseExpr("a - on(b) group_left() (c)")).toMatchObject({ rhs: { type: "parenExpr" } });
    expect(parseExpr("foo and on() bar")).toMatchObject({ matching: { card: "many-to-many", on: true } });
    expect(parseExpr("foo == bool 1")).toMatchObject({ returnBool: true, matching: null });
  });

  it("parses the fill modifiers", () => {
    expect(parseExpr("a + fill(0) b", ALL_EXPERIMENTAL)).toMatchObject({ matching: { fillValues: { lhs: 0, rhs: 0 } } });
    expect(parseExpr("a + fill_left(5) fill_right(7) b", ALL_EXPERIMENTAL)).toMatchObject({
      matching: { fillValues: { lhs: 5, rhs: 7 } },
    });
    expect(parseExpr("a + fill_right(-Inf) b", ALL_EXPERIMENTAL)).toMatchObject({
      matching: { fillValues: { lhs: null, rhs: -Infinity } },
    });
    expect(parseExpr("a > bool on(x) group_left fill_right(1) fill_left(2) b", ALL_EXPERIMENTAL)).toMatchObject({
      returnBool: true,
      matching: { card: "many-to-one", on: true, fillValues: { lhs: 2, rhs: 1 } },
    });
    // Metrics named fill keep working.
    expect(parseExpr("fill + fill_left")).toMatchObject({ lhs: sel("fill", 0, 4), rhs: sel("fill_left", 7, 16) });
  });
});

describe("parseExpr: selectors", () => {
  it.each<[string, object]>([
    ["foo", sel("foo", 0, 3)],
    ["min", sel("min", 0, 3)],
    ["start", sel("start", 0, 5)],
    ["anchored", sel("anchored", 0, 8)],
    ["foo offset 5m", sel("foo", 0, 13, { offset: 300000 })],
    ["foo offset -7m", sel("foo", 0, 14, { offset: -420000 })],
    ["foo OFFSET 1h30m", sel("foo", 0, 16, { offset: 5400000 })],
    ["foo @ 1603774568", sel("foo", 0, 16, { timestamp: 1603774568000 })],
    ["foo @ -100", sel("foo", 0, 10, { timestamp: -100000 })],
    ["foo @ .3", sel("foo", 0, 8, { timestamp: 300 })],
    ["foo @ 3.3335", sel("foo", 0, 12, { timestamp: 3334 })],
    ["foo @ 0xA", sel("foo", 0, 9, { timestamp: 10000 })],
    ["foo @ -3.3e1", sel("foo", 0, 12, { timestamp: -33000 })],
    ["foo @ 1m", sel("foo", 0, 8, { timestamp: 60000 })],
    ["foo @ start()", sel("foo", 0, 13, { startOrEnd: "start" })],
    ["foo @ end()", sel("foo", 0, 11, { startOrEnd: "end" })],
    ["foo offset step()", sel("foo", 0, 17, { offset: 0, offsetExpr: { type: "durationExpr", op: "step" } })],
    [
      `foo:bar{a="bc"}`,
      {
        type: "vectorSelector",
        name: "foo:bar",
        matchers: [
          { type: "=", name: "a", value: "bc" },
          { type: "=", name: "__name__", value: "foo:bar" },
        ],
        posRange: { start: 0, end: 15 },
      },
    ],
    [
      `foo{a="b", foo!="bar", test=~"test", bar!~"baz",}`,
      {
        matchers: [
          { type: "=", name: "a", value: "b" },
          { type: "!=", name: "foo", value: "bar" },
          { type: "=~", name: "test", value: "test" },
          { type: "!~", name: "bar", value: "baz" },
          { type: "=", name: "__name__", value: "foo" },
        ],
        posRange: { start: 0, end: 49 },
      },
    ],
    [
      `{"foo", a="bc"}`,
      {
        name: "",
        matchers: [
          { type: "=", name: "__name__", value: "foo" },
          { type: "=", name: "a", value: "bc" },
        ],
        posRange: { start: 0, end: 15 },
      },
    ],
    [
      `{"my.metric", "a.b"="x"}`,
      {
        name: "",
        matchers: [
          { type: "=", name: "__name__", value: "my.metric" },
          { type: "=", name: "a.b", value: "x" },
        ],
      },
    ],
    [
      `{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}`,
      {
        matchers: [
          { type: "=", name: "__name__", value: "foo'bar" },
          { type: "=", name: "a\\dos\\path", value: "boo\\urns" },
        ],
        posRange: { start: 0, end: 40 },
      },
    ],
    [`{__name__="bar", __name__="baz"}`, { matchers: [{ value: "bar" }, { value: "baz" }] }],
    [`foo{NaN='bc'}`, { matchers: [{ name: "NaN", value: "bc" }, { value: "foo" }] }],
    [`foo{bar='}'}`, { matchers: [{ name: "bar", value: "}" }, { value: "foo" }] }],
  ])("%s", (input, want) => {
    expect(parseExpr(input, ALL_EXPERIMENTAL)).toMatchObject(want);
  });

  it.each<[string, object]>([
    ["test[1000ms]", { type: "matrixSelector", range: 1000, vectorSelector: sel("test", 0, 4), posRange: { start: 0, end: 12 } }],
    ["test[5h] OFFSET 5m", { range: 5 * 3600000, vectorSelector: { offset: 300000 }, posRange: { start: 0, end: 18 } }],
    [`test{a="b"}[5y] OFFSET 3d`, { range: 5 * 365 * 86400000, posRange: { start: 0, end: 25 } }],
    [`test{a="b"}[5m] OFFSET 3600`, { vectorSelector: { offset: 3600000 }, posRange: { start: 0, end: 27 } }],
    ["test[5]", { range: 5000, posRange: { start: 0, end: 7 } }],
    ["foo[4.18] @ 2.345", { range: 4180, vectorSelector: { timestamp: 2345 }, posRange: { start: 0, end: 17 } }],
    ["foo[4.018] @ 2.345", { range: 4018, posRange: { start: 0, end: 18 } }],
    ["test[5y] @ start()", { vectorSelector: { startOrEnd: "start" }, posRange: { start: 0, end: 18 } }],
    [`offset{step="1s"}[5m]`, { vectorSelector: { name: "offset" }, range: 300000 }],
    ["foo[5m] anchored", { vectorSelector: { anchored: true, smoothed: false } }],
    ["foo smoothed", { type: "vectorSelector", smoothed: true }],
  ])("%s", (input, want) => {
    expect(parseExpr(input, ALL_EXPERIMENTAL)).toMatchObject(want);
  });

  it("parses subqueries", () => {
    expect(parseExpr(`foo{bar="baz"}[10m5s:1h6ms]`)).toMatchObject({
      type: "subquery",
      range: 605000,
      step: 3600006,
      posRange: { start: 0, end: 27 },
    });
    expect(parseExpr("foo[10m:]")).toMatchObject({ type: "subquery", range: 600000, step: 0, posRange: { end: 9 } });
    expect(parseExpr(`min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 4m)[4m:3s]`)).toMatchObject({
      type: "subquery",
      range: 240000,
      step: 3000,
      posRange: { start: 0, end: 61 },
      expr: {
        type: "call",
        posRange: { start: 0, end: 54 },
        args: [{ type: "subquery", offset: 240000, posRange: { start: 14, end: 53 } }],
      },
    });
    expect(parseExpr("some_metric[10m:5s] offset 1m @ 123")).toMatchObject({
      offset: 60000,
      timestamp: 123000,
      posRange: { start: 0, end: 35 },
    });
    expect(parseExpr("some_metric @ 123 offset 1m [10m:5s]")).toMatchObject({
      expr: sel("some_metric", 0, 27, { timestamp: 123000, offset: 60000 }),
      posRange: { end: 36 },
    });
    expect(parseExpr(`(foo + bar{nm="val"} @ 1234)[5m:] @ 1603775019`)).toMatchObject({
      timestamp: 1603775019000,
      posRange: { end: 46 },
    });
  });

  it("parses duration expressions", () => {
    expect(parseExpr("foo[11s+10s-5*2^2]", ALL_EXPERIMENTAL)).toMatchObject({
      range: 0,
      rangeExpr: {
        op: "-",
        lhs: { op: "+", lhs: num(11, 4, 7, true), rhs: num(10, 8, 11, true) },
        rhs: { op: "*", lhs: num(5, 12, 13), rhs: { op: "^", lhs: num(2, 14, 15), rhs: num(2, 16, 17) } },
      },
      posRange: { end: 18 },
    });
    expect(parseExpr("foo[-(10s-5s)+20s]", ALL_EXPERIMENTAL)).toMatchObject({
      rangeExpr: {
        op: "+",
        lhs: { op: "-", lhs: null, rhs: { op: "-", wrapped: true }, posRange: { start: 4 } },
        rhs: num(20, 14, 17, true),
      },
    });
    expect(parseExpr("foo[-10s+15s]", ALL_EXPERIMENTAL)).toMatchObject({
      rangeExpr: { op: "+", lhs: num(-10, 4, 8, true), rhs: num(15, 9, 12, true) },
    });
    expect(parseExpr("foo[  -  step  (  )  ]", ALL_EXPERIMENTAL)).toMatchObject({
      rangeExpr: { op: "-", rhs: { op: "step", posRange: { start: 9, end: 19 } }, posRange: { start: 6 } },
      posRange: { end: 22 },
    });
    expect(parseExpr("foo[4s+4s:1s*2] offset (5s-8)", ALL_EXPERIMENTAL)).toMatchObject({
      type: "subquery",
      rangeExpr: { op: "+" },
      stepExpr: { op: "*", rhs: num(2, 13, 14) },
      offsetExpr: { op: "-", wrapped: true },
      posRange: { end: 29 },
    });
    expect(parseExpr("foo[min_of(step()+1, 1h)]", ALL_EXPERIMENTAL)).toMatchObject({
      rangeExpr: { op: "min_of", lhs: { op: "+" }, rhs: num(3600, 21, 23, true) },
    });
    expect(parseExpr("foo offset -(1^2)", ALL_EXPERIMENTAL)).toMatchObject({
      offsetExpr: { op: "-", lhs: null, rhs: { op: "^", wrapped: true }, posRange: { start: 11 } },
      posRange: { end: 17 },
    });
    expect(parseExpr("foo offset (-1^2)", ALL_EXPERIMENTAL)).toMatchObject({
      offsetExpr: { op: "-", wrapped: true, rhs: { op: "^", wrapped: false } },
    });
  });

  it("ends a literal offset before following operators, as Prometheus", () => {
    expect(parseExpr("foo offset 5s-8")).toMatchObject({ op: "-", lhs: sel("foo", 0, 13, { offset: 5000 }), rhs: num(8, 14, 15) });
    expect(parseExpr("foo offset -1^1")).toMatchObject({ op: "^", lhs: { offset: -1000 } });
    expect(parseExpr("metric offset 100 + 2")).toMatchObject({ op: "+", lhs: { offset: 100000 } });
    expect(parseExpr("metric offset step()*0", ALL_EXPERIMENTAL)).toMatchObject({ op: "*", lhs: { offsetExpr: { op: "step" } } });
    expect(parseExpr("metric offset -min_of(step(), 1s)+8000", ALL_EXPERIMENTAL)).toMatchObject({
      op: "+",
      lhs: { offsetExpr: { op: "-", rhs: { op: "min_of" } } },
    });
    expect(parseExpr("metric offset (1m) * 2", ALL_EXPERIMENTAL)).toMatchObject({ op: "*", lhs: { offset: 60000 } });
    expect(parseExpr("metric offset (1m + 1m) * 2", ALL_EXPERIMENTAL)).toMatchObject({
      op: "*",
      lhs: { offsetExpr: { op: "+", wrapped: true } },
    });
  });
});

describe("parseExpr: aggregations and calls", () => {
  it.each<[string, object]>([
    ["sum by (foo)(some_metric)", { op: "sum", grouping: ["foo"], without: false, expr: sel("some_metric", 13, 24), posRange: { start: 0, end: 25 } }],
    ["sum by (anchored)(some_metric)", { grouping: ["anchored"], posRange: { end: 30 } }],
    [`sum by ("foo bar")({"some.metric"})`, { grouping: ["foo bar"], posRange: { end: 35 } }],
    [`sum by ("foo", bar, 'baz')({"some.metric"})`, { grouping: ["foo", "bar", "baz"], posRange: { end: 43 } }],
    ["sum without (foo) (some_metric)", { without: true, grouping: ["foo"], posRange: { end: 31 } }],
    ["sum (some_metric) without (foo)", { without: true, expr: sel("some_metric", 5, 16), posRange: { end: 31 } }],
    ["stddev(some_metric)", { op: "stddev", posRange: { end: 19 } }],
    ["sum by ()(some_metric)", { grouping: [], posRange: { end: 22 } }],
    ["sum by (foo,bar,)(some_metric)", { grouping: ["foo", "bar"] }],
    ["topk(5, some_metric)", { op: "topk", param: num(5, 5, 6), expr: sel("some_metric", 8, 19), posRange: { end: 20 } }],
    [`count_values("value", some_metric)`, { param: { type: "stringLiteral", val: "value" } }],
    ["sum without(and, by, avg, count, alert, annotations)(some_metric)", { grouping: ["and", "by", "avg", "count", "alert", "annotations"] }],
    ["SUM(x) BY (job)", { op: "sum", grouping: ["job"] }],
    ["sum(sum)", { expr: sel("sum", 4, 7), posRange: { end: 8 } }],
    ["limitk(2, x)", { op: "limitk", param: num(2, 7, 8) }],
    ["limit_ratio(0.5, x)", { op: "limit_ratio" }],
  ])("%s", (input, want) => {
    expect(parseExpr(input, ALL_EXPERIMENTAL)).toMatchObject({ type: "aggregation", ...want });
  });

  it.each<[string, object]>([
    ["time()", { func: { name: "time" }, args: [], posRange: { start: 0, end: 6 } }],
    [`floor(some_metric{foo!="bar"})`, { args: [{ posRange: { start: 6, end: 29 } }], posRange: { end: 30 } }],
    ["round(some_metric, 5)", { args: [{}, num(5, 19, 20)] }],
    ["step()", { func: { name: "step", returnType: "scalar" } }],
    ["start() + end()", {}],
    ["min_of(3, 5)", { func: { name: "min_of" } }],
    ["label_join(x, \"a\", \",\", \"b\", \"c\")", { args: [{}, {}, {}, {}, {}] }],
    [`info(http_request_counter_total{namespace="zzz"}, {foo="bar", bar="baz"})`, { args: [{}, { bypassEmptyMatcherCheck: true }] }],
  ])("%s", (input, want) => {
    const e = parseExpr(input, ALL_EXPERIMENTAL);
    if (e.type === "call") expect(e).toMatchObject(want);
    else expect(e.type).toBe("binaryExpr");
  });
});

describe("parseExpr: check-pass normalization", () => {
  it("drops vector matching unless both sides are instant vectors", () => {
    expect(parseExpr("foo + 1")).toMatchObject({ matching: null });
    expect(parseExpr("1 + 1")).toMatchObject({ matching: null });
    expect(parseExpr("foo + bar")).toMatchObject({ matching: { card: "one-to-one" } });
    expect(parseExpr("foo or bar")).toMatchObject({ matching: { card: "many-to-many" } });
  });
});

describe("parseExpr: errors", () => {
  it.each<[string, string, number, number]>([
  ["", "no expression found in input", 0, 0],
  ["# just a comment\n\n", "no expression found in input", 0, 0],
  ["1+", "unexpected end of input", 2, 2],
  [".", "unexpected character: '.'", 0, 1],
  ["2.5.", `bad number or duration syntax: "2.5."`, 0, 4],
  ["100..4", `bad number or duration syntax: "100.."`, 0, 6],
  ["0deadbeef", `bad number or duration syntax: "0de"`, 0, 9],
  ["1 /", "unexpected end of input", 3, 3],
  ["*1", "unexpected <op:*>", 0, 1],
  ["(1))", "unexpected right parenthesis ')'", 4, 4],
  ["((1)", "unclosed left parenthesis", 4, 4],
  ["(", "unclosed left parenthesis", 1, 1],
  ["1 and 1", `set operator "and" not allowed in binary scalar expression`, 0, 7],
  ["1 == 1", "comparisons between scalars must use BOOL modifier", 2, 3],
  ["1 !~ 1", "unexpected character after '!': '~'", 2, 6],
  ["1 =~ 1", "unexpected character after '=': '~'", 2, 6],
  [`-"string"`, `unary expression only allowed on expressions of type scalar or instant vector, got "string"`, 0, 9],
  [`-test[5m]`, `unary expression only allowed on expressions of type scalar or instant vector, got "range vector"`, 0, 9],
  ["@@", "unexpected <op:@>", 0, 1],
  ["1 offset 1d", "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 1],
  ["foo offset 1s offset 2s", "offset may not be set multiple times", 0, 13],
  ["a - on(b) ignoring(c) d", "unexpected <ignoring>", 10, 18],
  ["foo and 1", `set operator "and" not allowed in binary scalar expression`, 0, 9],
  ["1 or on(bar) foo", "vector matching only allowed between instant vectors", 0, 16],
  ["foo == on(bar) 10", "vector matching only allowed between instant vectors", 0, 17],
  ["foo + group_left(baz) bar", "unexpected <group_left>", 6, 16],
  ["foo and on(bar) group_left(baz) bar", `no grouping allowed for "and" operation`, 0, 35],
  [`http_requests{group="production"} + on(instance) group_left(job,instance) cpu_count{type="smp"}`, `label "instance" must not occur in ON and GROUP clause at once`, 34, 72],
  ["foo + bool bar", "bool modifier can only be used on comparison operators", 4, 9],
  ["foo and bool 10", "bool modifier can only be used on comparison operators", 4, 11],
  ["foo @ +Inf", "timestamp out of bounds for @ modifier: +Inf", 0, 3],
  ["foo @ NaN", "timestamp out of bounds for @ modifier: NaN", 0, 3],
  ["foo @ 9223372036854775808", "timestamp out of bounds for @ modifier: 9223372036854775808.000000", 0, 3],
  ["{", "unexpected end of input inside braces", 1, 1],
  ["}", "unexpected character: '}'", 0, 1],
  ["some{", "unexpected end of input inside braces", 5, 5],
  ["some}", "unexpected character: '}'", 4, 5],
  ["some_metric{a=b}", `unexpected identifier "b" in label matching, expected string`, 14, 15],
  [`some_metric{a:b="b"}`, "unexpected character inside braces: ':'", 13, 20],
  [`foo{a*"b"}`, "unexpected character inside braces: '*'", 5, 10],
  [`foo{a>="b"}`, "unexpected character inside braces: '>'", 5, 11],
  ["some_metric{a=\"\ufffd\"}", "invalid UTF-8 rune", 14, 18],
  ["foo{gibberish}", `unexpected "}" in label matching, expected label matching operator`, 13, 14],
  ["foo{1}", "unexpected character inside braces: '1'", 4, 6],
  ["{}", "vector selector must contain at least one non-empty matcher", 0, 2],
  [`{x=""}`, "vector selector must contain at least one non-empty matcher", 0, 6],
  [`{x=~".*"}`, "vector selector must contain at least one non-empty matcher", 0, 9],
  [`{x!~".+"}`, "vector selector must contain at least one non-empty matcher", 0, 9],
  [`{x!="a"}`, "vector selector must contain at least one non-empty matcher", 0, 8],
  [`foo{__name__="bar"}`, `metric name must not be set twice: "foo" or "bar"`, 0, 19],
  ["foo{__name__= =}", `unexpected "=" in label matching, expected string`, 14, 15],
  ["foo{,}", `unexpected "," in label matching, expected identifier or "}"`, 4, 5],
  [`foo{__name__ == "bar"}`, `unexpected "=" in label matching, expected string`, 14, 15],
  [`foo{__name__="bar" lol}`, `unexpected identifier "lol" in label matching, expected "," or "}"`, 19, 22],
  [`foo{"a"=}`, `unexpected "}" in label matching, expected string`, 8, 9],
  ["foo[5mm]", `bad number or duration syntax: "5mm"`, 4, 8],
  ["foo[5m1]", `bad number or duration syntax: "5m1"`, 4, 8],
  ["foo[5m:1m1]", `bad number or duration syntax: "1m1"`, 7, 11],
  ["foo[5y1hs]", `unknown unit "hs" in duration "5y1hs"`, 4, 9],
  ["foo[5m1h]", `not a valid duration string: "5m1h"`, 4, 8],
  ["foo[0m]", "duration must be greater than 0", 4, 6],
  [`foo["5m"]`, `unexpected character in duration expression: '"'`, 4, 9],
  ["foo[]", `unexpected "]" in subquery or range selector, expected number, duration, step(), or range()`, 4, 5],
  ["foo[-1]", "duration must be greater than 0", 4, 6],
  ["some_metric[5m] OFFSET 1mm", `bad number or duration syntax: "1mm"`, 23, 26],
  ["some_metric[5m] OFFSET", "unexpected end of input in offset, expected number, duration, step(), or range()", 22, 22],
  ["some_metric OFFSET 1m[5m]", "no offset modifiers allowed before range", 21, 25],
  ["some_metric[5m] @", "unexpected end of input in @, expected timestamp", 17, 17],
  ["some_metric @ 1234 [5m]", "no @ modifiers allowed before range", 19, 23],
  ["(foo + bar)[5m]", "ranges only allowed for vector selectors", 11, 15],
  [`sum by ("foo)(some_metric{})`, "unterminated quoted string", 8, 28],
  ["sum without(==)(some_metric)", "unexpected <op:==> in grouping opts, expected label", 12, 14],
  ["sum without(,)(some_metric)", `unexpected "," in grouping opts, expected label`, 12, 13],
  ["sum without(foo,,)(some_metric)", `unexpected "," in grouping opts, expected label`, 16, 17],
  ["sum some_metric by (test)", `unexpected identifier "some_metric"`, 4, 15],
  ["sum (some_metric) by test", `unexpected identifier "test" in grouping opts, expected "("`, 21, 25],
  ["sum () by (test)", "no arguments for aggregate expression provided", 0, 16],
  ["MIN keep_common (some_metric)", `unexpected identifier "keep_common"`, 4, 15],
  ["MIN (some_metric) keep_common", `unexpected identifier "keep_common"`, 18, 29],
  ["sum (some_metric) without (test) by (test)", "unexpected <by>", 33, 35],
  ["sum without (test) (some_metric) by (test)", "unexpected <by>", 33, 35],
  ["topk(some_metric)", "wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 17],
  ["topk(some_metric,)", "trailing commas not allowed in function call args", 16, 17],
  ["topk(some_metric, other_metric)", "expected type scalar in aggregation parameter, got instant vector", 5, 16],
  ["count_values(5, other_metric)", "expected type string in aggregation parameter, got scalar", 13, 14],
  ["rate(some_metric[5m]) @ 1234", "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", 0, 21],
  ["floor()", `expected 1 argument(s) in call to "floor", got 0`, 0, 7],
  ["floor(some_metric, other_metric)", `expected 1 argument(s) in call to "floor", got 2`, 0, 32],
  ["floor(1)", `expected type instant vector in call to function "floor", got scalar`, 6, 7],
  ["hour(some_metric, some_metric, some_metric)", `expected at most 1 argument(s) in call to "hour", got 3`, 0, 43],
  ["time(some_metric)", `expected 0 argument(s) in call to "time", got 1`, 0, 17],
  ["non_existent_function_far_bar()", `unknown function with name "non_existent_function_far_bar"`, 0, 29],
  ["rate(some_metric)", `expected type range vector in call to function "rate", got instant vector`, 5, 16],
  ["label_replace(a, `b`, `c\ufffd`, `d`, `.*`)", "invalid UTF-8 rune", 22, 38],
  ["-=", `unexpected "="`, 1, 2],
  ["++-++-+-+-<", "unexpected <op:<>", 10, 11],
  ["e-+=/(0)", `unexpected "="`, 3, 4],
  ["a>b()", `unknown function with name "b"`, 2, 3],
  ["rate(avg)", `expected type range vector in call to function "rate", got instant vector`, 5, 8],
  ["`\\``", "unterminated raw string", 3, 4],
  [`"\\`, "escape sequence not terminated", 0, 2],
  [`"\\c"`, "unknown escape sequence U+0063 'c'", 0, 4],
  [`"\\x."`, "illegal character U+002E '.' in escape sequence", 0, 5],
  [`foo{bar="baz"}[`, "unexpected end of input in duration expression", 15, 15],
  ["test[5d] OFFSET 10s [10m:5s]", "subquery is only allowed on instant vector, got matrix instead", 0, 28],
  [`(foo + bar{nm="val"})[5m:][10m:5s]`, "subquery is only allowed on instant vector, got matrix instead", 0, 34],
  ["rate(food[1m])[1h] offset 1h", "ranges only allowed for vector selectors", 14, 18],
  [`info(rate(http_request_counter_total{}[5m]), target_info{foo="bar"})`, "expected label selectors only, got vector selector instead", 45, 67],
  [`info(http_request_counter_total{namespace="zzz"}, {foo="bar"} == 1)`, "expected label selectors only", 50, 66],
  ["foo[step]", `unexpected "]" in subquery or range selector, expected number, duration, step(), or range()`, 8, 9],
  ["foo[step()/0d]", "division by zero", 10, 11],
  ["foo[5s/0d]", "division by zero", 6, 7],
  ["foo offset (4d/0)", "division by zero", 14, 15],
  ["foo[5s%0d]", "modulo by zero", 6, 7],
  ["foo offset 9.5e10", "duration out of range", 11, 17],
  ["foo[9.5e10]", "duration out of range", 4, 10],
  ["sum(", "unclosed left parenthesis", 4, 4],
  ["sum(rate(", "unclosed left parenthesis", 9, 9],
  ["foo[5s x 5s]", "unexpected character: 'x', expected ':'", 7, 12],
  ["foo[5s s 5s]", "unexpected character: 's', expected ':'", 7, 12],
  ["'a' + 1", "binary expression must contain only scalar and instant vector types", 0, 3],
  ])("%j fails with %s", (input, reason, start, end) => {
    const err = parseError(input);
    expect({ reason: err.reason, start: err.start, end: err.end }).toEqual({ reason, start, end });
  });

  it("formats messages as Prometheus does", () => {
    expect(parseError("1 + ").message).toBe("1:5: parse error: unexpected end of input");
    expect(parseError("").message).toBe("unknown position: parse error: no expression found in input");
    expect(parseError("sum(\n  foo +\n)").message).toBe('3:1: parse error: unexpected ")" in aggregation');
    // Columns count bytes, as in Go.
    const e = parseError(`{a="é"} +`);
    expect(e.message).toBe("1:11: parse error: unexpected end of input");
    expect([e.line, e.column, e.start, e.end]).toEqual([1, 11, 9, 9]);
  });

  it("keeps every error, first one first", () => {
    const err = parseError("topk(some_metric,)");
    expect(err.errors.map((x) => x.reason)).toEqual([
      "trailing commas not allowed in function call args",
      "wrong number of arguments for aggregate expression provided, expected 2, got 1",
    ]);
  });

  it.each<[string, string]>([
    ["sum(foo bar)", `unexpected identifier "bar" in aggregation`],
    ["sum by (x) foo", `unexpected identifier "foo" in aggregation`],
    ["rate(foo bar)", `unexpected identifier "bar"`],
    ["sum by (a b) (x)", `unexpected identifier "b" in grouping opts, expected "," or ")"`],
    ["foo[5m 1m]", `unexpected duration "1m" in subquery or range, expected ":" or "]"`],
    ["foo[5m+]", `unexpected "]" in subquery or range selector, expected number, duration, step(), or range()`],
    ["foo[5m:1m 1]", `unexpected number "1" in subquery selector, expected "]"`],
    ["foo[5m:*]", `unexpected <op:*> in subquery selector, expected number, duration, step(), range(), or "]"`],
    ["foo @ bar", `unexpected identifier "bar" in @, expected timestamp`],
    ["foo @ start", `unexpected end of input in @, expected timestamp`],
    ["foo offset bar", `unexpected identifier "bar" in offset, expected number, duration, step(), or range()`],
    ["foo offset (1 +)", `unexpected ")" in offset, expected number, duration, step(), or range()`],
    ["a > bool", "unexpected end of input"],
    ["a + fill(x) b", `unexpected identifier "x"`],
    ["x{a=\"b\",,}", `unexpected "," in label matching, expected identifier or "}"`],
    [`{"a" "b"}`, `unexpected string "\\"b\\"" in label matching, expected "," or "}"`],
  ])("%s fails with %s", (input, reason) => {
    expect(parseError(input).reason).toBe(reason);
  });

  it("checks regular expressions with RE2 syntax", () => {
    const err = parseError(`foo{a=~"(.*"}`);
    expect(err.reason).toBe("error parsing regexp: missing closing ): `(.*`");
    expect([err.start, err.end]).toEqual([4, 12]);
    expect(parseError(`foo{a!~"a**"}`).reason).toBe("error parsing regexp: invalid nested repetition operator: `**`");
    expect(parseError(`foo{a=~"(?<=x)y"}`).reason).toMatch(/^error parsing regexp: /);
  });
});

describe("parseExpr: experimental features are off by default", () => {
  it.each<[string, string, number, number]>([
    ["limitk(1, x)", "limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions", 0, 12],
    ["info(x)", `function "info" is not enabled`, 0, 4],
    ["sort_by_label(x, \"a\")", `function "sort_by_label" is not enabled`, 0, 13],
    ["x[5m+1m]", "experimental duration expression is not enabled", 2, 4],
    ["x offset (5m)", "experimental duration expression is not enabled", 10, 12],
    ["x[5m] anchored", "anchored modifier is experimental and not enabled", 0, 5],
    ["x smoothed", "smoothed modifier is experimental and not enabled", 0, 1],
    ["a + fill(0) b", "binop fill modifiers are experimental and not enabled", 0, 13],
  ])("%s", (input, reason, start, end) => {
    const err = parseError(input, {});
    expect({ reason: err.reason, start: err.start, end: err.end }).toEqual({ reason, start, end });
  });

  it("allows the stable parts without flags", () => {
    expect(() => parseExpr("first_over_time(x[5m])")).not.toThrow();
    expect(() => parseExpr("x[5] offset 1")).not.toThrow();
    expect(() => parseExpr("x[step()]")).not.toThrow();
    expect(() => parseExpr("h </ 1")).not.toThrow();
  });

  it("reports misuse of the extended range modifiers", () => {
    expect(parseError("(foo) anchored").reason).toBe("anchored modifier not implemented");
    expect(parseError("foo[5m:] smoothed").reason).toBe("smoothed modifier is not supported for subqueries");
    expect(parseError("foo[5m] anchored smoothed").reason).toBe("anchored and smoothed modifiers cannot be used together");
  });

  it("reports misuse of the fill modifiers", () => {
    expect(parseError("a and fill(0) b").reason).toBe("filling in missing series not allowed for set operators");
    expect(parseError("1 + fill(0) b").reason).toBe("filling in missing series only allowed between instant vectors");
  });
});

describe("parseMetricSelector", () => {
  it("returns the matchers, name last", () => {
    expect(parseMetricSelector(`up{job="api", instance=~"a.*"}`)).toEqual([
      { type: "=", name: "job", value: "api" },
      { type: "=~", name: "instance", value: "a.*" },
      { type: "=", name: "__name__", value: "up" },
    ]);
    expect(parseMetricSelector(`{"my.metric"}`)).toEqual([{ type: "=", name: "__name__", value: "my.metric" }]);
    expect(parseMetricSelector("sum")).toEqual([{ type: "=", name: "__name__", value: "sum" }]);
  });

  it("accepts an empty selector (no type check)", () => {
    expect(parseMetricSelector("{}")).toEqual([]);
  });

  it("rejects anything but a selector", () => {
    expect(() => parseMetricSelector("up + 1")).toThrow("1:4: parse error: unexpected <op:+>");
    expect(() => parseMetricSelector("rate(x[5m])")).toThrow(`1:5: parse error: unexpected "("`);
    expect(() => parseMetricSelector(`up{a=~"("}`)).toThrow("missing closing )");
  });
});

// Keeps the Expr type referenced for readers of the table above.
export type { Expr };
