// parse → print → parse must be stable: the printed form parses back to an
// equivalent tree and prints identically (for both exprToString and prettify).
// Runs over our own list and, when present, over every `eval` expression of
// Prometheus's test scripts in ../shared/promql-tests (read at test time, never
// copied into the project).

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_EXPERIMENTAL, parseExpr } from "./parser";
import { exprToString, prettify } from "./printer";
import { astToJSON } from "./ast-json";
import type { Expr } from "./ast";

const OWN = [
  "1",
  "-1.5e-3",
  "0x1F * 0755",
  "Inf + -Inf + NaN",
  "5m + 1h30m - 0s",
  `"string" `,
  "'single'",
  "`raw \\d`",
  `"\\xc5\\u00e9\\U0001F600\\n"`,
  "foo",
  "foo:bar:baz",
  `foo{a="b", c!="d", e=~"f.*", g!~"h|i",}`,
  `{"my.metric", "a.b"="x", __name__!=""}`,
  `{__name__=~"a|b"}`,
  "foo offset 5m",
  "foo offset -1h30m",
  "foo @ 1603774568.5",
  "foo @ start() offset 1m",
  "foo[5m] @ end() offset -1m",
  "foo[1h:] offset 1d",
  "foo[1h:5m] @ 100",
  "rate(foo[5m])[1h:1m]",
  "sum by (a, b) (rate(x[5m]))",
  "sum(rate(x[5m])) without (instance)",
  `sum by ("weird name", le) (x)`,
  "topk by (job) (3, x)",
  `count_values without () ("v", x)`,
  "quantile(0.9, x)",
  "limitk(1, x) + limit_ratio(-0.5, x)",
  "a + b * c ^ d ^ e - f / g % h",
  "(a + b) * (c - d)",
  "-a ^ -b",
  "- - -1",
  "a atan2 b",
  "a == bool b != bool c",
  "a and b or c unless d",
  "a + on(x, y) group_left(z) b",
  "a - ignoring(x) group_right() b",
  "a * on() group_left b",
  "a + fill(0) b",
  "a + fill_left(-1) fill_right(+Inf) b",
  "a < on(x) fill(NaN) b",
  "h </ 0.5 >/ 0.1",
  "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
  `label_replace(up, "dst", "$1", "src", "(.*)")`,
  "sort_by_label(x, \"a\", \"b\")",
  "info(x, {k=~\".+\"})",
  "step() + range() - start() * end()",
  "min_of(1, max_of(2, 3))",
  "foo[5m] anchored",
  "rate(foo[5m] smoothed offset 1m)",
  "foo[5m * 2]",
  "foo[-5m + 35m:step() / 2]",
  "foo[min_of(step() + 1, 1h)]",
  "foo offset (1h + 5m)",
  "foo offset -(1h + 5m)",
  "foo offset -step()",
  "foo offset max(3s, min_of(step(), 1s)) + 8000",
  "foo[2m * (10 + 5)]",
  "foo[1h30m % 1h]",
  "sum(\n  rate(x[5m]) # a comment\n)",
];

/** JSON of the tree, with matcher order normalized (the printer sorts matchers). */
function shape(e: Expr): string {
  return JSON.stringify(astToJSON(e), (key, value) =>
    key === "matchers" ? [...value].map((m) => JSON.stringify(m)).sort() : value,
  );
}

function roundTrip(q: string): void {
  const first = parseExpr(q, ALL_EXPERIMENTAL);
  const printed = exprToString(first);
  const second = parseExpr(printed, ALL_EXPERIMENTAL);
  expect(exprToString(second)).toBe(printed);
  expect(shape(second)).toBe(shape(first));
  const pretty = prettify(first);
  expect(exprToString(parseExpr(pretty, ALL_EXPERIMENTAL))).toBe(printed);
  // A narrow width forces every split path of the pretty printer.
  expect(exprToString(parseExpr(prettify(first, 10), ALL_EXPERIMENTAL))).toBe(printed);
}

describe("round trip: own expressions", () => {
  it.each(OWN)("%s", (q) => roundTrip(q));
});

const CORPUS_DIR = path.resolve(__dirname, "../../../../shared/promql-tests");
const EVAL_LINE =
  /^eval(?:_fail|_warn|_info|_ordered)?\s+(?:instant\s+(?:at\s+\S+\s+)?|range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+\s+)(.+)$/;

function corpusExpressions(): { file: string; line: number; expr: string }[] {
  const out: { file: string; line: number; expr: string }[] = [];
  for (const file of readdirSync(CORPUS_DIR).filter((f) => f.endsWith(".test")).sort()) {
    readFileSync(path.join(CORPUS_DIR, file), "utf8")
      .split("\n")
      .forEach((line, i) => {
        const m = EVAL_LINE.exec(line.trim());
        if (m) out.push({ file, line: i + 1, expr: m[1] });
      });
  }
  return out;
}

describe.skipIf(!existsSync(CORPUS_DIR))("round trip: Prometheus test scripts", () => {
  const cases = existsSync(CORPUS_DIR) ? corpusExpressions() : [];

  it("finds the eval expressions", () => {
    expect(cases.length).toBeGreaterThan(1000);
  });

  it("parses and round-trips every eval expression", () => {
    const failures: string[] = [];
    for (const c of cases) {
      try {
        roundTrip(c.expr);
      } catch (e) {
        failures.push(`${c.file}:${c.line}: ${c.expr}\n  ${(e as Error).message.split("\n")[0]}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
