import { describe, expect, it } from "vitest";
import { CLOCK_DRIFT_LIMIT_MS, clockDriftMs, formatDrift } from "./clock-drift";

describe("clockDriftMs", () => {
  it("compares the server time with the midpoint of the round trip", () => {
    // Sent at 1000, answered at 3000: the server's 2000 is exactly in sync.
    expect(clockDriftMs(2000, 1000, 3000)).toBe(0);
    // The browser is a minute ahead.
    expect(clockDriftMs(2000, 61_000, 63_000)).toBe(60_000);
    expect(clockDriftMs(100_000, 1000, 3000)).toBe(-98_000);
  });

  it("does not call a slow answer drift", () => {
    // 50 s of latency with synchronised clocks: the server answered mid-way.
    expect(Math.abs(clockDriftMs(25_000, 0, 50_000))).toBeLessThanOrEqual(CLOCK_DRIFT_LIMIT_MS);
  });
});

describe("formatDrift", () => {
  it("reads naturally at every scale", () => {
    expect(formatDrift(-31_400)).toBe("31 s");
    expect(formatDrift(125_000)).toBe("2 min 5 s");
    expect(formatDrift(3_600_000)).toBe("1 h");
    expect(formatDrift(5_400_000)).toBe("1 h 30 min");
    expect(formatDrift(120_000)).toBe("2 min");
  });
});
