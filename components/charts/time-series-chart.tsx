"use client";

// A props-only ECharts wrapper: it owns the chart instance (init/dispose), keeps
// it sized to its box (ResizeObserver), and replaces the whole option on every
// change (`notMerge`, so series removed from the option disappear). Fetching and
// option building happen elsewhere (components/query/graph.tsx,
// time-series-option.ts), so dashboard panels can use the same component.

import { useEffect, useRef } from "react";
import * as echarts from "echarts/core";
import { LineChart } from "echarts/charts";
import { BrushComponent, GridComponent, ToolboxComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
import type { EChartsCoreOption } from "echarts/core";

echarts.use([LineChart, GridComponent, TooltipComponent, BrushComponent, ToolboxComponent, CanvasRenderer]);

declare global {
  interface Window {
    /** Benchmark hook: called with performance.now() each time a new option has been fully drawn. */
    __vigilChartDrawn?: (atMs: number) => void;
  }
}

export interface TimeSeriesChartProps {
  option: EChartsCoreOption;
  /** CSS height of the chart box, px. */
  height: number;
  /** Drag on the plot selects a time range; called with its bounds (Unix ms). Without it, no brush. */
  onBrushX?: (fromMs: number, toMs: number) => void;
  /** Called once each time a new option has been drawn. */
  onDrawn?: () => void;
  "data-testid"?: string;
}

export function TimeSeriesChart({ option, height, onBrushX, onDrawn, ...rest }: TimeSeriesChartProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  // Handlers through refs so a new callback identity does not re-create the chart.
  const brushRef = useRef(onBrushX);
  const drawnRef = useRef(onDrawn);
  const pendingDraw = useRef(false);
  useEffect(() => {
    brushRef.current = onBrushX;
    drawnRef.current = onDrawn;
  });

  useEffect(() => {
    const box = boxRef.current!;
    const chart = echarts.init(box, undefined, { renderer: "canvas" });
    chartRef.current = chart;
    chart.on("finished", () => {
      if (!pendingDraw.current) return;
      pendingDraw.current = false;
      box.dataset.drawn = String(Number(box.dataset.drawn ?? 0) + 1);
      window.__vigilChartDrawn?.(performance.now());
      drawnRef.current?.();
    });
    chart.on("brushEnd", (e) => {
      const area = (e as { areas?: { coordRange?: [number, number] }[] }).areas?.[0];
      // Clear the selection band: the zoom replaces the range, the band would be stale.
      chart.dispatchAction({ type: "brush", areas: [] });
      const range = area?.coordRange;
      if (!range || !brushRef.current) return;
      const [a, b] = [Math.min(range[0], range[1]), Math.max(range[0], range[1])];
      if (b - a > 0) brushRef.current(Math.round(a), Math.round(b));
    });
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(box);
    return () => {
      ro.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  const brushEnabled = onBrushX !== undefined;
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    pendingDraw.current = true;
    chart.setOption(option, { notMerge: true, lazyUpdate: false });
    if (brushEnabled) {
      // Arm the x-axis brush so a plain drag selects a range (there is no visible toolbox button).
      chart.dispatchAction({ type: "takeGlobalCursor", key: "brush", brushOption: { brushType: "lineX", brushMode: "single" } });
    }
  }, [option, brushEnabled]);

  return <div ref={boxRef} style={{ width: "100%", height }} data-testid={rest["data-testid"] ?? "time-series-chart"} />;
}
