// What the API's domain functions need from the running server. The runtime
// satisfies it; unit tests pass an in-memory engine and a fake store.

import type { Engine } from "../promql";
import type { SeriesStore } from "../storage/store";

/** The store's read side used by the series, labels, metadata and status endpoints. */
export type ApiStore = Pick<SeriesStore, "series" | "labelNames" | "labelValues" | "getMetadata" | "status">;

export interface ApiContext {
  engine: Engine;
  store: ApiStore;
  /** Wall clock, Unix ms (the default `time` of instant queries). */
  now?: () => number;
}
