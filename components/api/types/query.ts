// Response types of /api/v1/query and /api/v1/query_range.
// https://prometheus.io/docs/prometheus/latest/querying/api/#expression-queries
// Timestamps are float seconds and sample values strings ("NaN", "+Inf"), as on the wire.

/** `[unix seconds, "value"]`. */
export type SamplePair = [number, string];

export interface InstantSample {
  metric: Record<string, string>;
  value: SamplePair;
}

export interface RangeSeries {
  metric: Record<string, string>;
  values?: SamplePair[];
}

export type QueryResult =
  | { resultType: "vector"; result: InstantSample[] }
  | { resultType: "matrix"; result: RangeSeries[] }
  | { resultType: "scalar"; result: SamplePair }
  | { resultType: "string"; result: SamplePair };

/** Prometheus's `stats.BuiltinStats` (`stats=all`); times in seconds. */
export interface QueryStats {
  timings: {
    evalTotalTime: number;
    resultSortTime: number;
    queryPreparationTime: number;
    innerEvalTime: number;
    execQueueTime: number;
    execTotalTime: number;
  };
  samples: {
    totalQueryableSamples: number;
    peakSamples: number;
    totalQueryableSamplesPerStep?: [number, number][];
  };
}

export type QueryData = QueryResult & { stats?: QueryStats };

/** /api/v1/format_query: the pretty-printed expression. */
export type FormatQueryData = string;
