import { describe, expect, it } from "vitest";
import { ALL_EXPERIMENTAL, parseExpr } from "./parser";
import { exprToString, prettify } from "./printer";

const str = (q: string) => exprToString(parseExpr(q, ALL_EXPERIMENTAL));
const pretty = (q: string, width = 10) => prettify(parseExpr(q, ALL_EXPERIMENTAL), width);

describe("exprToString (Prometheus String())", () => {
  it.each<[string, string?]>([
    [`sum by() (task:errors:rate10s{job="s"})`, `sum(task:errors:rate10s{job="s"})`],
    [`sum by(code) (task:errors:rate10s{job="s"})`, `sum by (code) (task:errors:rate10s{job="s"})`],
    [`sum(x) by (a,b)`, `sum by (a, b) (x)`],
    [`sum without() (x)`, `sum without () (x)`],
    [`sum without(instance) (x)`, `sum without (instance) (x)`],
    [`sum by ("foo bar", job) (x)`, `sum by ("foo bar", job) (x)`],
    [`topk(5, task:errors:rate10s{job="s"})`],
    [`count_values("value", x)`],
    [`quantile(0.9, x)`],
    [`a - on() c`, `a - on () c`],
    [`a - on(b) c`, `a - on (b) c`],
    [`a - on(b) group_left(x, y) c`, `a - on (b) group_left (x, y) c`],
    [`a - on(b) group_left c`, `a - on (b) group_left () c`],
    [`a - on(b) group_left() (c)`, `a - on (b) group_left () (c)`],
    [`a - ignoring(b) c`, `a - ignoring (b) c`],
    [`a - ignoring() c`, `a - c`],
    [`a - ignoring() group_right c`, `a - ignoring () group_right () c`],
    [`a and on("my.label") b`, `a and on ("my.label") b`],
    [`up > bool 0`],
    [`a offset 1m`],
    [`a offset -7m`],
    [`a offset 90m`, `a offset 1h30m`],
    [`a{c="d"}[5m] offset 1m`],
    [`a[12m] offset -3m`],
    [`a[1h:5m] offset 1m`],
    [`a[1h:] @ 100`, `a[1h:] @ 100.000`],
    [`{__name__="a"}`],
    [`a{b!="c"}[1m]`],
    [`a{b=~"c"}[1m]`],
    [`a{b!~"c"}[1m]`],
    [`a{z="1", a="2", "é.x"="3"}`, `a{"é.x"="3",a="2",z="1"}`],
    [`{"my.metric", "a.b"="x"}`, `{"a.b"="x",__name__="my.metric"}`],
    [`a @ 10`, `a @ 10.000`],
    [`a @ 1.5`, `a @ 1.500`],
    [`a[1m] @ 10`, `a[1m] @ 10.000`],
    [`a @ start()`],
    [`a[1m] @ end()`],
    [`a offset 1m @ 10`, `a @ 10.000 offset 1m`],
    [`a[5m] offset 1m @ end() anchored`, `a[5m] anchored @ end() offset 1m`],
    [`a smoothed offset 1m @ 10`, `a @ 10.000 smoothed offset 1m`],
    [`rate(a[5m:1m] offset 1m)`],
    [`0x1f + 0755 + 1e3 + Inf - -Inf + NaN`, `31 + 493 + 1000 + +Inf - -Inf + NaN`],
    [`1e21`, `1000000000000000000000`],
    [`-0.05`],
    [`5m + 90s + 0s`, `5m + 1m30s + 0s`],
    [`-1h`],
    [`'a"b'`, `"a\\"b"`],
    ["`raw\\n`", `"raw\\\\n"`],
    [`"\\xff\\u00e9\\U0001F600\\t"`, `"\\xffé😀\\t"`],
    [`-(1)`],
    [`- - foo`, `--foo`],
    [`-1^2`, `-1 ^ 2`],
    [`(a + b) * c`],
    [`a + fill(0) b`, `a + fill (0) b`],
    [`a + fill_left(1) fill_right(2) b`, `a + fill_left (1) fill_right (2) b`],
    [`a + fill_right(-1) fill_left(-1) b`, `a + fill (-1) b`],
    [`a + fill(NaN) b`, `a + fill_left (NaN) fill_right (NaN) b`],
    [`a + fill(1e6) b`, `a + fill (1e+06) b`],
    [`a * on(x) group_left(y) fill_right(0) b`, `a * on (x) group_left (y) fill_right (0) b`],
    [`h </ 5 >/ 1`],
    [`foo[2*1h]`, `foo[2 * 1h]`],
    [`foo[-5m+35m]`, `foo[-5m + 35m]`],
    [`foo[-(10s-5s)+20s]`, `foo[-(10s - 5s) + 20s]`],
    [`foo[1h:step()*2]`, `foo[1h:step() * 2]`],
    [`foo[min_of(step()+1,1h)]`, `foo[min_of(step() + 1, 1h)]`],
    [`foo[MAX(range(),5s)]`, `foo[max(range(), 5s)]`],
    [`foo offset -step()`],
    [`foo offset (1h + 5m)`],
    [`foo offset -(1h + 5m)`],
    [`foo offset (5m)`, `foo offset 5m`],
    [`foo offset -min_of(step(), 1s)`],
    [`start() - end() * step() / range()`],
    [`label_replace(up{job="api-server",service="a:c"}, "foo", "$1", "service", "(.*):.*")`],
  ])("%s", (input, want) => {
    expect(str(input)).toBe(want ?? input);
  });
});

