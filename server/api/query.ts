// /api/v1/query and /api/v1/query_range (Prometheus's `query` and
// `queryRange` in web/api/v1/api.go): parameters are checked in Prometheus's
// order with its error texts, then the engine runs the query.

import { QueryTimeoutError, type QueryResult } from "../promql";
import { badData, invalidParamError } from "../http/errors";
import { parseDuration, parseDurationNs, parseTimeParam, requiredTimeParam, type Params } from "../http/params";
import type { ApiResult } from "../http/respond";
import type { ApiContext } from "./context";
import { queryResultJSON, formatTimestamp } from "./serialize";
import { RawJSON } from "../http/json";

/** Options shared by both query endpoints (Prometheus's `extractQueryOpts` plus `timeout`). */
export interface QueryOptions {
  query: string;
  /** Per-query timeout, ms; undefined keeps the engine's. */
  timeoutMs?: number;
  /** Per-query lookback delta, ms; undefined keeps the engine's. */
  lookbackDeltaMs?: number;
  /** The `stats` parameter: "" for none, "all" adds per-step samples. */
  stats: string;
}

export interface InstantQueryParams extends QueryOptions {
  /** Evaluation time, Unix ms. */
  timeMs: number;
}

export interface RangeQueryParams extends QueryOptions {
  /** Unix ms. */
  startMs: number;
  /** Unix ms. */
  endMs: number;
  /** Resolution step, ms. */
  stepMs: number;
}

/** The `data` of a query response. */
export interface QueryData {
  resultType: string;
  result: RawJSON;
  stats?: unknown;
}

// Prometheus: "For safety, limit the number of returned points per timeseries."
const MAX_POINTS_PER_SERIES = 11_000;

function parseOptions(p: Params): Omit<QueryOptions, "query" | "stats"> {
  let timeoutMs: number | undefined;
  const to = p.get("timeout");
  if (to !== "") {
    try {
      timeoutMs = parseDuration(to);
    } catch (err) {
      throw invalidParamError(err, "timeout");
    }
  }
  let lookbackDeltaMs: number | undefined;
  const lb = p.get("lookback_delta");
  if (lb !== "") {
    try {
      lookbackDeltaMs = parseDuration(lb);
    } catch (err) {
      throw badData(`error parsing lookback delta duration: ${(err as Error).message}`);
    }
  }
  // Prometheus treats a zero lookback delta as "use the engine's default".
  if (lookbackDeltaMs === 0) lookbackDeltaMs = undefined;
  return { timeoutMs, lookbackDeltaMs };
}

/** Parses /api/v1/query parameters; `nowMs` is the default `time`. */
export function parseInstantQueryParams(p: Params, nowMs: number): InstantQueryParams {
  const timeMs = parseTimeParam(p, "time", nowMs);
  return { timeMs, ...parseOptions(p), query: p.get("query"), stats: p.get("stats") };
}

/** Parses /api/v1/query_range parameters in Prometheus's order. */
export function parseRangeQueryParams(p: Params): RangeQueryParams {
  const startMs = requiredTimeParam(p, "start");
  const endMs = requiredTimeParam(p, "end");
  if (endMs < startMs) throw badData("end timestamp must not be before start time");
  let stepNs: number;
  try {
    stepNs = parseDurationNs(p.get("step"));
  } catch (err) {
    throw invalidParamError(err, "step");
  }
  if (stepNs <= 0) throw badData("zero or negative query resolution step widths are not accepted. Try a positive integer");
  // Go: end.Sub(start)/step, an integer division of nanoseconds.
  if (Math.trunc(((endMs - startMs) * 1e6) / stepNs) > MAX_POINTS_PER_SERIES) {
    throw badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
  }
  // Steps below 1 ms pass Prometheus's check but evaluate with a 0 ms step; we round them up to 1 ms.
  const stepMs = Math.max(1, Math.trunc(stepNs / 1e6));
  return { startMs, endMs, stepMs, ...parseOptions(p), query: p.get("query"), stats: p.get("stats") };
}

