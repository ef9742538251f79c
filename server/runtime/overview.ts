import "server-only";
import { isReady, requireRuntime } from "./start";

export interface Overview {
  ready: boolean;
  storage: "PGlite" | "PostgreSQL" | null;
  series: number;
  /** Unix ms. */
  startedAt: number | null;
  /** Unix ms. */
  serverTime: number;
}

/** What the home page shows: whether the server and its store are up. */
export async function getOverview(): Promise<Overview> {
  if (!isReady()) return { ready: false, storage: null, series: 0, startedAt: null, serverTime: Date.now() };
  const rt = await requireRuntime();
  return {
    ready: true,
    storage: rt.db.kind === "pglite" ? "PGlite" : "PostgreSQL",
    series: rt.store.numSeries,
    startedAt: rt.startedAt,
    serverTime: Date.now(),
  };
}
