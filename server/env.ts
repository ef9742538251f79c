import "server-only";

/** Prometheus-style duration strings ("15d", "1h30m", "500ms") to milliseconds. */
export function parseEnvDuration(name: string, s: string): number {
  const units: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, y: 365 * 86400e3 };
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * units[m[2]!]!;
    pos = re.lastIndex;
  }
  if (s.length === 0 || pos !== s.length) throw new Error(`${name}: invalid duration ${JSON.stringify(s)} (expected e.g. 15d, 12h, 1h30m)`);
  return total;
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
    experimentalPromQL: (env.PROMQL_EXPERIMENTAL ?? "off") === "on",
  };
}
