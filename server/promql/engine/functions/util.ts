// Helpers shared by function implementations.

import type { StepContext } from "../evaluator";
import type { Sample, Vector } from "../value";
import { dropMetricName } from "../labels";

/** A result element that drops the metric name (now, or at the end with delayed name removal). */
export function dropNameSample(enh: StepContext, s: Sample, f: number): Sample {
  if (enh.ev.opts.enableDelayedNameRemoval) return { metric: s.metric, t: enh.ts, f, dropName: true };
  return { metric: dropMetricName(s.metric), t: enh.ts, f, dropName: false };
}

/** Go's simpleFloatFunc: applies f to every element, dropping the metric name. */
export function simpleFloatFunc(vec: Vector, enh: StepContext, f: (v: number) => number): Vector {
  const out: Vector = [];
  for (const s of vec) out.push(dropNameSample(enh, s, f(s.f)));
  return out;
}
