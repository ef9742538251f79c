import { describe, expect, it } from "vitest";
import { buildTimeSeriesOption, type ChartSeries } from "./time-series-option";

const theme = { fg: "#000", muted: "#555", border: "#ddd", card: "#fff", dark: false };
const series = (n: number): ChartSeries[] =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, name: `s<${i}>`, color: "#123456", points: [[1000, i], [2000, null]] as [number, number | null][] }));

function build(n: number, stacked = false) {
  return buildTimeSeriesOption({ series: series(n), startMs: 0, endMs: 3000, stacked, utc: true, theme, formatValue: String, formatTime: (ms) => `t${ms}` }) as {
    useUTC: boolean;
    xAxis: { min: number; max: number };
    series: { id: string; stack?: string; areaStyle?: unknown; connectNulls: boolean; data: unknown }[];
    tooltip: { formatter: (p: unknown) => string };
  };
}

describe("buildTimeSeriesOption", () => {
  it("draws every series over the requested window, breaking lines at nulls", () => {
    const o = build(3);
    expect(o.series.map((s) => s.id)).toEqual(["k0", "k1", "k2"]);
    expect(o.series.every((s) => s.connectNulls === false && s.stack === undefined)).toBe(true);
    expect(o.xAxis).toMatchObject({ min: 0, max: 3000 });
    expect(o.useUTC).toBe(true);
  });

  it("stacks with filled areas in stacked mode", () => {
    const o = build(2, true);
    expect(o.series.every((s) => s.stack === "total" && s.areaStyle)).toBe(true);
  });

  it("lists the largest values first in the tooltip, escaped, at most 12", () => {
    const params = series(20).map((s, i) => ({ seriesName: s.name, color: s.color, value: [1000, i] }));
    const html = build(20).tooltip.formatter(params);
    expect(html).toContain("t1000");
    expect(html).toContain("s&#60;19&#62;");
    expect(html).not.toContain("<19>");
    expect(html).not.toContain("s&#60;7&#62;");
    expect(html).toContain("and 8 more");
    expect(html.indexOf("s&#60;19&#62;")).toBeLessThan(html.indexOf("s&#60;8&#62;"));
  });
});
