import { describe, expect, it } from "vitest";
import { formatDuration, msToSeconds, parseDuration, secondsToMs } from "./duration";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("parseDuration (model.ParseDuration)", () => {
  it.each([
    ["0", 0],
    ["0s", 0],
    ["1ms", 1],
    ["5s", 5 * S],
    ["5m", 5 * M],
    ["1h30m", 90 * M],
    ["1m30ms", M + 30],
    ["4s180ms", 4180],
    ["5d", 5 * D],
    ["2w", 14 * D],
    ["1y", 365 * D],
    ["1y2w3d4h5m6s7ms", 365 * D + 14 * D + 3 * D + 4 * H + 5 * M + 6 * S + 7],
    ["1111111s", 1111111 * S],
  ])("%s = %d ms", (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each([
    ["", "empty duration string"],
    ["5", `not a valid duration string: "5"`],
    ["5m1h", `not a valid duration string: "5m1h"`],
    ["5m1m", `not a valid duration string: "5m1m"`],
    ["-5m", `not a valid duration string: "-5m"`],
    ["1.5h", `unknown unit "." in duration "1.5h"`],
    ["5y1hs", `unknown unit "hs" in duration "5y1hs"`],
    ["3x", `unknown unit "x" in duration "3x"`],
    ["300y", "duration out of range"],
  ])("%j fails with %s", (s, msg) => {
    expect(() => parseDuration(s)).toThrow(msg);
  });
});

describe("formatDuration (model.Duration.String)", () => {
  it.each([
    [0, "0s"],
    [1, "1ms"],
    [5 * M, "5m"],
    [90 * M, "1h30m"],
    [90 * D, "90d"],
    [84 * D, "12w"],
    [365 * D, "1y"],
    [366 * D, "366d"],
    [M + 30, "1m30ms"],
    [-7 * M, "-7m"],
  ])("%d ms = %s", (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });
});

describe("second/millisecond conversions", () => {
  it("rounds to the nanosecond and truncates to the millisecond, as Go", () => {
    expect(secondsToMs(4.018)).toBe(4018);
    expect(secondsToMs(4.18)).toBe(4180);
    expect(secondsToMs(0.0015)).toBe(1);
    expect(secondsToMs(-1.5)).toBe(-1500);
    expect(secondsToMs(1800)).toBe(1800 * S);
    expect(msToSeconds(1001)).toBe(1.001);
    expect(msToSeconds(-1500)).toBe(-1.5);
  });
});
