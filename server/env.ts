import "server-only";
import { parseDuration } from "./promql/parser";

/** A Prometheus duration ("15d", "1h30m", "500ms") in an environment variable, in milliseconds. */
export function parseEnvDuration(name: string, s: string): number {
  let ms: number;
  try {
    ms = parseDuration(s);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message} (expected e.g. 15d, 12h, 1h30m)`);
  }
  // Every setting read this way (retention, intervals, timeouts) needs a positive duration.
  if (ms <= 0) throw new Error(`${name}: duration must be greater than zero, got ${JSON.stringify(s)}`);
  return ms;
}

function parseBytes(name: string, s: string): number {
  const m = /^(\d+)\s*(B|KB|KiB|MB|MiB|GB|GiB)?$/i.exec(s.trim());
  if (!m) throw new Error(`${name}: invalid size ${JSON.stringify(s)} (expected e.g. 32MiB)`);
  const mult: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1 << 20, gb: 1e9, gib: 1 << 30 };
  return Number(m[1]) * mult[(m[2] ?? "b").toLowerCase()]!;
}

export interface VigilEnv {
  port: number;
  /** A prometheus.yml; without one, Vigil scrapes its own /metrics every 15 s. */
  configFile: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  retentionMs: number;
  /** How often the head is flushed into chunk rows (and the WAL truncated). */
  headFlushIntervalMs: number;
  /** How often compaction and retention run. */
  compactionIntervalMs: number;
  remoteWriteMaxBodyBytes: number;
  remoteWriteMaxDecompressedBytes: number;
  /** WORKERS=off runs the web tier only (no background loops). */
  workers: boolean;
  /** PromQL: --query.lookback-delta, --query.timeout, --query.max-samples, --query.max-concurrency. */
  lookbackDeltaMs: number;
  queryTimeoutMs: number;
  queryMaxSamples: number;
  queryMaxConcurrency: number;
  /** QUERY_CACHE_BYTES: budget of the decoded-sample cache behind select; 0 disables it. */
  queryCacheBytes: number;
  /** PROMQL_EXPERIMENTAL=on enables Prometheus 3's experimental PromQL features (functions, duration expressions, anchored/smoothed, fill()). */
  experimentalPromQL: boolean;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): VigilEnv {
  return {
    port: Number(env.PORT ?? 9090),
    configFile: env.CONFIG_FILE || undefined,
    dataDir: env.DATA_DIR ?? "./data",
    databaseUrl: env.DATABASE_URL || undefined,
    retentionMs: parseEnvDuration("RETENTION", env.RETENTION ?? "15d"),
    headFlushIntervalMs: parseEnvDuration("HEAD_FLUSH_INTERVAL", env.HEAD_FLUSH_INTERVAL ?? "10m"),
    compactionIntervalMs: parseEnvDuration("COMPACTION_INTERVAL", env.COMPACTION_INTERVAL ?? "5m"),
    remoteWriteMaxBodyBytes: parseBytes("REMOTE_WRITE_MAX_BYTES", env.REMOTE_WRITE_MAX_BYTES ?? "32MiB"),
    remoteWriteMaxDecompressedBytes: parseBytes("REMOTE_WRITE_MAX_DECOMPRESSED_BYTES", env.REMOTE_WRITE_MAX_DECOMPRESSED_BYTES ?? "256MiB"),
    workers: (env.WORKERS ?? "on") !== "off",
    lookbackDeltaMs: parseEnvDuration("QUERY_LOOKBACK_DELTA", env.QUERY_LOOKBACK_DELTA ?? "5m"),
    queryTimeoutMs: parseEnvDuration("QUERY_TIMEOUT", env.QUERY_TIMEOUT ?? "2m"),
    queryMaxSamples: Number(env.QUERY_MAX_SAMPLES ?? 50_000_000),
    queryMaxConcurrency: Number(env.QUERY_MAX_CONCURRENCY ?? 20),
    queryCacheBytes: parseBytes("QUERY_CACHE_BYTES", env.QUERY_CACHE_BYTES ?? "256MiB"),
    experimentalPromQL: (env.PROMQL_EXPERIMENTAL ?? "off") === "on",
  };
}
