// The PromQL conformance driver: runs our own testdata/*.test scripts (which
// must pass fully) and, when present, Prometheus's scripts in
// ../shared/promql-tests (float-only cases; native-histogram cases are skipped
// by cases.tsv). Each shared file must pass at least its recorded baseline, so
// regressions fail CI while known gaps do not.

import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { TestRunner, type CaseResult } from "./runner";
import baseline from "./baseline.json";

const OWN_DIR = path.join(__dirname, "testdata");
const SHARED_DIR = process.env.PROMQL_SHARED_TESTS ?? path.resolve(__dirname, "../../../../shared/promql-tests");

function report(file: string, results: CaseResult[]): { passed: number; total: number } {
  const run = results.filter((r) => !r.skipped);
  const passed = run.filter((r) => r.ok).length;
  const lines = [`${file}: ${passed}/${run.length} passed (${results.length - run.length} skipped)`];
  for (const r of run) if (!r.ok) lines.push(`  FAIL line ${r.line}: ${r.expr}\n        ${r.error}`);
  console.log(lines.join("\n"));
  return { passed, total: run.length };
}

describe("promqltest: own scripts", () => {
  const files = fs.readdirSync(OWN_DIR).filter((f) => f.endsWith(".test")).sort();
  for (const f of files) {
    it(f, async () => {
      const results = await new TestRunner().runScript(fs.readFileSync(path.join(OWN_DIR, f), "utf8"));
      const { passed, total } = report(f, results);
      expect(passed).toBe(total);
    });
  }
});

const sharedExists = fs.existsSync(path.join(SHARED_DIR, "cases.tsv"));

describe.skipIf(!sharedExists)("promqltest: Prometheus scripts", () => {
  const nativeLines = new Map<string, Set<number>>();
  if (sharedExists) {
    for (const row of fs.readFileSync(path.join(SHARED_DIR, "cases.tsv"), "utf8").split("\n").slice(1)) {
      const cols = row.split("\t");
      if (cols.length < 4 || cols[3] !== "1") continue;
      if (!nativeLines.has(cols[0])) nativeLines.set(cols[0], new Set());
      nativeLines.get(cols[0])!.add(Number(cols[1]));
    }
  }
  const files = sharedExists ? fs.readdirSync(SHARED_DIR).filter((f) => f.endsWith(".test")).sort() : [];
  const totals = { passed: 0, total: 0 };
  for (const f of files) {
    it(f, { timeout: 120_000 }, async () => {
      const skip = nativeLines.get(f) ?? new Set<number>();
      const results = await new TestRunner().runScript(fs.readFileSync(path.join(SHARED_DIR, f), "utf8"), (line) => skip.has(line));
      const { passed, total } = report(f, results);
      totals.passed += passed;
      totals.total += total;
      const min = (baseline as Record<string, number>)[f] ?? 0;
      expect(passed, `${f} regressed below its baseline`).toBeGreaterThanOrEqual(min);
    });
  }
  it("total", () => {
    console.log(`promqltest total: ${totals.passed}/${totals.total} float-only cases passed`);
  });
});
