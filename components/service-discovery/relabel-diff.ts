// The relabeling view's model: what each relabel rule changed in the label
// set, computed from /api/v1/targets/relabel_steps (which gives the labels
// after every rule). Pure functions, unit-tested.

import type { RelabelRule, RelabelStep } from "@/components/api/types/relabel-steps";

export type LabelChange = "added" | "removed" | "changed" | "same";

export interface LabelDiffEntry {
  name: string;
  change: LabelChange;
  /** Value before the rule (absent for added labels). */
  before?: string;
  /** Value after the rule (absent for removed labels). */
  after?: string;
}

/** Every label of `before` and `after`, sorted by name, with what happened to it. */
export function diffLabels(before: Record<string, string>, after: Record<string, string>): LabelDiffEntry[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.map((name) => {
    const b = Object.hasOwn(before, name) ? before[name] : undefined;
    const a = Object.hasOwn(after, name) ? after[name] : undefined;
    if (b === undefined) return { name, change: "added", after: a };
    if (a === undefined) return { name, change: "removed", before: b };
    return b === a ? { name, change: "same", before: b, after: a } : { name, change: "changed", before: b, after: a };
  });
}

export interface StepView {
  index: number;
  rule: RelabelRule;
  /** "kept": the target survives this rule; "dropped": this rule dropped it; "skipped": dropped by an earlier rule. */
  outcome: "kept" | "dropped" | "skipped";
  diff: LabelDiffEntry[];
  /** Number of labels the rule added, removed or changed. */
  changes: number;
}

/** Each step with its diff against the labels before it; the API repeats keep=false after the dropping rule. */
export function relabelStepViews(input: Record<string, string>, steps: RelabelStep[]): StepView[] {
  let prev = input;
  let dropped = false;
  return steps.map((s, index) => {
    if (dropped) return { index, rule: s.rule, outcome: "skipped", diff: [], changes: 0 };
    if (!s.keep) {
      dropped = true;
      return { index, rule: s.rule, outcome: "dropped", diff: [], changes: 0 };
    }
    const diff = diffLabels(prev, s.output);
    prev = s.output;
    return { index, rule: s.rule, outcome: "kept", diff, changes: diff.filter((d) => d.change !== "same").length };
  });
}

/**
 * The rule's fields that matter for its action, in Prometheus's YAML names
 * (defaults left out so a rule reads as it was written).
 */
export function ruleFields(r: RelabelRule): [string, string][] {
  const out: [string, string][] = [];
  const sources = r.source_labels ?? [];
  if (sources.length > 0) out.push(["source_labels", `[${sources.join(", ")}]`]);
  if (r.separator !== ";" && sources.length > 1) out.push(["separator", JSON.stringify(r.separator)]);
  if (r.regex !== "(.*)" && r.action !== "hashmod" && r.action !== "lowercase" && r.action !== "uppercase") out.push(["regex", r.regex]);
  if (r.action === "hashmod") out.push(["modulus", String(r.modulus)]);
  if (r.target_label) out.push(["target_label", r.target_label]);
  if ((r.action === "replace" || r.action === "labelmap") && r.replacement !== "$1") out.push(["replacement", JSON.stringify(r.replacement)]);
  return out;
}
