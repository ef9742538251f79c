import { describe, expect, it } from "vitest";
import { checkAST, matcherMatches, validateRegexMatcher } from "./check";
import { ALL_EXPERIMENTAL, Parser } from "./parser";
import type { Expr } from "./ast";

/** Parses without the check pass, so that checkAST can be exercised directly. */
function parseOnly(q: string): Expr {
  const p = new Parser(q, ALL_EXPERIMENTAL);
  const e = p.parseQuery();
  if (!e || p.errors.length) throw new Error(`parse failed: ${JSON.stringify(p.errors)}`);
  return e;
}

const reasons = (q: string) => checkAST(parseOnly(q), q).map((e) => e.reason);

describe("checkAST", () => {
  it.each<[string, string[]]>([
    ["rate(x[5m])", []],
    ["rate(x)", [`expected type range vector in call to function "rate", got instant vector`]],
    ["histogram_quantile(x, y)", [`expected type scalar in call to function "histogram_quantile", got instant vector`]],
    ["round(x, 1, 2)", [`expected at most 2 argument(s) in call to "round", got 3`]],
    ["label_join(x, 'a')", [`expected at least 3 argument(s) in call to "label_join", got 2`]],
    ["label_join(x, 'a', ',', 'b', 'c', 'd')", []],
    ["label_join(x, 'a', ',', 'b', 1)", [`expected type string in call to function "label_join", got scalar`]],
    ["sort_by_label(x)", []],
    ["vector(1) + on(a) group_left(a) vector(2)", [`label "a" must not occur in ON and GROUP clause at once`]],
    ["x + ignoring(a) group_left(a) y", []],
    ["x + on(a) 1", ["vector matching only allowed between instant vectors"]],
    ["1 + on() x", []],
    ["x[5m] + 1", ["binary expression must contain only scalar and instant vector types"]],
    [`"a" + 1`, ["binary expression must contain only scalar and instant vector types"]],
    ["1 and x", [`set operator "and" not allowed in binary scalar expression`]],
    ["x or on(a) group_right y", [`no grouping allowed for "or" operation`, "set operations must always be many-to-many"]],
    ["1 > 2", ["comparisons between scalars must use BOOL modifier"]],
    ["1 > bool 2", []],
    ["x * bool y", ["bool modifier can only be used on comparison operators"]],
    ["x </ bool 1", ["bool modifier can only be used on comparison operators"]],
    ["sum(x[5m])", ["expected type instant vector in aggregation expression, got range vector"]],
    ["quantile('a', x)", ["expected type scalar in aggregation parameter, got string"]],
    ["count_values(1, x)", ["expected type string in aggregation parameter, got scalar"]],
    ["-x[5m]", [`unary expression only allowed on expressions of type scalar or instant vector, got "range vector"`]],
    ["x[5m][1h:]", ["subquery is only allowed on instant vector, got matrix instead"]],
    ["1[1h:]", ["subquery is only allowed on instant vector, got scalar instead"]],
    ["info(x, y)", ["expected label selectors only, got vector selector instead"]],
    ["info(x, {a=~'.*'})", []],
    ["{a=~'.*'}", ["vector selector must contain at least one non-empty matcher"]],
    ["{a=~'.+'}", []],
    ["{a!=''}", []],
    [`{__name__="a"}`, []],
    [`foo{__name__="a"}`, [`metric name must not be set twice: "foo" or "a"`]],
    [`foo{"bar"}`, [`metric name must not be set twice: "foo" or "bar"`]],
  ])("%s", (q, want) => {
    expect(reasons(q)).toEqual(want);
  });

  it("normalizes vector matching like Go's checkAST", () => {
    const setOp = parseOnly("a and b");
    checkAST(setOp, "a and b");
    expect(setOp).toMatchObject({ matching: { card: "many-to-many" } });
    const scalar = parseOnly("a + 1");
    checkAST(scalar, "a + 1");
    expect(scalar).toMatchObject({ matching: null });
  });
});

describe("label matcher helpers", () => {
  it("matches fully anchored RE2 regexes where . matches newlines", () => {
    expect(matcherMatches({ type: "=~", name: "a", value: "fo+" }, "foo")).toBe(true);
    expect(matcherMatches({ type: "=~", name: "a", value: "fo+" }, "xfoo")).toBe(false);
    expect(matcherMatches({ type: "=~", name: "a", value: "a.b" }, "a\nb")).toBe(true);
    expect(matcherMatches({ type: "!~", name: "a", value: ".+" }, "")).toBe(true);
    expect(matcherMatches({ type: "!=", name: "a", value: "" }, "")).toBe(false);
  });

  it("reports regex errors in Go's words", () => {
    expect(validateRegexMatcher("a(")).toBe("error parsing regexp: missing closing ): `a(`");
    expect(validateRegexMatcher("[z-a]")).toBe("error parsing regexp: invalid character class range: `z-a`");
    expect(validateRegexMatcher("(?P<n>x)|\\d")).toBeNull();
  });
});
