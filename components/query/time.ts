// Durations and times for the query page. Internally all time is integer
// milliseconds; seconds appear only at the HTTP boundary.

const UNITS: [string, number][] = [
  ["y", 365 * 24 * 3600_000],
  ["w", 7 * 24 * 3600_000],
  ["d", 24 * 3600_000],
  ["h", 3600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
];
const UNIT_MS = new Map(UNITS);

/** A Prometheus duration (`1h30m`, `90s`, `2d`) in ms; null when it is not one or is zero. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (s === "") return null;
  // Units must appear from largest to smallest, each at most once, as in Prometheus.
  const re = /(\d+)(ms|y|w|d|h|m|s)/y;
  let ms = 0;
  let lastUnit = -1;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    const idx = UNITS.findIndex(([u]) => u === m[2]);
    if (idx <= lastUnit) return null;
    lastUnit = idx;
    ms += Number(m[1]) * UNIT_MS.get(m[2]!)!;
    pos = re.lastIndex;
  }
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** ms as a Prometheus duration string (`3600000` → `1h`, `5400000` → `1h30m`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  let rest = Math.round(ms);
  let out = "";
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** `YYYY-MM-DD HH:mm:ss` in UTC, the form Prometheus's URLs carry (`g0.end_input`). */
export function formatUrlTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** Parses `formatUrlTime`'s form (also ISO with `T`/`Z`, or Unix seconds); null when invalid. */
export function parseUrlTime(text: string): number | null {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?Z?$/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), Number((m[7] ?? "0").padEnd(3, "0")));
  return Number.isNaN(ms) ? null : ms;
}

/** A timestamp for display: local time, or UTC with a `Z`-free " UTC" suffix. */
export function formatDisplayTime(ms: number, utc: boolean, withMs = false): string {
  const d = new Date(ms);
  const get = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  const [y, mo, da, h, mi, s, msPart] = get as [number, number, number, number, number, number, number];
  const base = `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}${withMs ? `.${pad(msPart, 3)}` : ""}`;
  return utc ? `${base} UTC` : base;
}

/** The value for an `<input type="datetime-local">` (local or UTC wall clock). */
export function toDateTimeInput(ms: number, utc: boolean): string {
  return formatDisplayTime(ms, utc).replace(" UTC", "").replace(" ", "T");
}

/** Reads an `<input type="datetime-local">` value back; null when empty or invalid. */
export function fromDateTimeInput(value: string, utc: boolean): number | null {
  if (!value) return null;
  if (utc) return parseUrlTime(value);
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** The steps of the range −/+ buttons, as Prometheus's graph controls offer. */
export const RANGE_STEPS_MS = [
  1, 10, 60, 5 * 60, 15 * 60, 30 * 60, 3600, 2 * 3600, 6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 56 * 86400,
  112 * 86400, 182 * 86400, 365 * 86400, 730 * 86400,
].map((s) => s * 1000);

/** The next smaller (`-1`) or larger (`+1`) range step from `rangeMs`. */
export function stepRange(rangeMs: number, dir: 1 | -1): number {
  if (dir > 0) return RANGE_STEPS_MS.find((r) => r > rangeMs) ?? rangeMs;
  for (let i = RANGE_STEPS_MS.length - 1; i >= 0; i--) if (RANGE_STEPS_MS[i]! < rangeMs) return RANGE_STEPS_MS[i]!;
  return rangeMs;
}
