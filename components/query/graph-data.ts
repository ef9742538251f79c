// Turns /api/v1/query_range results into what the chart draws and what the
// CSV export writes. Values that cannot be drawn (NaN, ±Inf) and steps with
// no sample become null, so the line breaks there instead of jumping.

import type { RangeSeries } from "@/components/api/types/query";
import { formatSeries, parseSampleValue } from "./format";

export interface GraphSeries {
  /** Stable key: expression index plus the label set. */
  key: string;
  /** Tooltip text, `name{a="b"}`; prefixed by the expression number when a panel overlays several. */
  name: string;
  /** `name{a="b"}` alone (the legend groups series under their expression). */
  label: string;
  /** Index of the panel expression the series came from (0 = the main one). */
  exprIndex: number;
  metric: Record<string, string>;
  /** `[Unix ms, value or null]`, in time order, with a null inserted at every gap. */
  points: [number, number | null][];
}

/**
 * Series of every expression of a panel, with gaps made explicit: when two
 * samples are further apart than one step (a missing step, as Prometheus's
 * graph also shows), a null point between them breaks the line.
 */
export function toGraphSeries(results: RangeSeries[][], stepMs: number): GraphSeries[] {
  const out: GraphSeries[] = [];
  const several = results.length > 1;
  results.forEach((series, exprIndex) => {
    for (const s of series) {
      const label = formatSeries(s.metric);
      const values = s.values ?? [];
      const points: [number, number | null][] = [];
      let prevT = Number.NaN;
      for (const [tSec, v] of values) {
        const t = Math.round(tSec * 1000);
        if (t - prevT > stepMs * 1.5) points.push([prevT + stepMs, null]);
        const f = parseSampleValue(v);
        points.push([t, Number.isFinite(f) ? f : null]);
        prevT = t;
      }
      out.push({ key: `${exprIndex}:${label}`, name: several ? `#${exprIndex + 1} ${label}` : label, label, exprIndex, metric: s.metric, points });
    }
  });
  return out;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The shown series as CSV: a `time` column (ISO 8601 UTC) and one column per
 * series, one row per timestamp any series has; empty cells where a series
 * has no value. Gap markers (nulls) are not rows of their own.
 */
export function toCsv(series: GraphSeries[]): string {
  const times = new Set<number>();
  const byKey = series.map((s) => {
    const m = new Map<number, number>();
    for (const [t, v] of s.points) {
      if (v === null) continue;
      m.set(t, v);
      times.add(t);
    }
    return m;
  });
  const sorted = [...times].sort((a, b) => a - b);
  const lines = [["time", ...series.map((s) => csvField(s.name))].join(",")];
  for (const t of sorted) {
    const row = [new Date(t).toISOString()];
    for (const m of byKey) {
      const v = m.get(t);
      row.push(v === undefined ? "" : String(v));
    }
    lines.push(row.join(","));
  }
  return lines.join("\n") + "\n";
}
