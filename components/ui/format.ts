// Formatting shared by the status pages. Inputs are Unix ms unless a name
// says otherwise.

/** Go's zero time, which the API sends for "never" (e.g. before the first scrape). */
const GO_ZERO_TIME = "0001-01-01T00:00:00Z";

/** Unix ms of an RFC 3339 string; null for Go's zero time or an unparsable string. */
export function parseApiTime(s: string | undefined | null): number | null {
  if (!s || s === GO_ZERO_TIME || s.startsWith("0001-01-01")) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : ms;
}

/** "3.2s ago", "in 4m" — compact relative time of `thenMs` seen at `nowMs`. */
export function formatRelative(thenMs: number, nowMs: number): string {
  const d = nowMs - thenMs;
  const abs = Math.abs(d);
  let text: string;
  if (abs < 1000) return "just now";
  if (abs < 10_000) text = `${(abs / 1000).toFixed(1)}s`;
  else if (abs < 60_000) text = `${Math.round(abs / 1000)}s`;
  else if (abs < 3_600_000) text = `${Math.floor(abs / 60_000)}m ${Math.round((abs % 60_000) / 1000)}s`;
  else if (abs < 86_400_000) text = `${Math.floor(abs / 3_600_000)}h ${Math.floor((abs % 3_600_000) / 60_000)}m`;
  else text = `${Math.floor(abs / 86_400_000)}d ${Math.floor((abs % 86_400_000) / 3_600_000)}h`;
  return d >= 0 ? `${text} ago` : `in ${text}`;
}

/** A duration given in seconds, at a precision that suits it: "850µs", "12.3ms", "1.204s". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "—";
  if (s === 0) return "0s";
  if (s < 0.001) return `${Math.round(s * 1e6)}µs`;
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)}ms`;
  if (s < 60) return `${s.toFixed(3)}s`;
  return formatUptime(s * 1000);
}

/** "3d 4h 12m" for a long span in ms. */
export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** Bytes in binary units: "512 B", "1.5 KiB", "20.0 MiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** A UTC timestamp "2024-01-02 03:04:05 UTC", or "—". */
export function formatTimestamp(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

/** 12,345 */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
