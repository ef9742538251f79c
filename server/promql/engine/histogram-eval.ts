// histogram_quantile over a range of steps, series by series: which series
// form one histogram, and each bucket's bound, are worked out once per query
// instead of at every step (Prometheus regroups the samples at each step; so
// did Vigil, at ~12 µs per histogram and step, 2.8 s for 1,000 histograms over
// 241 steps). The per-step implementation (functions/histogram.ts) still
// serves instant queries. The results, their order and the annotations are
// the per-step implementation's.

import type { Call } from "../parser/ast";
import type { Labels } from "../../storage/labels/labels";
import { deleteLabels, dropMetricName, getLabel, METRIC_NAME } from "./labels";
import type { EvalRange, Evaluator } from "./evaluator";
import { badBucketLabelWarning, bucketGroupKey, bucketQuantile, monotonicityInfo, parseGoFloat, sortedBucketQuantile, type Bucket, type QuantileFlags } from "./functions/histogram";
import { invalidQuantileWarning } from "./functions/math-util";
import { newStepSeries, numSteps, type StepMatrix, type StepSeries } from "./range-eval";

interface Histogram {
  metric: Labels;
  /**
   * The member series, sorted by bucket bound (stably: as the per-step sort
   * orders them), unless a bound is NaN: then in input order, sorted at each
   * step as the per-step implementation sorts (a NaN makes the comparison
   * inconsistent, so the order depends on which members are there).
   */
  members: StepSeries[];
  bounds: number[];
  /** Input positions of the members. */
  positions: number[];
  hasNaN: boolean;
  /** Where the per-step implementation would create the output series: its first step, then input position. */
  firstStep: number;
  firstPosition: number;
}

/** histogram_quantile(q, buckets) at every step of `r`, or null for one step (the per-step implementation serves it). */
export function evalHistogramQuantileSteps(ev: Evaluator, call: Call, r: EvalRange): StepMatrix | null {
  const n = numSteps(r);
  if (n === 1) return null;
  const qm = ev.evalSteps(call.args[0], r);
  const vec = ev.evalSteps(call.args[1], r);
  const delayed = ev.opts.enableDelayedNameRemoval;
  const groups = new Map<string, Histogram>();
  const order: Histogram[] = [];
  for (let pos = 0; pos < vec.length; pos++) {
    const s = vec[pos];
    const le = getLabel(s.metric, "le");
    const ub = parseGoFloat(le);
    if (ub === null) {
      // The per-step implementation warns at each step the sample is there.
      if (s.has.some((x) => x === 1)) {
        ev.addAnnotation("warning", badBucketLabelWarning(le, s.metric), call.args[1]);
      }
      continue;
    }
    const key = bucketGroupKey(s.metric, delayed);
    let g = groups.get(key);
    if (!g) {
      g = { metric: deleteLabels(s.metric, new Set(["le"])), members: [], bounds: [], positions: [], hasNaN: false, firstStep: -1, firstPosition: 0 };
      groups.set(key, g);
      order.push(g);
    }
    g.members.push(s);
    g.bounds.push(ub);
    g.positions.push(pos);
    if (Number.isNaN(ub)) g.hasNaN = true;
  }
  let maxMembers = 0;
  for (const g of order) {
    if (g.members.length > maxMembers) maxMembers = g.members.length;
    if (g.hasNaN) continue;
    // Stable, as Array.prototype.sort is: equal bounds keep the input order.
    const idx = g.bounds.map((_, i) => i).sort((a, b) => (g.bounds[a] < g.bounds[b] ? -1 : g.bounds[a] > g.bounds[b] ? 1 : 0));
    g.members = idx.map((i) => g.members[i]);
    g.bounds = idx.map((i) => g.bounds[i]);
    g.positions = idx.map((i) => g.positions[i]);
  }
  const ub = new Float64Array(maxMembers);
  const counts = new Float64Array(maxMembers);
  const flags: QuantileFlags = { forced: false };
  const out: StepMatrix = [];
  let points = 0;
  let badQuantile = false;
  const forcedNames = new Set<string>();
  for (let step = 0; step < n; step++) {
    const q = qm.length > 0 && qm[0].has[step] ? qm[0].f[step] : NaN;
    if (Number.isNaN(q) || q < 0 || q > 1) badQuantile = true;
  }
  for (const g of order) {
    ev.checkContext();
    let o: StepSeries | null = null;
    const members = g.members;
    const bounds = g.bounds;
    for (let step = 0; step < n; step++) {
      let len = 0;
      let first = Infinity;
      for (let i = 0; i < members.length; i++) {
        const m = members[i];
        if (m.has[step] === 0) continue;
        ub[len] = bounds[i];
        counts[len] = m.f[step];
        len++;
        if (g.positions[i] < first) first = g.positions[i];
      }
      if (len === 0) continue;
      const q = qm.length > 0 && qm[0].has[step] ? qm[0].f[step] : NaN;
      let v: number;
      if (g.hasNaN) {
        const buckets: Bucket[] = [];
        for (let i = 0; i < len; i++) buckets.push({ upperBound: ub[i], count: counts[i] });
        const [value, forced] = bucketQuantile(q, buckets);
        v = value;
        flags.forced = forced;
      } else v = sortedBucketQuantile(q, ub, counts, len, flags);
      if (flags.forced) forcedNames.add(getLabel(g.metric, METRIC_NAME));
      if (o === null) {
        o = newStepSeries(delayed ? g.metric : dropMetricName(g.metric), n, delayed);
        g.firstStep = step;
        g.firstPosition = first;
        out.push(o);
      }
      o.f[step] = v;
      o.has[step] = 1;
      points++;
    }
  }
  // The per-step implementation's order: series appear at their first step, in input order.
  const outOrder = order.filter((g) => g.firstStep >= 0);
  const byFirst = outOrder.map((g, i) => ({ g, o: out[i] }));
  byFirst.sort((a, b) => a.g.firstStep - b.g.firstStep || a.g.firstPosition - b.g.firstPosition);
  for (let i = 0; i < byFirst.length; i++) out[i] = byFirst[i].o;
  ev.addSamples(points);
  if (badQuantile) {
    // At each step where the quantile is out of range, as the per-step implementation warns.
    for (let step = 0; step < n; step++) {
      const q = qm.length > 0 && qm[0].has[step] ? qm[0].f[step] : NaN;
      if (Number.isNaN(q) || q < 0 || q > 1) ev.addAnnotation("warning", invalidQuantileWarning(q), call.args[0]);
    }
  }
  for (const name of forcedNames) {
    ev.addAnnotation("info", monotonicityInfo(name), call.args[1]);
  }
  return out;
}
