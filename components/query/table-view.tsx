"use client";

// The Table tab: an instant query at the panel's evaluation time, its series
// with formatted labels and values, the result count and query statistics.
// Rendering stops at MAX_ROWS rows, with a notice: a browser table of a
// million rows would freeze the page, and nobody reads past the first screens.

import { useQuery } from "@tanstack/react-query";
import { apiFetch, type ApiRequestError, type ApiSuccess } from "@/components/api/use-api-query";
import type { QueryData } from "@/components/api/types/query";
import { Skeleton } from "@/components/ui/skeleton";
import { Annotations, QueryError } from "./query-error";
import { SeriesLabel } from "./series-label";
import { formatDisplayTime } from "./time";
import styles from "./query.module.css";

export const MAX_ROWS = 10_000;

interface Result extends ApiSuccess<QueryData> {
  /** Round trip as the browser saw it, ms. */
  elapsedMs: number;
}

interface Props {
  expr: string;
  /** Evaluation time, Unix ms. */
  timeMs: number;
  utc: boolean;
  /** Changes each execution so "Execute" re-runs an identical query. */
  execSeq: number;
}

export function TableView({ expr, timeMs, utc, execSeq }: Props) {
  const q = useQuery<Result, ApiRequestError>({
    queryKey: ["/api/v1/query", { query: expr, time: timeMs / 1000, stats: "all" }, execSeq],
    queryFn: async ({ signal }) => {
      const t0 = performance.now();
      // POST: long expressions do not fit every proxy's URL limit (Prometheus's UI does the same).
      const res = await apiFetch<QueryData>("/api/v1/query", { query: expr, time: timeMs / 1000, stats: "all" }, { signal, method: "POST" });
      return { ...res, elapsedMs: performance.now() - t0 };
    },
    enabled: expr.trim() !== "",
    retry: false,
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });

  if (expr.trim() === "") return <p className={styles.empty}>Enter an expression and press Execute (or Enter).</p>;
  if (q.isPending) return <Skeleton lines={4} />;
  if (q.isError) return <QueryError error={q.error} expr={expr} />;
  const { data, warnings, infos, elapsedMs } = q.data;
  return (
    <div data-testid="table-view" style={{ display: "flex", flexDirection: "column", gap: 8, opacity: q.isFetching ? 0.6 : 1 }}>
      <Annotations warnings={warnings} infos={infos} />
      <ResultStats data={data} elapsedMs={elapsedMs} />
      <ResultTable data={data} utc={utc} />
    </div>
  );
}

function resultCount(data: QueryData): number {
  return data.resultType === "vector" || data.resultType === "matrix" ? data.result.length : 1;
}

function ResultStats({ data, elapsedMs }: { data: QueryData; elapsedMs: number }) {
  const n = resultCount(data);
  const s = data.stats;
  return (
    <div className={styles.stats} data-testid="query-stats">
      <span data-testid="result-count">
        {data.resultType === "vector" || data.resultType === "matrix" ? `${n.toLocaleString("en-US")} series` : `1 ${data.resultType}`}
      </span>
      <span>Load time: {Math.round(elapsedMs).toLocaleString("en-US")} ms</span>
      {s && <span>Evaluation: {(s.timings.evalTotalTime * 1000).toFixed(1)} ms</span>}
      {s && <span>Samples queried: {s.samples.totalQueryableSamples.toLocaleString("en-US")}</span>}
      {s && <span>Peak samples: {s.samples.peakSamples.toLocaleString("en-US")}</span>}
    </div>
  );
}

/** The result as a table (vector, matrix) or a single value (scalar, string). Shared with the Explain tab. */
export function ResultTable({ data, utc, limit = MAX_ROWS }: { data: QueryData; utc: boolean; limit?: number }) {
  switch (data.resultType) {
    case "scalar":
      return (
        <div className={styles.scalar} data-testid="scalar-result">
          <span className={styles.label}>scalar </span>
          {data.result[1]}
        </div>
      );
    case "string":
      return (
        <div className={styles.scalar} data-testid="string-result">
          <span className={styles.label}>string </span>
          {JSON.stringify(data.result[1])}
        </div>
      );
    case "vector":
    case "matrix": {
      if (data.result.length === 0) return <p className={styles.empty} data-testid="empty-result">No data queried: the expression returned an empty result.</p>;
      const shown = Math.min(limit, data.result.length);
      return (
        <>
          {data.result.length > limit && limit === MAX_ROWS && (
            <div className={styles.notice} data-testid="truncated-notice">
              Showing the first {limit.toLocaleString("en-US")} of {data.result.length.toLocaleString("en-US")} series. Narrow the query (for example with
              label matchers or <code>topk</code>) to see the rest.
            </div>
          )}
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="result-table">
              <thead>
                <tr>
                  <th>Series</th>
                  <th style={{ textAlign: "right" }}>{data.resultType === "vector" ? "Value" : "Values"}</th>
                </tr>
              </thead>
              <tbody>
                {data.resultType === "vector"
                  ? data.result.slice(0, shown).map((s, i) => (
                      <tr key={i} data-testid="result-row">
                        <td>
                          <SeriesLabel metric={s.metric} />
                        </td>
                        <td className={styles.valueCell}>{s.value[1]}</td>
                      </tr>
                    ))
                  : data.result.slice(0, shown).map((s, i) => (
                      <tr key={i} data-testid="result-row">
                        <td>
                          <SeriesLabel metric={s.metric} />
                        </td>
                        <td className={styles.valueCell}>
                          {(s.values ?? []).map(([t, v]) => (
                            <div key={t}>
                              {v} <span className={styles.label}>@ {formatDisplayTime(t * 1000, utc, true)}</span>
                            </div>
                          ))}
                        </td>
                      </tr>
                    ))}
              </tbody>
            </table>
          </div>
        </>
      );
    }
  }
}
