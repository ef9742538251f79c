import { describe, expect, it } from "vitest";
import { formatBytes, formatCount, formatRelative, formatSeconds, formatTimestamp, formatUptime, parseApiTime } from "./format";

describe("format", () => {
  it("parseApiTime treats Go's zero time as never", () => {
    expect(parseApiTime("0001-01-01T00:00:00Z")).toBeNull();
    expect(parseApiTime("")).toBeNull();
    expect(parseApiTime("garbage")).toBeNull();
    expect(parseApiTime("2024-01-02T03:04:05.5Z")).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 500));
  });

  it("formatRelative", () => {
    const now = 1_000_000_000;
    expect(formatRelative(now - 300, now)).toBe("just now");
    expect(formatRelative(now - 3_210, now)).toBe("3.2s ago");
    expect(formatRelative(now - 42_000, now)).toBe("42s ago");
    expect(formatRelative(now - 125_000, now)).toBe("2m 5s ago");
    expect(formatRelative(now - 3 * 3_600_000 - 60_000, now)).toBe("3h 1m ago");
    expect(formatRelative(now - 2 * 86_400_000, now)).toBe("2d 0h ago");
    expect(formatRelative(now + 20_000, now)).toBe("in 20s");
  });

  it("formatSeconds picks a readable unit", () => {
    expect(formatSeconds(0)).toBe("0s");
    expect(formatSeconds(0.00085)).toBe("850µs");
    expect(formatSeconds(0.0042)).toBe("4.20ms");
    expect(formatSeconds(0.0123)).toBe("12.3ms");
    expect(formatSeconds(1.2041)).toBe("1.204s");
    expect(formatSeconds(90)).toBe("1m 30s");
    expect(formatSeconds(NaN)).toBe("—");
  });

  it("formatUptime, formatBytes, formatTimestamp, formatCount", () => {
    expect(formatUptime(3 * 86_400_000 + 4 * 3_600_000 + 12 * 60_000)).toBe("3d 4h 12m");
    expect(formatUptime(59_000)).toBe("59s");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(20 * 2 ** 20)).toBe("20.0 MiB");
    expect(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).toBe("2024-01-02 03:04:05 UTC");
    expect(formatTimestamp(null)).toBe("—");
    expect(formatCount(1234567)).toBe("1,234,567");
  });
});
