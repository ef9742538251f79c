// The Explain tab prints sub-expressions back to PromQL from the JSON AST.
// These tests check that parse → JSON → print → parse gives the same AST,
// using the server's parser as the reference. They run in Node, never in the
// browser bundle, so the rule that keeps server code out of components/ does
// not apply to them.
/* eslint-disable no-restricted-imports */
import { describe, expect, it } from "vitest";
import { astToJSON, parseExpr } from "@/server/promql/parser";
import { childrenOf, describeNode, serializeNode, type AstNode } from "./ast";

const QUERIES = [
  "up",
  'http_requests_total{job="api",code=~"5.."}',
  'sum by (job, instance) (rate(http_requests_total{code!="200"}[5m]))',
  "sum without (cpu) (node_cpu_seconds_total)",
  "topk(5, rate(x[1m] offset 1h))",
  'count_values("version", build_info)',
  "quantile(0.9, x)",
  "a / on (instance) group_left (version) b",
  "a * ignoring (code) group_right () b",
  "a > bool 1",
  "a and on () b",
  "-x + +y",
  "(a + b) * 2",
  "max_over_time(rate(x[5m])[1h:1m])",
  "max_over_time(x[1h:])",
  "x @ 1700000000.5",
  "rate(x[5m] @ end())",
  "x offset -5m",
  'label_replace(up, "a", "$1", "instance", "(.*):.*")',
  "1e+308",
  "NaN",
  "Inf",
  "-Inf",
  'vector(1) unless {__name__=~"x.*"}',
  'histogram_quantile(0.99, sum by (le) (rate(h_bucket{job="a\\"b"}[5m])))',
  "time() - process_start_time_seconds",
  "x[1h30m]",
];

describe("serializeNode", () => {
  for (const q of QUERIES) {
    it(`prints ${q} back to the same AST`, () => {
      const json = astToJSON(parseExpr(q)) as unknown as AstNode;
      const printed = serializeNode(json);
      expect(astToJSON(parseExpr(printed))).toEqual(json);
      // Every sub-expression prints to something that parses too.
      const stack = [json];
      while (stack.length) {
        const n = stack.pop()!;
        expect(() => parseExpr(serializeNode(n))).not.toThrow();
        expect(describeNode(n)).not.toBe("");
        stack.push(...childrenOf(n));
      }
    });
  }

  it("lists children in source order", () => {
    const json = astToJSON(parseExpr("topk(3, a) / b")) as unknown as AstNode;
    expect(childrenOf(json).map(serializeNode)).toEqual(["topk(3, a)", "b"]);
    expect(childrenOf(childrenOf(json)[0]!).map(serializeNode)).toEqual(["3", "a"]);
  });
});
