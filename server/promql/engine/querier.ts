// The only way the engine reads data (Prometheus's storage.Querier, reduced
// to what PromQL needs). The series store and the test harness's in-memory
// store both implement it; the engine never imports either.

import type { Labels } from "../../storage/labels/labels";
import type { Matcher } from "../../storage/labels/matcher";

/**
 * One selected series: samples sorted by time, times in integer ms. The
 * engine only reads `t` and `v` (it copies what it changes), so a store may
 * hand out views of arrays it keeps, e.g. a cache of decoded samples.
 */
export interface SelectedSeries {
  labels: Labels;
  /** Sample timestamps, integer milliseconds, ascending. */
  t: Float64Array;
  /** Sample values; staleness markers keep their NaN bit pattern. */
  v: Float64Array;
}

export interface Querier {
  /** Series matching all matchers with their samples in [mintMs, maxtMs] (both ms, inclusive). */
  select(matchers: Matcher[], mintMs: number, maxtMs: number): Promise<SelectedSeries[]>;
}
