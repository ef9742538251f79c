// The ECharts option for a time-series graph, built from plain data so the
// chart component stays props-only and the option can be tested without a
// browser.

import type { EChartsCoreOption } from "echarts/core";
import type { ChartTheme } from "./chart-theme";

export interface ChartSeries {
  key: string;
  name: string;
  color: string;
  /** `[Unix ms, value or null]`; null breaks the line. */
  points: [number, number | null][];
}

export interface TimeSeriesOptionInput {
  series: ChartSeries[];
  /** Unix ms */
  startMs: number;
  /** Unix ms */
  endMs: number;
  stacked: boolean;
  utc: boolean;
  theme: ChartTheme;
  formatValue: (v: number) => string;
  formatTime: (ms: number) => string;
}

const TOOLTIP_MAX_SERIES = 12;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface TooltipParam {
  seriesName?: string;
  color?: string;
  value?: [number, number | null];
  axisValue?: number;
}

export function buildTimeSeriesOption(input: TimeSeriesOptionInput): EChartsCoreOption {
  const { theme, formatValue, formatTime } = input;
  const axisLine = { lineStyle: { color: theme.border } };
  const splitLine = { lineStyle: { color: theme.border, opacity: 0.6 } };
  return {
    // Re-animating hundreds of series on every refresh costs time and helps nobody reading values.
    animation: false,
    useUTC: input.utc,
    textStyle: { color: theme.fg, fontFamily: "system-ui, sans-serif" },
    grid: { left: 8, right: 16, top: 12, bottom: 8, containLabel: true },
    xAxis: {
      type: "time",
      min: input.startMs,
      max: input.endMs,
      axisLine,
      axisTick: axisLine,
      splitLine: { show: true, ...splitLine },
      axisLabel: { color: theme.muted, hideOverlap: true },
    },
    yAxis: {
      type: "value",
      scale: !input.stacked,
      axisLine,
      splitLine,
      axisLabel: { color: theme.muted, formatter: (v: number) => formatValue(v) },
    },
    tooltip: {
      trigger: "axis",
      confine: true,
      backgroundColor: theme.card,
      borderColor: theme.border,
      textStyle: { color: theme.fg, fontSize: 12 },
      axisPointer: { type: "line", lineStyle: { color: theme.muted } },
      // With many series an all-series tooltip would cover the chart: show the
      // largest values and how many more there are.
      formatter: (raw: TooltipParam | TooltipParam[]) => {
        const params = (Array.isArray(raw) ? raw : [raw]).filter((p) => p.value && p.value[1] !== null && p.value[1] !== undefined);
        if (params.length === 0) return "";
        const t = params[0]!.value![0];
        params.sort((a, b) => (b.value![1] as number) - (a.value![1] as number));
        const rows = params.slice(0, TOOLTIP_MAX_SERIES).map(
          (p) =>
            `<div style="display:flex;gap:8px;align-items:center;max-width:560px"><span style="flex:none;width:8px;height:8px;border-radius:50%;background:${p.color}"></span>` +
            `<span style="flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">${escapeHtml(p.seriesName ?? "")}</span>` +
            `<b style="font-variant-numeric:tabular-nums">${escapeHtml(formatValue(p.value![1] as number))}</b></div>`,
        );
        const more = params.length > TOOLTIP_MAX_SERIES ? `<div style="opacity:.7">and ${params.length - TOOLTIP_MAX_SERIES} more</div>` : "";
        return `<div style="font-weight:600;margin-bottom:4px">${escapeHtml(formatTime(t))}</div>${rows.join("")}${more}`;
      },
    },
    brush: {
      xAxisIndex: 0,
      brushType: "lineX",
      brushMode: "single",
      transformable: false,
      brushStyle: { color: "rgba(100,140,220,0.18)", borderColor: "rgba(100,140,220,0.6)", borderWidth: 1 },
      outOfBrush: { colorAlpha: 1 },
    },
    toolbox: { show: false, feature: { brush: { type: ["lineX"] } } },
    series: input.series.map((s) => ({
      id: s.key,
      name: s.name,
      type: "line",
      data: s.points,
      color: s.color,
      showSymbol: false,
      symbol: "none",
      connectNulls: false,
      lineStyle: { width: 1.5 },
      emphasis: { disabled: true },
      stack: input.stacked ? "total" : undefined,
      areaStyle: input.stacked ? { opacity: 0.35 } : undefined,
      // Dropping points below one per pixel keeps big results responsive; LTTB keeps the shape (peaks stay).
      sampling: "lttb",
    })),
  };
}
