// /api/v1/status/tsdb — https://prometheus.io/docs/prometheus/latest/querying/api/#tsdb-stats

export interface TSDBStat {
  name: string;
  value: number;
}

export interface TSDBStatus {
  headStats: {
    numSeries: number;
    numLabelPairs: number;
    chunkCount: number;
    /** Unix ms; MaxInt64 when the head is empty (may lose precision as a JS number). */
    minTime: number;
    /** Unix ms; MinInt64 when the head is empty. */
    maxTime: number;
  };
  seriesCountByMetricName: TSDBStat[];
  labelValueCountByLabelName: TSDBStat[];
  memoryInBytesByLabelName?: TSDBStat[];
  seriesCountByLabelValuePair: TSDBStat[];
}
