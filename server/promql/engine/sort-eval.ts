// sort, sort_desc and sort_by_label(_desc) over a range. A range query's
// result is ordered by labels in the end, so what sorting at each step leaves
// is the order in which series first appear (which a sum over the result
// adds them in, say): step by step, sorting cost a sample object per element
// and a label-set lookup per element and step (3.5 s for 10,000 series × 241
// steps). The series pass through unchanged; the function itself runs only at
// the steps where series appear, to place them as it would.

import type { Call } from "../parser/ast";
import type { EvalRange, Evaluator } from "./evaluator";
import { FUNCTION_IMPLS } from "./functions";
import { DistinctLabelSets, dropMetricName } from "./labels";
import { numSteps, rangeEvalEvaluated, vectorAt, type StepMatrix, type StepSeries } from "./range-eval";
import type { Sample } from "./value";

const SORTS = new Set(["sort", "sort_desc", "sort_by_label", "sort_by_label_desc"]);

/** A sort function call over a range, or null when it is not one (or an instant query). */
export function evalSortSteps(ev: Evaluator, call: Call, r: EvalRange): StepMatrix | null {
  const name = call.func.name;
  if (!SORTS.has(name)) return null;
  const n = numSteps(r);
  if (n === 1) return null;
  const impl = FUNCTION_IMPLS[name];
  const evaluated: (StepMatrix | string)[] = call.args.map((a) => ev.evalString(a, r) ?? ev.evalSteps(a, r));
  const vec = evaluated[0] as StepMatrix;
  // Series that rangeEval would take for one (equal once their names are dropped) go its way.
  const distinct = new DistinctLabelSets();
  for (const s of vec) {
    if (!distinct.add(s.dropName ? dropMetricName(s.metric) : s.metric)) {
      return rangeEvalEvaluated(ev, r, (vals, enh) => impl(vals, call, enh), call.args, evaluated);
    }
  }
  const enh = ev.newStepContext();
  const bySample = new Map<Sample, StepSeries>();
  const placed = new Set<StepSeries>();
  const out: StepMatrix = [];
  let points = 0;
  for (let step = 0; step < n; step++) {
    let fresh = step === 0;
    for (const s of vec) {
      if (s.has[step] === 0) continue;
      points++;
      if (!placed.has(s)) fresh = true;
    }
    if (!fresh) continue;
    ev.checkContext();
    // The function's own order at this step, for the series appearing now.
    const ts = r.start + step * r.interval;
    const present = vectorAt(vec, step, ts);
    bySample.clear();
    let k = 0;
    for (const s of vec) if (s.has[step] !== 0) bySample.set(present[k++], s);
    enh.ts = ts;
    const args = evaluated.map((a, i) => (i === 0 ? present : a as string));
    for (const sample of impl(args, call, enh)) {
      const s = bySample.get(sample)!;
      if (placed.has(s)) continue;
      placed.add(s);
      out.push(s);
    }
  }
  ev.addSamples(points);
  return out;
}
