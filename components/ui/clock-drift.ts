// Clock drift between the browser and the server. Graph ranges and "5s ago"
// texts use the browser's clock while samples carry the server's, so a drift
// of more than a few seconds makes fresh data look stale or in the future.

/** Drift beyond which the banner is shown (Prometheus's UI uses 30 s too). */
export const CLOCK_DRIFT_LIMIT_MS = 30_000;

/**
 * The browser clock minus the server clock, in ms: the server's time is taken
 * as the midpoint of the request's round trip (half the latency each way),
 * so a slow answer alone is not mistaken for drift.
 */
export function clockDriftMs(serverTimeMs: number, sentAtMs: number, receivedAtMs: number): number {
  return (sentAtMs + receivedAtMs) / 2 - serverTimeMs;
}

/** "2 min 5 s" for a drift (sign ignored). */
export function formatDrift(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}
