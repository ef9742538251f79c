"use client";

// The Graph tab's data side: it turns the panel's range, end and resolution
// into start/end/step (Prometheus's auto-resolution rule), fetches
// /api/v1/query_range for every expression of the panel, and keeps the data
// together with the range it was fetched for, so the previous chart stays
// visible (with a "refreshing" mark) while a new range loads. Drawing is
// components/charts/time-series-chart.tsx's job.

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { apiFetch, type ApiRequestError } from "@/components/api/use-api-query";
import type { QueryData, RangeSeries } from "@/components/api/types/query";
import { TimeSeriesChart } from "@/components/charts/time-series-chart";
import { buildTimeSeriesOption, type ChartSeries } from "@/components/charts/time-series-option";
import { SERIES_PALETTE, useChartTheme } from "@/components/charts/chart-theme";
import { Skeleton } from "@/components/ui/skeleton";
import { effectiveStepMs, type Resolution } from "./panel-state";
import { toCsv, toGraphSeries, type GraphSeries } from "./graph-data";
import { formatValueShort } from "./format";
import { formatDisplayTime, formatDuration } from "./time";
import { Annotations, QueryError } from "./query-error";
import styles from "./query.module.css";

/** Legend row height, px (rows are virtualized: 10,000 series stay cheap). */
const LEGEND_ROW_PX = 22;
const CHART_HEIGHT = 340;

interface Props {
  /** The main expression first, then the overlays; empty ones are skipped. */
  exprs: string[];
  rangeMs: number;
  /** Unix ms (already resolved from "now"). */
  endMs: number;
  resolution: Resolution;
  stacked: boolean;
  utc: boolean;
  /** Drag-to-zoom chose a new window (Unix ms, whole seconds). */
  onZoom: (rangeMs: number, endMs: number) => void;
  execSeq: number;
}

interface RangeResult {
  /** The expressions, and their series in the same order. */
  exprs: string[];
  results: RangeSeries[][];
  warnings: string[];
  infos: string[];
  /** The window the data is for, Unix ms; drawn with the data, not with the current props. */
  startMs: number;
  endMs: number;
  stepMs: number;
  elapsedMs: number;
}

export function Graph({ exprs, rangeMs, endMs, resolution, stacked, utc, onZoom, execSeq }: Props) {
  const active = exprs.filter((e) => e.trim() !== "");
  const stepMs = effectiveStepMs(resolution, rangeMs);
  // Align to the step so refreshes of a moving "now" reuse the same grid.
  const end = Math.floor(endMs / 1000) * 1000;
  const start = end - rangeMs;
  const q = useQuery<RangeResult, ApiRequestError>({
    queryKey: ["/api/v1/query_range", active, start, end, stepMs, execSeq],
    queryFn: async ({ signal }) => {
      const t0 = performance.now();
      const all = await Promise.all(
        active.map((query) =>
          apiFetch<QueryData>("/api/v1/query_range", { query, start: start / 1000, end: end / 1000, step: stepMs / 1000 }, { signal, method: "POST" }),
        ),
      );
      const results = all.map((r, i) => {
        if (r.data.resultType !== "matrix") throw new Error(`expression ${i + 1} returned a ${r.data.resultType}, expected a range of series`);
        return r.data.result;
      });
      return {
        exprs: active,
        results,
        warnings: all.flatMap((r) => r.warnings),
        infos: all.flatMap((r) => r.infos),
        startMs: start,
        endMs: end,
        stepMs,
        elapsedMs: performance.now() - t0,
      };
    },
    enabled: active.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  });

  if (active.length === 0) return <p className={styles.empty}>Enter an expression and press Execute (or Enter).</p>;
  if (q.isPending) return <Skeleton height={CHART_HEIGHT} />;
  return (
    <div data-testid="graph-view" style={{ display: "flex", flexDirection: "column", gap: 8 }}>
      {q.isError && <QueryError error={q.error} expr={active.length === 1 ? active[0] : undefined} />}
      {q.data && <Annotations warnings={q.data.warnings} infos={q.data.infos} />}
      {q.data && <DrawnGraph data={q.data} stacked={stacked} utc={utc} onZoom={onZoom} refetching={q.isFetching} stale={q.isError} />}
    </div>
  );
}