describe("prettify (Prometheus Pretty / format_query)", () => {
  it("leaves short expressions on one line", () => {
    expect(pretty("sum(foo)")).toBe("sum(foo)");
    expect(pretty("a+b")).toBe("a + b");
    expect(pretty("(1 + 2)")).toBe("(1 + 2)");
    expect(pretty("-1")).toBe("-1");
    expect(pretty("a @ 1")).toBe("a @ 1.000");
    expect(pretty(`rate(foo[5m])`, 100)).toBe("rate(foo[5m])");
  });

  it("splits aggregations", () => {
    expect(pretty(`sum without(job,foo) (task:errors:rate10s{job="s"})`)).toBe(
      `sum without (job, foo) (\n  task:errors:rate10s{job="s"}\n)`,
    );
    expect(pretty(`topk(10, ask:errors:rate10s{job="s"})`)).toBe(`topk(\n  10,\n  ask:errors:rate10s{job="s"}\n)`);
    expect(pretty(`sum by(job,foo) # comment\n(sum by(job,foo) (task:errors:rate10s{job="s"}))`)).toBe(
      `sum by (job, foo) (\n  sum by (job, foo) (\n    task:errors:rate10s{job="s"}\n  )\n)`,
    );
  });

  it("splits binary expressions with the operator on its own line", () => {
    expect(pretty("a == bool 1")).toBe("  a\n== bool\n  1");
    expect(pretty("a + ignoring(job) b")).toBe("  a\n+ ignoring (job)\n  b");
    expect(pretty("foo_1 + foo_2 + foo_3")).toBe("    foo_1\n  +\n    foo_2\n+\n  foo_3");
    expect(pretty("foo + baar + foo_3")).toBe("  foo + baar\n+\n  foo_3");
    expect(pretty("foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3")).toBe(
      "    foo_1\n  + ignoring (foo)\n    foo_2\n+ ignoring (job) group_left ()\n  foo_3",
    );
  });

  it("splits calls and parentheses", () => {
    expect(pretty("rate(foo[1m])")).toBe("rate(\n  foo[1m]\n)");
    expect(pretty("histogram_quantile(0.9, rate(foo[1m]))")).toBe(
      "histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)",
    );
    expect(pretty("((foo_long))")).toBe("(\n  (foo_long)\n)");
    expect(pretty("(foo_long + bar_long)")).toBe("(\n    foo_long\n  +\n    bar_long\n)");
  });

  it("prints subqueries and unary expressions like Prometheus", () => {
    expect(pretty("max_over_time(rate(demo_api_request_duration_seconds_count[1m])[1m:] @ start() offset 1m)")).toBe(
      "max_over_time(\n  rate(\n    demo_api_request_duration_seconds_count[1m]\n  )[1m:] @ start() offset 1m\n)",
    );
    expect(pretty("-histogram_quantile(0.9, -rate(foo[1m] @ start()))")).toBe(
      "-histogram_quantile(\n  0.9,\n  -rate(\n    foo[1m] @ start()\n  )\n)",
    );
    expect(pretty("rate(foo[2*1h])")).toBe("rate(\n  foo[2 * 1h]\n)");
    // Prometheus does not indent a subquery short enough to stay on one line.
    expect(pretty("min_over_time(x[1m:])", 8)).toBe("min_over_time(\nx[1m:]\n)");
  });

  it("uses a 100-byte limit by default", () => {
    const q = `sum by (job) (rate(http_requests_total{job="api-server", handler="/api/v1/query_range", code="200"}[5m])) > 0`;
    expect(prettify(parseExpr(q))).toBe(
      "  sum by (job) (\n" +
        // The limit applies to a node's own text, indentation excluded.
        `    rate(http_requests_total{code="200",handler="/api/v1/query_range",job="api-server"}[5m])\n` +
        "  )\n" +
        ">\n" +
        "  0",
    );
  });
});
