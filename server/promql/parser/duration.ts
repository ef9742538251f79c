// Prometheus durations (`model.Duration` in prometheus/common): "1h30m", "5m", "90d".
//
// Internally all time is integer milliseconds; these helpers convert between
// that and Prometheus's string form with the same rules and error wording as
// `model.ParseDuration` and `model.Duration.String`.

import { goQuote } from "./go-format";

const MS = 1;
const SECOND = 1000 * MS;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const YEAR = 365 * DAY;

// Unit multipliers in nanoseconds (as Go), with their required order (biggest first).
const UNITS: Record<string, { ns: bigint; pos: number }> = {
  y: { ns: BigInt(YEAR) * 1_000_000n, pos: 1 },
  w: { ns: BigInt(WEEK) * 1_000_000n, pos: 2 },
  d: { ns: BigInt(DAY) * 1_000_000n, pos: 3 },
  h: { ns: BigInt(HOUR) * 1_000_000n, pos: 4 },
  m: { ns: BigInt(MINUTE) * 1_000_000n, pos: 5 },
  s: { ns: BigInt(SECOND) * 1_000_000n, pos: 6 },
  ms: { ns: 1_000_000n, pos: 7 },
};

const MAX_NS = (1n << 63n) - 1n;

const isDigit = (c: string) => c >= "0" && c <= "9";

function invalidDuration(s: string): Error {
  return new Error(`not a valid duration string: ${goQuote(s)}`);
}

/**
 * Parses a Prometheus duration string ("1h30m", "5m", "0") into milliseconds.
 * Units must appear from biggest to smallest (`y w d h m s ms`); no sign, no
 * fractions. Throws an `Error` with Prometheus's message on bad input.
 */
export function parseDuration(s: string): number {
  if (s === "0") return 0;
  if (s === "") throw new Error("empty duration string");
  const orig = s;
  let dur = 0n;
  let lastUnitPos = 0;
  while (s !== "") {
    if (!isDigit(s[0])) throw invalidDuration(orig);
    let i = 0;
    while (i < s.length && isDigit(s[i])) i++;
    const v = BigInt(s.slice(0, i));
    if (v > (1n << 64n) - 1n) throw invalidDuration(orig); // strconv.ParseUint overflow
    s = s.slice(i);
    i = 0;
    while (i < s.length && !isDigit(s[i])) i++;
    if (i === 0) throw invalidDuration(orig);
    const u = s.slice(0, i);
    s = s.slice(i);
    const unit = UNITS[u];
    if (!unit) throw new Error(`unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    if (unit.pos <= lastUnitPos) throw invalidDuration(orig);
    lastUnitPos = unit.pos;
    if (v > (1n << 63n) / unit.ns) throw new Error("duration out of range");
    dur += v * unit.ns;
    if (dur > MAX_NS) throw new Error("duration out of range");
  }
  return Number(dur / 1_000_000n);
}

/**
 * Formats milliseconds as a Prometheus duration string, e.g. 5400000 → "1h30m".
 * Years and weeks are only used when they divide the value exactly ("90d", not
 * "12w6d"). Zero is "0s".
 *
 * Prometheus's `model.Duration.String` returns "" for negative values; we
 * prefix a "-" instead so callers can always round-trip.
 */
export function formatDuration(ms: number): string {
  ms = Math.trunc(ms);
  if (ms === 0) return "0s";
  if (ms < 0) return "-" + formatDuration(-ms);
  let r = "";
  for (const [unit, mult, exact] of FORMAT_UNITS) {
    if (exact && ms % mult !== 0) continue;
    const v = Math.floor(ms / mult);
    if (v > 0) {
      r += `${v}${unit}`;
      ms -= v * mult;
    }
  }
  return r;
}

// Years and weeks only when exact ("90d" reads better than "12w6d").
const FORMAT_UNITS: [string, number, boolean][] = [
  ["y", YEAR, true],
  ["w", WEEK, true],
  ["d", DAY, false],
  ["h", HOUR, false],
  ["m", MINUTE, false],
  ["s", SECOND, false],
  ["ms", MS, false],
];

/** Go's `math.Round`: halves round away from zero. */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Converts float seconds to integer milliseconds exactly as Prometheus turns a
 * number literal into a `time.Duration` (`Duration(math.Round(v * 1e9))`) and
 * reads it back with `.Milliseconds()` (truncating toward zero).
 */
export function secondsToMs(seconds: number): number {
  const ns = roundHalfAwayFromZero(seconds * 1e9);
  if (!Number.isFinite(ns)) return ns;
  return Number(BigInt(ns) / 1_000_000n);
}

/**
 * Milliseconds of `model.Duration(v * 1e9)` as Prometheus's printer computes
 * them for a duration-valued number literal (float → int64 truncates).
 */
export function secondsToMsTruncated(seconds: number): number {
  const ns = Math.trunc(seconds * 1e9);
  if (!Number.isFinite(ns)) return ns;
  return Number(BigInt(ns) / 1_000_000n);
}

/** Go's `time.Duration.Seconds()` for a whole number of milliseconds. */
export function msToSeconds(ms: number): number {
  const sec = Math.trunc(ms / 1000);
  return sec + ((ms - sec * 1000) * 1e6) / 1e9;
}
