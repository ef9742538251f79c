import { Counter, Gauge, Histogram } from "prom-client";
import { singletonMetric } from "../metrics/registry";

export type RejectReason = "out_of_order" | "duplicate" | "out_of_bounds" | "invalid_labels" | "malformed" | "too_large";

export const storageMetrics = {
  samplesAppended: singletonMetric(
    "vigil_tsdb_head_samples_appended_total",
    (r) => new Counter({ name: "vigil_tsdb_head_samples_appended_total", help: "Samples appended to the head and committed to the WAL.", registers: [r] }),
  ),
  duplicatesIgnored: singletonMetric(
    "vigil_tsdb_duplicate_samples_ignored_total",
    (r) =>
      new Counter({
        name: "vigil_tsdb_duplicate_samples_ignored_total",
        help: "Exact duplicate samples (same timestamp and value as the newest) ignored.",
        registers: [r],
      }),
  ),
  samplesRejected: singletonMetric(
    "vigil_tsdb_samples_rejected_total",
    (r) =>
      new Counter({
        name: "vigil_tsdb_samples_rejected_total",
        help: "Samples rejected, by reason.",
        labelNames: ["reason"] as const,
        registers: [r],
      }),
  ),
  headSeries: singletonMetric(
    "vigil_tsdb_series",
    (r) => new Gauge({ name: "vigil_tsdb_series", help: "Series known to the store.", registers: [r] }),
  ),
  seriesCreated: singletonMetric(
    "vigil_tsdb_series_created_total",
    (r) => new Counter({ name: "vigil_tsdb_series_created_total", help: "Series created.", registers: [r] }),
  ),
  walCommits: singletonMetric(
    "vigil_tsdb_wal_commits_total",
    (r) => new Counter({ name: "vigil_tsdb_wal_commits_total", help: "Group commits of the WAL.", registers: [r] }),
  ),
  walCommitFailures: singletonMetric(
    "vigil_tsdb_wal_commit_failures_total",
    (r) => new Counter({ name: "vigil_tsdb_wal_commit_failures_total", help: "Failed WAL group commits (retried).", registers: [r] }),
  ),
  walCommitDuration: singletonMetric(
    "vigil_tsdb_wal_commit_duration_seconds",
    (r) =>
      new Histogram({
        name: "vigil_tsdb_wal_commit_duration_seconds",
        help: "Duration of WAL group commits.",
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [r],
      }),
  ),
  headFlushes: singletonMetric(
    "vigil_tsdb_head_flushes_total",
    (r) => new Counter({ name: "vigil_tsdb_head_flushes_total", help: "Head flushes into chunk rows.", registers: [r] }),
  ),
  headFlushDuration: singletonMetric(
    "vigil_tsdb_head_flush_duration_seconds",
    (r) =>
      new Histogram({
        name: "vigil_tsdb_head_flush_duration_seconds",
        help: "Duration of head flushes.",
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers: [r],
      }),
  ),
  compactions: singletonMetric(
    "vigil_tsdb_compactions_total",
    (r) => new Counter({ name: "vigil_tsdb_compactions_total", help: "Compaction runs (merging chunk pieces).", registers: [r] }),
  ),
  compactionFailures: singletonMetric(
    "vigil_tsdb_compactions_failed_total",
    (r) => new Counter({ name: "vigil_tsdb_compactions_failed_total", help: "Failed compaction runs.", registers: [r] }),
  ),
  compactionDuration: singletonMetric(
    "vigil_tsdb_compaction_duration_seconds",
    (r) =>
      new Histogram({
        name: "vigil_tsdb_compaction_duration_seconds",
        help: "Duration of compaction runs.",
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
        registers: [r],
      }),
  ),
  retentionRuns: singletonMetric(
    "vigil_tsdb_retention_runs_total",
    (r) => new Counter({ name: "vigil_tsdb_retention_runs_total", help: "Retention runs.", registers: [r] }),
  ),
  retentionDeletedChunks: singletonMetric(
    "vigil_tsdb_retention_deleted_chunks_total",
    (r) => new Counter({ name: "vigil_tsdb_retention_deleted_chunks_total", help: "Chunk rows removed by retention.", registers: [r] }),
  ),
  readCacheHits: singletonMetric(
    "vigil_tsdb_read_cache_hits_total",
    (r) =>
      new Counter({
        name: "vigil_tsdb_read_cache_hits_total",
        help: "Chunks that select found decoded in the read cache (open-chunk mirrors included).",
        registers: [r],
      }),
  ),
  readCacheMisses: singletonMetric(
    "vigil_tsdb_read_cache_misses_total",
    (r) =>
      new Counter({
        name: "vigil_tsdb_read_cache_misses_total",
        help: "Chunks that select had to decode (and then cached when they fit the budget).",
        registers: [r],
      }),
  ),
  readCacheEvictions: singletonMetric(
    "vigil_tsdb_read_cache_evictions_total",
    (r) =>
      new Counter({ name: "vigil_tsdb_read_cache_evictions_total", help: "Entries evicted from the read cache to stay within QUERY_CACHE_BYTES.", registers: [r] }),
  ),
  readCacheBytes: singletonMetric(
    "vigil_tsdb_read_cache_bytes",
    (r) => new Gauge({ name: "vigil_tsdb_read_cache_bytes", help: "Bytes of decoded samples held by the read cache.", registers: [r] }),
  ),
};
