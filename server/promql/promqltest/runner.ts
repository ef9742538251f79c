// Runs PromQL test scripts against the engine, with the checks of
// Prometheus's promqltest runner: result comparison, annotation and failure
// expectations, the @-modifier invariance re-run and the range-mode re-run of
// every instant eval.

import { RE2JS } from "re2js";
import { Engine, ALL_FEATURES } from "../engine/engine";
import { parseExpr, ALL_EXPERIMENTAL } from "../parser/parser";
import { exprToString } from "../parser/printer";
import { walk, type Expr, type SubqueryExpr } from "../parser/ast";
import { compareLabels, formatSeries, labelsKey, type Labels } from "../../storage/labels/labels";
import { isStaleNaN, seriesPoints, type Matrix, type QueryValue, type Series } from "../engine/value";
import { MemoryQuerier } from "./memory-querier";
import { loadSamples, parseScript, type EvalCmd, type Expectation, type SeqValue } from "./script";
import { almostEqual } from "../engine/functions/histogram";

export interface CaseResult {
  line: number;
  expr: string;
  ok: boolean;
  skipped: boolean;
  error?: string;
}

const EPSILON = 1e-6;

function floatsEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return isStaleNaN(a) === isStaleNaN(b);
  return almostEqual(a, b, EPSILON);
}

function goRegexFind(re: string, s: string): boolean {
  try {
    return RE2JS.compile(re).matcher(s).find();
  } catch {
    return false;
  }
}

function matchesExpectation(e: Expectation, s: string): boolean {
  if (e.kind === "any") return true;
  if (e.kind === "msg") return s.trim() === e.text;
  return goRegexFind(e.text, s);
}

/** Functions whose result depends on the evaluation time even with @ (Go's AtModifierUnsafeFunctions). */
const AT_UNSAFE = new Set([
  "days_in_month",
  "day_of_month",
  "day_of_week",
  "day_of_year",
  "hour",
  "minute",
  "month",
  "year",
  "predict_linear",
  "time",
  "timestamp",
  "start",
  "end",
  "range",
  "step",
]);

/** The @-rewritten form of an instant query (selectors pinned to the eval time), or null. */
function atModifierVariant(exprStr: string, evalTime: number): string | null {
  const expr = parseExpr(exprStr, ALL_EXPERIMENTAL);
  let unsafe = false;
  let changed = false;
  walk(expr, (node: Expr, path: Expr[]) => {
    if (path.some((p) => p.type === "subquery" && ((p as SubqueryExpr).timestamp !== null || (p as SubqueryExpr).startOrEnd !== null))) {
      return;
    }
    switch (node.type) {
      case "vectorSelector":
        if (node.timestamp === null && node.startOrEnd === null) {
          node.timestamp = evalTime;
          changed = true;
        }
        break;
      case "matrixSelector":
        if (node.vectorSelector.timestamp === null && node.vectorSelector.startOrEnd === null) {
          node.vectorSelector.timestamp = evalTime;
          changed = true;
        }
        break;
      case "subquery":
        if (node.timestamp === null && node.startOrEnd === null) {
          node.timestamp = evalTime;
          changed = true;
        }
        break;
      case "call":
        if (AT_UNSAFE.has(node.func.name)) unsafe = true;
        break;
    }
  });
  if (unsafe || !changed) return null;
  return exprToString(expr);
}

function expectedKey(ls: Labels): string {
  return labelsKey(ls);
}

function pointsString(s: Series): string {
  return seriesPoints(s)
    .map((p) => `${p.f}@${p.t}`)
    .join(" ");
}

function describeValue(v: QueryValue): string {
  switch (v.type) {
    case "scalar":
      return `scalar ${v.value.v}`;
    case "string":
      return `string ${JSON.stringify(v.value.v)}`;
    case "vector":
      return v.value.map((s) => `${formatSeries(s.metric)} ${s.f}`).join(", ") || "empty vector";
    case "matrix":
      return v.value.map((s) => `${formatSeries(s.metric)} [${pointsString(s)}]`).join(", ") || "empty matrix";
  }
}