/**
 * Runs `fn` under the per-query `timeout` parameter. The engine has only a
 * global timeout and polls `signal.aborted` during its synchronous
 * evaluation, when no timer can fire; so we hand it a signal whose `aborted`
 * also turns true once the deadline passed, and report that cancellation as
 * Prometheus's timeout. (A `timeout` in the engine's QueryOpts would be the
 * cleaner place for this.)
 */
async function withTimeout<T>(timeoutMs: number | undefined, signal: AbortSignal | undefined, fn: (s: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (timeoutMs === undefined) return fn(signal);
  const base = signal ?? new AbortController().signal;
  const deadline = Date.now() + timeoutMs;
  const timed = Object.create(base, { aborted: { get: () => base.aborted || Date.now() > deadline } }) as AbortSignal;
  try {
    return await fn(timed);
  } catch (err) {
    if (err instanceof Error && err.name === "QueryCanceledError" && !base.aborted) {
      const where = /query was canceled in (.*)$/.exec(err.message)?.[1];
      throw new QueryTimeoutError(where);
    }
    throw err;
  }
}

/** Errors raised before evaluation (parse errors, bad expression types) are Prometheus's `invalid parameter "query"`. */
function wrapQueryError(err: unknown): never {
  // By name: the engine's classes come from another module graph (see server/http/respond.ts).
  if (err instanceof Error && (err.name === "PromQLParseError" || err.name === "BadQueryError")) throw invalidParamError(err, "query");
  throw err;
}

/** Prometheus's stats.BuiltinStats for `stats=<anything>`; times in seconds. */
function renderStats(opts: QueryOptions, res: QueryResult, elapsedMs: number, perStep: [number, number][] | undefined): unknown {
  if (opts.stats === "") return undefined;
  const s = elapsedMs / 1000;
  return {
    timings: {
      evalTotalTime: s,
      resultSortTime: 0,
      queryPreparationTime: 0,
      innerEvalTime: s,
      execQueueTime: 0,
      execTotalTime: s,
    },
    samples: {
      totalQueryableSamplesPerStep: opts.stats === "all" && perStep ? perStep.map(([t, n]) => new RawJSON(`[${formatTimestamp(t)},${n}]`)) : undefined,
      totalQueryableSamples: res.stats.totalQueryableSamples,
      peakSamples: res.stats.peakSamples,
    },
  };
}

function toApiResult(opts: QueryOptions, res: QueryResult, elapsedMs: number, perStep?: [number, number][]): ApiResult<QueryData> {
  return {
    data: { resultType: res.value.type, result: queryResultJSON(res.value), stats: renderStats(opts, res, elapsedMs, perStep) },
    warnings: res.annotations.warnings,
    infos: res.annotations.infos,
  };
}

/** Evaluates an instant query. */
export async function instantQuery(ctx: ApiContext, q: InstantQueryParams, signal?: AbortSignal): Promise<ApiResult<QueryData>> {
  const t0 = performance.now();
  const res = await withTimeout(q.timeoutMs, signal, (s) =>
    ctx.engine.instantQuery(q.query, q.timeMs, { signal: s, lookbackDelta: q.lookbackDeltaMs }).catch(wrapQueryError),
  );
  const elapsed = performance.now() - t0;
  return toApiResult(q, res, elapsed, [[q.timeMs, res.stats.totalQueryableSamples]]);
}

/**
 * Evaluates a range query. With `stats=all` Prometheus also returns samples
 * per step; the engine counts only totals, so we leave that field out
 * (it is `omitempty` in Prometheus's JSON).
 */
export async function rangeQuery(ctx: ApiContext, q: RangeQueryParams, signal?: AbortSignal): Promise<ApiResult<QueryData>> {
  const t0 = performance.now();
  const res = await withTimeout(q.timeoutMs, signal, (s) =>
    ctx.engine.rangeQuery(q.query, q.startMs, q.endMs, q.stepMs, { signal: s, lookbackDelta: q.lookbackDeltaMs }).catch(wrapQueryError),
  );
  return toApiResult(q, res, performance.now() - t0);
}
