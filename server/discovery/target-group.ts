// Target groups, as Prometheus's discovery/targetgroup.Group: a set of
// targets (each a label set holding at least `__address__`) sharing common
// labels, identified by a `source` that is unique within its provider. A
// provider that sends a group with an empty target list for a known source
// is saying "this source has no targets any more".

import { labelsFromRecord, type Labels } from "@/server/storage/labels/labels";

export interface TargetGroup {
  /** Unique within the provider (file SD: `<path>:<index>`, HTTP SD: `<url>:<index>`, DNS SD: the name). */
  source: string;
  /** One label set per target; each carries `__address__`. */
  targets: Labels[];
  /** Labels common to every target of the group (`__meta_*` included). */
  labels: Labels;
}

/** A target group file or HTTP SD response failed validation. */
export class TargetGroupError extends Error {
  override name = "TargetGroupError";
}

/**
 * Validates and converts the `[{targets: [...], labels: {...}}]` document
 * that file SD and HTTP SD read (targetgroup.Group's UnmarshalJSON/YAML).
 * `extra` labels are added to every group's labels (`__meta_filepath`,
 * `__meta_url`), and sources are `<sourcePrefix>:<index>`.
 */
export function parseTargetGroups(doc: unknown, sourcePrefix: string, extra: Record<string, string>): TargetGroup[] {
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw new TargetGroupError("target groups must be a list");
  return doc.map((raw, i) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new TargetGroupError(`target group ${i} must be an object`);
    const g = raw as Record<string, unknown>;
    for (const k of Object.keys(g)) if (k !== "targets" && k !== "labels") throw new TargetGroupError(`field ${k} not found in type targetgroup.Group`);
    const targets = g.targets ?? [];
    if (!Array.isArray(targets)) throw new TargetGroupError(`targets of group ${i} must be a list of strings`);
    const labels: Record<string, string> = {};
    if (g.labels !== undefined && g.labels !== null) {
      if (typeof g.labels !== "object" || Array.isArray(g.labels)) throw new TargetGroupError(`labels of group ${i} must be a map`);
      for (const [k, v] of Object.entries(g.labels as Record<string, unknown>)) {
        if (k === "") throw new TargetGroupError(`"" is not a valid label name`);
        if (typeof v !== "string") throw new TargetGroupError(`label ${JSON.stringify(k)} of group ${i} must be a string`);
        labels[k] = v;
      }
    }
    Object.assign(labels, extra);
    return {
      source: `${sourcePrefix}:${i}`,
      targets: targets.map((t) => {
        if (typeof t !== "string") throw new TargetGroupError(`targets of group ${i} must be a list of strings`);
        return labelsFromRecord({ __address__: t });
      }),
      labels: labelsFromRecord(labels),
    };
  });
}

/** Empty groups for the sources of `before` that `after` no longer has (so consumers drop their targets). */
export function vanishedSources(before: readonly TargetGroup[], after: readonly TargetGroup[]): TargetGroup[] {
  const keep = new Set(after.map((g) => g.source));
  return before.filter((g) => !keep.has(g.source)).map((g) => ({ source: g.source, targets: [], labels: [] }));
}