function compareMatrix(cmd: EvalCmd, mat: Matrix, start: number, end: number, step: number): string | null {
  for (let i = 1; i < mat.length; i++) {
    if (compareLabels(mat[i - 1].metric, mat[i].metric) > 0) return "matrix results should always be sorted";
  }
  const expected = new Map<string, SeqValue[]>();
  for (const e of cmd.expected) expected.set(expectedKey(e.labels), e.values);
  const seen = new Set<string>();
  for (const s of mat) {
    const k = expectedKey(s.metric);
    const exp = expected.get(k);
    if (!exp) return `unexpected metric ${formatSeries(s.metric)} in result, has ${pointsString(s)}`;
    seen.add(k);
    const ef: { t: number; f: number }[] = [];
    for (let i = 0; i < exp.length; i++) {
      const t = start + i * step;
      if (t > end) return `expected ${exp.length} points for ${formatSeries(s.metric)}, but query time range cannot return this many points`;
      const e = exp[i];
      if (e.kind === "float") ef.push({ t, f: e.v });
      else if (e.kind === "histogram") return "histogram expected";
    }
    if (ef.length !== s.t.length) {
      return `expected ${ef.length} float points for ${formatSeries(s.metric)}, but got ${pointsString(s)}`;
    }
    for (let i = 0; i < ef.length; i++) {
      if (ef[i].t !== s.t[i]) return `expected timestamp ${ef[i].t} at index ${i} for ${formatSeries(s.metric)}, got ${s.t[i]}`;
      if (!floatsEqual(s.f[i], ef[i].f)) return `expected ${ef[i].f} at index ${i} for ${formatSeries(s.metric)}, got ${s.f[i]}`;
    }
  }
  for (const e of cmd.expected) if (!seen.has(expectedKey(e.labels))) return `expected metric ${formatSeries(e.labels)} not found`;
  return null;
}

function compareResult(cmd: EvalCmd, v: QueryValue): string | null {
  if (cmd.expectString !== null) {
    if (v.type !== "string") return `expected string but got ${describeValue(v)}`;
    return v.value.v === cmd.expectString ? null : `expected string ${JSON.stringify(cmd.expectString)} but got ${JSON.stringify(v.value.v)}`;
  }
  switch (v.type) {
    case "scalar":
      if (cmd.expectScalar === null) return `expected vector or matrix result, but got scalar ${v.value.v}`;
      return floatsEqual(v.value.v, cmd.expectScalar) ? null : `expected scalar ${cmd.expectScalar} but got ${v.value.v}`;
    case "string":
      return `unexpected string result ${JSON.stringify(v.value.v)}`;
    case "vector": {
      if (cmd.expectScalar !== null) return `expected scalar result, but got vector ${describeValue(v)}`;
      const expected = new Map<string, { pos: number; v: SeqValue }>();
      cmd.expected.forEach((e, i) => {
        if (e.values.length !== 1) expected.set(expectedKey(e.labels), { pos: -1, v: { kind: "omitted" } });
        else expected.set(expectedKey(e.labels), { pos: i, v: e.values[0] });
      });
      const seen = new Set<string>();
      for (let pos = 0; pos < v.value.length; pos++) {
        const s = v.value[pos];
        const k = expectedKey(s.metric);
        const exp = expected.get(k);
        if (!exp) return `unexpected metric ${formatSeries(s.metric)} in result, has value ${s.f}`;
        if (exp.pos < 0) return `expected a single value for ${formatSeries(s.metric)}`;
        if (cmd.ordered && exp.pos !== pos) return `expected metric ${formatSeries(s.metric)} at position ${exp.pos + 1} but was at ${pos + 1}`;
        if (exp.v.kind !== "float") return `expected ${exp.v.kind} for ${formatSeries(s.metric)}`;
        if (!floatsEqual(exp.v.v, s.f)) return `expected ${exp.v.v} for ${formatSeries(s.metric)} but got ${s.f}`;
        seen.add(k);
      }
      for (const e of cmd.expected) if (!seen.has(expectedKey(e.labels))) return `expected metric ${formatSeries(e.labels)} not found`;
      return null;
    }
    case "matrix": {
      if (cmd.instant && !cmd.rangeVector) return `received range result on instant evaluation: ${describeValue(v)}`;
      const r = cmd.rangeVector ?? { start: cmd.start, end: cmd.end, step: cmd.step };
      return compareMatrix(cmd, v.value, r.start, r.end, r.step);
    }
  }
}

function checkAnnotations(cmd: EvalCmd, warnings: string[], infos: string[]): string | null {
  if (cmd.legacyWarn && warnings.length === 0) return "expected warnings but got none";
  if (cmd.legacyInfo && infos.length === 0) return "expected infos but got none";
  const check = (kind: string, exps: Expectation[], none: boolean, got: string[]): string | null => {
    if (none && got.length > 0) return `unexpected ${kind}s: ${got.join("; ")}`;
    if (exps.length === 0) return null;
    for (const g of got) if (!exps.some((e) => matchesExpectation(e, g))) return `unexpected ${kind} ${JSON.stringify(g)}`;
    for (const e of exps) if (!got.some((g) => matchesExpectation(e, g))) return `expected ${kind} ${e.kind === "any" ? "" : JSON.stringify(e.text)} not produced (got: ${got.join("; ") || "none"})`;
    return null;
  };
  return check("warning", cmd.warn, cmd.noWarn, warnings) ?? check("info", cmd.info, cmd.noInfo, infos);
}

