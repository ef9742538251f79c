// What the metrics explorer computes from the metadata and series endpoints.

import type { MetadataData, MetricMetadataEntry, SeriesData } from "@/components/api/types/metadata";

/** Values listed per label in the cardinality view. */
export const TOP_VALUES = 8;

const FAMILY_SUFFIX: Record<string, string[]> = {
  bucket: ["histogram", "gaugehistogram"],
  sum: ["histogram", "gaugehistogram", "summary"],
  count: ["histogram", "gaugehistogram", "summary"],
  created: ["histogram", "summary", "counter"],
  total: ["counter"],
};

/**
 * A metric's metadata. Series of histograms and summaries (`_bucket`, `_sum`,
 * `_count`, `_created`) and counters (`_total`) carry the metadata of their
 * family's name, as in the exposition formats.
 */
export function metadataFor(name: string, meta: MetadataData | undefined): MetricMetadataEntry | undefined {
  if (!meta) return undefined;
  const own = meta[name]?.[0];
  if (own) return own;
  const m = /^(.+)_(bucket|sum|count|created|total)$/.exec(name);
  if (!m) return undefined;
  const family = meta[m[1]!]?.[0];
  return family && FAMILY_SUFFIX[m[2]!]!.includes(family.type) ? family : undefined;
}

export interface LabelStats {
  name: string;
  /** Distinct values. */
  cardinality: number;
  /** Most common values with their series counts, most common first. */
  top: [string, number][];
}

/** Per label name of `series`: distinct values and the most common ones; highest cardinality first. */
export function labelCardinality(series: SeriesData, topN = TOP_VALUES): LabelStats[] {
  const byLabel = new Map<string, Map<string, number>>();
  for (const s of series) {
    for (const [k, v] of Object.entries(s)) {
      if (k === "__name__") continue;
      let values = byLabel.get(k);
      if (!values) byLabel.set(k, (values = new Map()));
      values.set(v, (values.get(v) ?? 0) + 1);
    }
  }
  return [...byLabel.entries()]
    .map(([name, values]) => ({
      name,
      cardinality: values.size,
      top: [...values.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topN),
    }))
    .sort((a, b) => b.cardinality - a.cardinality || (a.name < b.name ? -1 : 1));
}
