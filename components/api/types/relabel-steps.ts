// /api/v1/targets/relabel_steps (Prometheus 3) — the relabeling of one
// discovered label set, rule by rule. See web/api/v1/api.go `targetRelabelSteps`.

export interface RelabelRule {
  source_labels: string[] | null;
  separator: string;
  regex: string;
  modulus: number;
  target_label: string;
  replacement: string;
  action: string;
}

export interface RelabelStep {
  rule: RelabelRule;
  /** Labels after the rule; empty once the target is dropped. */
  output: Record<string, string>;
  /** False from the rule that dropped the target on. */
  keep: boolean;
}

export interface RelabelStepsResult {
  steps: RelabelStep[];
}