function checkFailure(cmd: EvalCmd, err: unknown): string | null {
  const msg = err instanceof Error ? err.message : String(err);
  if (!cmd.fail) return `unexpected error: ${msg}`;
  if (matchesExpectation(cmd.fail, msg)) return null;
  return `expected error ${JSON.stringify(cmd.fail.text)} (${cmd.fail.kind}) but got ${JSON.stringify(msg)}`;
}

export class TestRunner {
  readonly querier = new MemoryQuerier();
  readonly engine = new Engine(this.querier, { ...ALL_FEATURES, maxSamples: 50_000_000, timeout: 100_000 });

  private async runInstant(cmd: EvalCmd, expr: string, t: number, rangeCheck: boolean): Promise<string | null> {
    let res;
    try {
      res = await this.engine.instantQuery(expr, t);
    } catch (err) {
      return checkFailure(cmd, err);
    }
    if (cmd.fail) return `expected error evaluating query ${JSON.stringify(expr)} but got none`;
    const a = checkAnnotations(cmd, res.annotations.warnings, res.annotations.infos);
    if (a) return a;
    const c = compareResult(cmd, res.value);
    if (c) return c;
    if (!rangeCheck) return null;
    // The same expression as a range query must give the same value at t.
    let rr;
    try {
      rr = await this.engine.rangeQuery(expr, t - 60_000, t + 60_000, 60_000);
    } catch (err) {
      return `error evaluating query ${JSON.stringify(expr)} in range mode: ${(err as Error).message}`;
    }
    const mat = rr.value.type === "matrix" ? rr.value.value : [];
    for (let i = 1; i < mat.length; i++) if (compareLabels(mat[i - 1].metric, mat[i].metric) > 0) return "range-mode matrix not sorted";
    const vec = [];
    for (const s of mat) {
      const i = s.t.indexOf(t);
      if (i >= 0) vec.push({ metric: s.metric, t, f: s.f[i] });
    }
    let cmp: string | null;
    if (res.value.type === "scalar") {
      cmp = vec.length === 0 ? "range mode returned no scalar" : compareResult(cmd, { type: "scalar", value: { t, v: vec[0].f } });
    } else cmp = compareResult({ ...cmd, ordered: false }, { type: "vector", value: vec });
    return cmp ? `range mode: ${cmp}` : null;
  }

  async runEval(cmd: EvalCmd): Promise<string | null> {
    if (!cmd.instant) {
      let res;
      try {
        res = await this.engine.rangeQuery(cmd.expr, cmd.start, cmd.end, cmd.step);
      } catch (err) {
        return checkFailure(cmd, err);
      }
      if (cmd.fail) return "expected error but got none";
      return checkAnnotations(cmd, res.annotations.warnings, res.annotations.infos) ?? compareResult(cmd, res.value);
    }
    if (cmd.rangeVector) return this.runInstant(cmd, cmd.expr, cmd.rangeVector.end, false);
    const mentionsStepFns = /\b(start|end|range|step)\s*\(/.test(cmd.expr);
    const rangeCheck = !cmd.ordered && cmd.expectString === null && !mentionsStepFns;
    const err = await this.runInstant(cmd, cmd.expr, cmd.at, rangeCheck);
    if (err) return err;
    const variant = atModifierVariant(cmd.expr, cmd.at);
    if (variant === null) return null;
    const ts = cmd.at;
    const times = ts === 0 ? [-1000, 0, 1000] : [-10 * ts, 0, Math.trunc(ts / 5), ts, 10 * ts];
    for (const t of times) {
      const e = await this.runInstant(cmd, variant, t, rangeCheck);
      if (e) return `@ variant ${JSON.stringify(variant)} at ${t}ms: ${e}`;
    }
    return null;
  }

  /** Runs a script; `skip(line)` says whether an eval case is out of scope. */
  async runScript(text: string, skip: (line: number) => boolean = () => false): Promise<CaseResult[]> {
    const out: CaseResult[] = [];
    this.querier.clear();
    for (const cmd of parseScript(text)) {
      if (cmd.kind === "clear") this.querier.clear();
      else if (cmd.kind === "load") {
        for (const s of cmd.series) {
          const { times, values } = loadSamples(cmd, s);
          this.querier.add(s.labels, times, values);
        }
      } else {
        if (skip(cmd.line)) {
          out.push({ line: cmd.line, expr: cmd.expr, ok: false, skipped: true });
          continue;
        }
        let error: string | null;
        try {
          error = await this.runEval(cmd);
        } catch (err) {
          error = `runner error: ${(err as Error).stack ?? err}`;
        }
        out.push({ line: cmd.line, expr: cmd.expr, ok: error === null, skipped: false, error: error ?? undefined });
      }
    }
    return out;
  }
}
