import { describe, expect, it } from "vitest";
import { decodePanels, encodePanels } from "./url-state";
import { defaultPanel, effectiveStepMs, type PanelState } from "./panel-state";
import { formatDuration, parseDuration, parseUrlTime, formatUrlTime, stepRange } from "./time";

const strip = (ps: PanelState[]) => ps.map(({ id: _id, ...rest }) => rest);

describe("panel URL state", () => {
  it("round-trips every field of several panels", () => {
    const panels = [
      defaultPanel({ expr: 'sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))', tab: "graph", rangeMs: 5400_000, endMs: Date.UTC(2024, 0, 15, 12, 30, 45), displayMode: "stacked", showExemplars: true, resolution: { type: "fixed", stepMs: 30_000 }, overlays: ["up", "vector(1) & on() x"] }),
      defaultPanel({ expr: "up", tab: "table" }),
      defaultPanel({ expr: "", tab: "explain", resolution: { type: "auto", density: "high" }, rangeMs: 7 * 86400_000 }),
      defaultPanel({ expr: "a + b", resolution: { type: "fixed", stepMs: 500 } }),
    ];
    const qs = encodePanels(panels);
    expect(strip(decodePanels(qs))).toEqual(strip(panels));
    // And the string form is stable through a second trip.
    expect(encodePanels(decodePanels(`?${qs}`))).toBe(qs);
  });

  it("writes Prometheus's parameter names", () => {
    const qs = new URLSearchParams(encodePanels([defaultPanel({ expr: "up", tab: "graph", endMs: Date.UTC(2024, 0, 1), rangeMs: 3600_000 })]));
    expect(qs.get("g0.expr")).toBe("up");
    expect(qs.get("g0.tab")).toBe("graph");
    expect(qs.get("g0.range_input")).toBe("1h");
    expect(qs.get("g0.end_input")).toBe("2024-01-01 00:00:00");
    expect(qs.get("g0.moment_input")).toBe("2024-01-01 00:00:00");
    expect(qs.get("g0.res_type")).toBe("auto");
    expect(qs.get("g0.display_mode")).toBe("lines");
  });

  it("reads links from Prometheus 2 and 3", () => {
    const [p2] = decodePanels("?g0.expr=rate(x%5B5m%5D)&g0.tab=0&g0.stacked=1&g0.range_input=2h&g0.end_input=2019-10-25%2023%3A37%3A00&g0.step_input=15");
    expect(p2).toMatchObject({ expr: "rate(x[5m])", tab: "graph", displayMode: "stacked", rangeMs: 7200_000, endMs: Date.UTC(2019, 9, 25, 23, 37), resolution: { type: "fixed", stepMs: 15_000 } });
    const [p3] = decodePanels("g0.expr=up&g0.tab=table&g0.moment_input=2024-06-15%2023%3A59%3A59&g0.res_type=auto&g0.res_density=low");
    expect(p3).toMatchObject({ tab: "table", endMs: Date.UTC(2024, 5, 15, 23, 59, 59), resolution: { type: "auto", density: "low" } });
  });

  it("stops at the first missing expr and ignores junk values", () => {
    const ps = decodePanels("g0.expr=a&g0.tab=bogus&g0.range_input=nope&g0.res_type=fixed&g0.res_step=-3&g2.expr=c");
    expect(ps).toHaveLength(1);
    expect(ps[0]).toMatchObject({ tab: "table", rangeMs: 3600_000, resolution: { type: "auto", density: "medium" } });
    expect(decodePanels("")).toEqual([]);
  });

  it("gives each decoded panel its own id", () => {
    const ps = decodePanels("g0.expr=a&g1.expr=b");
    expect(new Set(ps.map((p) => p.id)).size).toBe(2);
  });
});

describe("durations and times", () => {
  it("parses and formats Prometheus durations", () => {
    expect(parseDuration("1h30m")).toBe(5400_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1d2h")).toBe(93_600_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("30m1h")).toBeNull();
    expect(parseDuration("1x")).toBeNull();
    expect(parseDuration("0s")).toBeNull();
    expect(formatDuration(5400_000)).toBe("1h30m");
    expect(formatDuration(7 * 86400_000)).toBe("1w");
    expect(formatDuration(1500)).toBe("1s500ms");
  });

  it("parses the URL time form in UTC", () => {
    expect(parseUrlTime("2024-01-15 12:30:45")).toBe(1705321845000);
    expect(parseUrlTime("2024-01-15T12:30:45Z")).toBe(1705321845000);
    expect(parseUrlTime("1705321845")).toBe(1705321845000);
    expect(parseUrlTime("yesterday")).toBeNull();
    expect(formatUrlTime(1705321845000)).toBe("2024-01-15 12:30:45");
  });

  it("steps ranges through the preset list", () => {
    expect(stepRange(3600_000, 1)).toBe(7200_000);
    expect(stepRange(3600_000, -1)).toBe(1800_000);
    expect(stepRange(5400_000, -1)).toBe(3600_000);
  });
});

describe("effective step", () => {
  it("follows Prometheus's auto rule max(floor(range_s/250), 1)", () => {
    expect(effectiveStepMs({ type: "auto", density: "medium" }, 3600_000)).toBe(14_000);
    expect(effectiveStepMs({ type: "auto", density: "medium" }, 60_000)).toBe(1000);
    expect(effectiveStepMs({ type: "auto", density: "low" }, 3600_000)).toBe(28_000);
    expect(effectiveStepMs({ type: "auto", density: "high" }, 3600_000)).toBe(7000);
  });

  it("keeps a fixed step unless it exceeds 11,000 points", () => {
    expect(effectiveStepMs({ type: "fixed", stepMs: 15_000 }, 3600_000)).toBe(15_000);
    expect(effectiveStepMs({ type: "fixed", stepMs: 1000 }, 86400_000)).toBe(Math.ceil(86400_000 / 11_000));
  });
});
