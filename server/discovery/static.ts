import type { TargetGroup as StaticConfig } from "@/server/config";
import { labelsFromRecord, labelsToRecord } from "@/server/storage/labels/labels";
import type { Discoverer } from "./provider";
import type { TargetGroup } from "./target-group";

/** Converts `static_configs` entries (their sources are the indexes in the list, as Prometheus's). */
export function staticGroups(configs: readonly StaticConfig[]): TargetGroup[] {
  return configs.map((c) => ({
    source: c.source,
    targets: c.targets.map((t) => labelsFromRecord({ __address__: t })),
    labels: labelsFromRecord(labelsToRecord(c.labels)),
  }));
}

/** `static_configs`: sends its groups once. */
export class StaticDiscoverer implements Discoverer {
  constructor(private readonly groups: TargetGroup[]) {}
  async run(_signal: AbortSignal, up: (groups: TargetGroup[]) => void): Promise<void> {
    up(this.groups);
  }
}
