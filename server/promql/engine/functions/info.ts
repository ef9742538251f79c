// info(v instant-vector, [data-label-selector instant-vector]) → instant-vector
// (experimental): enriches series with the data labels of matching info
// metrics (default `target_info`), joined on the identifying labels
// `instance` and `job`, as of the same (offset/@-shifted) time the base
// series was read at.

import type { Call, Expr, Matcher as AstMatcher, VectorSelector } from "../../parser/ast";
import { compareStrings, type Label, type Labels } from "../../../storage/labels/labels";
import { newMatcher, type Matcher } from "../../../storage/labels/matcher";
import type { EvalRange, Evaluator } from "../evaluator";
import { newStepSeries, numSteps, type StepMatrix, type StepSeries } from "../range-eval";
import { isStaleAt } from "../value";
import { getLabel, labelsHash, METRIC_NAME } from "../labels";

const IDENTIFYING = ["instance", "job"];

interface InfoSpec {
  nameMatchers: Matcher[];
  dataMatchers: Matcher[];
  /** The selector whose data the engine selects for the info series. */
  selector: VectorSelector;
}

const specs = new WeakMap<Call, InfoSpec>();

/** The info-series selector of an info() call (created once per call node). */
export function infoSpec(call: Call): InfoSpec {
  let s = specs.get(call);
  if (s) return s;
  let matchers: AstMatcher[] = [];
  if (call.args.length > 1) {
    let a: Expr = call.args[1];
    while (a.type === "parenExpr") a = a.expr;
    if (a.type === "vectorSelector") matchers = a.matchers;
  }
  const nameMatchers = matchers.filter((m) => m.name === METRIC_NAME).map((m) => newMatcher(m.type, m.name, m.value));
  const dataMatchers = matchers.filter((m) => m.name !== METRIC_NAME).map((m) => newMatcher(m.type, m.name, m.value));
  if (nameMatchers.length === 0) nameMatchers.push(newMatcher("=", METRIC_NAME, "target_info"));
  // Only info metrics can enrich: with negated name matchers alone, the candidates are still `*_info` series.
  else if (!nameMatchers.some((m) => m.type === "=" || m.type === "=~")) nameMatchers.push(newMatcher("=~", METRIC_NAME, ".+_info"));
  const all = [...nameMatchers, ...dataMatchers];
  const selector: VectorSelector = {
    type: "vectorSelector",
    name: "",
    matchers: all.map((m) => ({ type: m.type, name: m.name, value: m.value })),
    offset: 0,
    offsetExpr: null,
    timestamp: null,
    startOrEnd: null,
    anchored: false,
    smoothed: false,
    posRange: call.posRange,
  };
  s = { nameMatchers, dataMatchers, selector };
  specs.set(call, s);
  return s;
}

/**
 * How the base expression maps an evaluation time to the time its data was
 * read at: the first selector's @ and offsets, through enclosing subqueries.
 */
function referenceTime(ev: Evaluator, e: Expr): (ts: number) => number {
  let found: ((ts: number) => number) | null = null;
  const visit = (x: Expr, shift: (ts: number) => number): void => {
    if (found) return;
    switch (x.type) {
      case "vectorSelector": {
        const at = ev.atTime(x);
        found = at !== null ? () => at - x.offset : (ts) => shift(ts) - x.offset;
        return;
      }
      case "matrixSelector":
        visit(x.vectorSelector, shift);
        return;
      case "subquery": {
        const at = ev.atTime(x);
        const inner = at !== null ? () => at - x.offset : (ts: number) => shift(ts) - x.offset;
        visit(x.expr, inner);
        return;
      }
      case "parenExpr":
      case "unaryExpr":
        visit(x.expr, shift);
        return;
      case "call":
        x.args.forEach((a) => visit(a, shift));
        return;
      case "aggregation":
        visit(x.expr, shift);
        return;
      case "binaryExpr":
        visit(x.lhs, shift);
        visit(x.rhs, shift);
        return;
      default:
        return;
    }
  };
  visit(e, (ts) => ts);
  return found ?? ((ts) => ts);
}

function identifyingKey(ls: Labels): string {
  return IDENTIFYING.map((n) => getLabel(ls, n)).join("\xff");
}

export function evalInfo(ev: Evaluator, call: Call, r: EvalRange): StepMatrix {
  const spec = infoSpec(call);
  const base = ev.evalSteps(call.args[0], r);
  const n = numSteps(r);
  const infoSeries = ev.selectedSeries(spec.selector);
  const refTime = referenceTime(ev, call.args[0]);
  const hasPositiveName = spec.nameMatchers.some((m) => m.type === "=" || m.type === "=~");
  const dataNames = new Set(spec.dataMatchers.map((m) => m.name));
  const emptyOk = spec.dataMatchers.every((m) => m.matches(""));
  const lookback = ev.opts.lookbackDelta;

  const out = new Map<string, StepSeries>();
  for (let step = 0; step < n; step++) {
    const ts = r.start + step * r.interval;
    ev.checkContext();
    const ref = refTime(ts);
    // The info series current at the reference time, by identifying labels,
    // keeping the latest sample per metric name.
    const byKey = new Map<string, Map<string, { labels: Labels; t: number }>>();
    for (const s of infoSeries) {
      let j = -1;
      for (let i = 0; i < s.t.length && s.t[i] <= ref; i++) j = i;
      if (j < 0 || s.t[j] <= ref - lookback || isStaleAt(s.v, j)) continue;
      const k = identifyingKey(s.labels);
      let m = byKey.get(k);
      if (!m) byKey.set(k, (m = new Map()));
      const name = getLabel(s.labels, METRIC_NAME);
      const prev = m.get(name);
      if (!prev || prev.t < s.t[j]) m.set(name, { labels: s.labels, t: s.t[j] });
    }
    for (let bi = 0; bi < base.length; bi++) {
      const bs = base[bi];
      if (!bs.has[step]) continue;
      const f = bs.f[step];
      let metric: Labels = bs.metric;
      const name = getLabel(bs.metric, METRIC_NAME);
      const isInfo = hasPositiveName && spec.nameMatchers.every((m) => m.matches(name));
      if (!isInfo) {
        const cands = byKey.get(identifyingKey(bs.metric));
        if (!cands || cands.size === 0) {
          if (!emptyOk) continue;
        } else {
          const have = new Set(bs.metric.map((l) => l.name));
          const added = new Map<string, string>();
          for (const cand of cands.values()) {
            for (const l of cand.labels) {
              if (l.name === METRIC_NAME || IDENTIFYING.includes(l.name)) continue;
              if (dataNames.size > 0 && !dataNames.has(l.name)) continue;
              if (have.has(l.name)) continue;
              const prev = added.get(l.name);
              if (prev !== undefined && prev !== l.value) {
                ev.error(`conflicting label: ${l.name} has values ${JSON.stringify(prev)} and ${JSON.stringify(l.value)} in different info metrics`);
              }
              added.set(l.name, l.value);
            }
          }
          if (added.size > 0) {
            const ls: Label[] = [...bs.metric];
            for (const [n, v] of added) ls.push({ name: n, value: v });
            ls.sort((a, b) => compareStrings(a.name, b.name));
            metric = ls;
          }
        }
      }
      const k = labelsHash(metric);
      let s = out.get(k);
      if (!s) out.set(k, (s = newStepSeries(metric, n, bs.dropName)));
      s.f[step] = f;
      s.has[step] = 1;
    }
  }
  return [...out.values()];
}
