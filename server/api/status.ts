// /api/v1/status/* (Prometheus's serveBuildInfo, serveRuntimeInfo,
// serveFlags, serveConfig, serveTSDBStatus).

import os from "node:os";
import v8 from "node:v8";
import { formatDuration } from "../promql/parser";
import { badData } from "../http/errors";
import { RawJSON, jsonString, toJSON } from "../http/json";
import { goAtoi, type Params } from "../http/params";
import type { ApiResult } from "../http/respond";
import { compareStrings } from "../storage/labels/labels";
import type { ApiContext } from "./context";
import type { VigilEnv } from "../env";

/**
 * The Prometheus version Vigil answers to. Grafana and other clients pick
 * features from `version`; Vigil implements Prometheus 3's query API.
 */
export const PROMETHEUS_COMPAT_VERSION = "3.0.0";
/** Vigil's own version, reported as the build revision. */
export const VIGIL_VERSION = "0.1.0";

/** /api/v1/status/buildinfo. */
export function buildInfo(): ApiResult {
  return {
    data: {
      version: PROMETHEUS_COMPAT_VERSION,
      revision: `vigil-${VIGIL_VERSION}`,
      branch: "vigil",
      buildUser: "vigil",
      buildDate: "",
      // Prometheus reports the Go version; we report the JavaScript runtime's.
      goVersion: `node${process.versions.node}`,
    },
  };
}

/** A time as Go's RFC3339Nano (`time.Time` JSON): UTC, trailing fractional zeros trimmed. */
export function goTimeJSON(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.600Z
  return iso.replace(/\.(\d*?)0*Z$/, (_m, d: string) => (d ? `.${d}Z` : "Z"));
}

export interface RuntimeInfoInput {
  /** Unix ms. */
  startedAt: number;
  /** Unix ms. */
  now: number;
  retentionMs: number;
  /** Unix ms of the last configuration load; startedAt until configuration reloads exist. */
  lastConfigTime?: number;
  /** Whether the last configuration reload succeeded. */
  reloadConfigSuccess?: boolean;
}

/** /api/v1/status/runtimeinfo; Go-specific fields get their nearest Node.js meaning. */
export function runtimeInfo(i: RuntimeInfoInput): ApiResult {
  return {
    data: {
      startTime: goTimeJSON(i.startedAt),
      CWD: process.cwd(),
      hostname: os.hostname(),
      serverTime: goTimeJSON(i.now),
      reloadConfigSuccess: i.reloadConfigSuccess ?? true,
      lastConfigTime: goTimeJSON(i.lastConfigTime ?? i.startedAt),
      corruptionCount: 0,
      // Node has one JavaScript thread; there are no goroutines to count.
      goroutineCount: 1,
      GOMAXPROCS: os.availableParallelism(),
      GOMEMLIMIT: v8.getHeapStatistics().heap_size_limit,
      GOGC: "",
      GODEBUG: "",
      storageRetention: formatDuration(i.retentionMs),
    },
  };
}

/** /api/v1/status/flags: flag name → value, keys sorted as Go writes maps. */
export function flags(values: Record<string, string>): ApiResult<RawJSON> {
  const keys = Object.keys(values).sort(compareStrings);
  return { data: new RawJSON("{" + keys.map((k) => jsonString(k) + ":" + jsonString(values[k]!)).join(",") + "}") };
}

/** /api/v1/status/config. */
export function config(yaml: string): ApiResult<{ yaml: string }> {
  return { data: { yaml } };
}

/** Parses the `limit` of /api/v1/status/tsdb (default 10). */
export function parseTSDBStatusParams(p: Params): { limit: number } {
  const s = p.get("limit");
  if (s === "") return { limit: 10 };
  const n = goAtoi(s);
  if (n === null || n < 1) throw badData("limit must be a positive number");
  return { limit: n };
}

// An empty Prometheus head reports minTime = MaxInt64 and maxTime = MinInt64.
const MAX_INT64 = "9223372036854775807";
const MIN_INT64 = "-9223372036854775808";

/** /api/v1/status/tsdb in Prometheus's shape, headStats included. */
export async function tsdbStatus(ctx: ApiContext, q: { limit: number }): Promise<ApiResult> {
  const st = await ctx.store.status(q.limit);
  let numLabelPairs = 0;
  for (const name of ctx.store.labelNames()) numLabelPairs += ctx.store.labelValues(name).length;
  const stats = (l: { name: string; value: number }[]) => l.map((x) => ({ name: x.name, value: x.value }));
  return {
    data: {
      headStats: {
        numSeries: st.numSeries,
        numLabelPairs,
        chunkCount: st.headChunks,
        minTime: new RawJSON(st.minTime === null ? MAX_INT64 : toJSON(st.minTime)),
        maxTime: new RawJSON(st.maxTime === null ? MIN_INT64 : toJSON(st.maxTime)),
      },
      seriesCountByMetricName: stats(st.seriesCountByMetricName),
      labelValueCountByLabelName: stats(st.labelValueCountByLabelName),
      memoryInBytesByLabelName: stats(st.memoryInBytesByLabelName),
      seriesCountByLabelValuePair: stats(st.seriesCountByLabelValuePair),
    },
  };
}

/** The flags Vigil runs with, named as Prometheus's command-line flags. */
export function flagsFromEnv(env: VigilEnv): Record<string, string> {
  return {
    "enable-feature": env.experimentalPromQL
      ? "promql-experimental-functions,promql-duration-expr,promql-extended-range-selectors,promql-binop-fill-modifiers"
      : "",
    "query.lookback-delta": formatDuration(env.lookbackDeltaMs),
    "query.max-concurrency": String(env.queryMaxConcurrency),
    "query.max-samples": String(env.queryMaxSamples),
    "query.timeout": formatDuration(env.queryTimeoutMs),
    "storage.tsdb.path": env.databaseUrl ? "" : env.dataDir,
    "storage.tsdb.retention.time": formatDuration(env.retentionMs),
    "web.enable-remote-write-receiver": "true",
    "web.listen-address": `0.0.0.0:${env.port}`,
  };
}