function DrawnGraph({ data, stacked, utc, onZoom, refetching, stale }: { data: RangeResult; stacked: boolean; utc: boolean; onZoom: Props["onZoom"]; refetching: boolean; stale: boolean }) {
  const theme = useChartTheme();
  const series = useMemo(() => toGraphSeries(data.results, data.stepMs), [data]);
  // Colors follow the position in the full list, so isolating a series keeps its color.
  const colored = useMemo(() => series.map((s, i) => ({ ...s, color: SERIES_PALETTE[i % SERIES_PALETTE.length]! })), [series]);
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const visible = useMemo(() => colored.filter((s) => !hidden.has(s.key)), [colored, hidden]);

  const option = useMemo(
    () =>
      buildTimeSeriesOption({
        series: visible as ChartSeries[],
        startMs: data.startMs,
        endMs: data.endMs,
        stacked,
        utc,
        theme,
        formatValue: formatValueShort,
        formatTime: (ms) => formatDisplayTime(ms, utc),
      }),
    [visible, data.startMs, data.endMs, stacked, utc, theme],
  );

  const zoom = useCallback(
    (from: number, to: number) => {
      // Whole seconds: the URL carries seconds, and a sub-second window is not useful.
      const endS = Math.ceil(to / 1000);
      const rangeS = Math.max(1, endS - Math.floor(from / 1000));
      onZoom(rangeS * 1000, endS * 1000);
    },
    [onZoom],
  );

  const onLegendClick = (key: string, e: React.MouseEvent) => {
    setHidden((prev) => {
      if (e.ctrlKey || e.metaKey) {
        // Toggle just this one.
        const next = new Set(prev);
        if (next.has(key)) next.delete(key);
        else next.add(key);
        return next;
      }
      // Isolate: show only this one; clicking the only visible one shows all again.
      const onlyThis = colored.every((s) => (s.key === key ? !prev.has(s.key) : prev.has(s.key)));
      return onlyThis ? new Set() : new Set(colored.filter((s) => s.key !== key).map((s) => s.key));
    });
  };

  const download = () => {
    const blob = new Blob([toCsv(visible)], { type: "text/csv;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `vigil-query-${new Date(data.endMs).toISOString().replace(/[:.]/g, "-")}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const pointCount = series.reduce((n, s) => n + s.points.length, 0);
  return (
    <>
      <div className={styles.stats} data-testid="graph-stats">
        <span data-testid="graph-series-count">{series.length.toLocaleString("en-US")} series</span>
        <span>{pointCount.toLocaleString("en-US")} points</span>
        <span>Step: {formatDuration(data.stepMs)}</span>
        <span>Load time: {Math.round(data.elapsedMs).toLocaleString("en-US")} ms</span>
        <span className={styles.spacer} />
        <button type="button" className={styles.linkButton} onClick={download} disabled={visible.length === 0} data-testid="csv-export">
          Export CSV
        </button>
      </div>
      <div className={styles.chartBox} data-testid="chart-box" data-series={visible.length}>
        {series.length === 0 ? (
          <p className={styles.empty} data-testid="empty-result">
            No data queried in this range.
          </p>
        ) : (
          <TimeSeriesChart option={option} height={CHART_HEIGHT} onBrushX={zoom} />
        )}
        {(refetching || stale) && <span className={styles.refetching}>{stale ? "showing the previous result" : "refreshing…"}</span>}
      </div>
      {series.length > 0 && (
        <>
          <div className={styles.legendHint}>Click a series to show only it, Ctrl/⌘-click to toggle it. Drag across the graph to zoom in.</div>
          <Legend series={colored} exprs={data.exprs} hidden={hidden} onClick={onLegendClick} />
        </>
      )}
    </>
  );
}

type LegendRow = { kind: "group"; exprIndex: number } | { kind: "series"; s: GraphSeries & { color: string } };

/**
 * The legend under the chart, virtualized so only the visible rows exist in
 * the DOM; with several expressions, series are grouped under their expression.
 */
function Legend({ series, exprs, hidden, onClick }: { series: (GraphSeries & { color: string })[]; exprs: string[]; hidden: ReadonlySet<string>; onClick: (key: string, e: React.MouseEvent) => void }) {
  const rows = useMemo(() => {
    const out: LegendRow[] = [];
    series.forEach((s, i) => {
      if (exprs.length > 1 && (i === 0 || series[i - 1]!.exprIndex !== s.exprIndex)) out.push({ kind: "group", exprIndex: s.exprIndex });
      out.push({ kind: "series", s });
    });
    return out;
  }, [series, exprs.length]);
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => LEGEND_ROW_PX, overscan: 8 });
  return (
    <div ref={scrollRef} className={styles.legend} data-testid="legend" style={{ height: Math.min(rows.length * LEGEND_ROW_PX + 8, 230) }}>
      <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
        {virtual.getVirtualItems().map((v) => {
          const row = rows[v.index]!;
          const style = { position: "absolute" as const, top: v.start, left: 0, right: 0, height: LEGEND_ROW_PX };
          if (row.kind === "group") {
            return (
              <div key={`g${row.exprIndex}`} className={styles.legendGroup} style={style}>
                #{row.exprIndex + 1} <code>{exprs[row.exprIndex]}</code>
              </div>
            );
          }
          const s = row.s;
          return (
            <button
              type="button"
              key={s.key}
              style={style}
              className={`${styles.legendItem} ${hidden.has(s.key) ? styles.legendHidden : ""}`}
              onClick={(e) => onClick(s.key, e)}
              data-testid="legend-item"
              aria-pressed={!hidden.has(s.key)}
              title={s.label}
            >
              <span className={styles.swatch} style={{ background: s.color }} />
              <span className={styles.legendText}>{s.label}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
