// Response types of the metadata endpoints.
// https://prometheus.io/docs/prometheus/latest/querying/api/#querying-metric-metadata
// https://prometheus.io/docs/prometheus/latest/querying/api/#getting-label-values
// https://prometheus.io/docs/prometheus/latest/querying/api/#finding-series-by-label-matchers

export interface MetricMetadataEntry {
  /** counter, gauge, histogram, gaugehistogram, summary, info, stateset, unknown */
  type: string;
  help: string;
  unit: string;
}

/** /api/v1/metadata: metric name → its metadata (several when targets disagree). */
export type MetadataData = Record<string, MetricMetadataEntry[]>;

/** /api/v1/label/<name>/values and /api/v1/labels. */
export type LabelValuesData = string[];

/** /api/v1/series: one label set per series. */
export type SeriesData = Record<string, string>[];
