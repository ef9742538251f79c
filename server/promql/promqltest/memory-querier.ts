// An in-memory Querier for tests: series with samples in typed arrays, so
// staleness markers keep their NaN bit pattern.

import { labelsKey, type Labels } from "../../storage/labels/labels";
import type { Matcher } from "../../storage/labels/matcher";
import type { Querier, SelectedSeries } from "../engine/querier";

interface StoredSeries {
  labels: Labels;
  t: number[];
  /** Values, 8 bytes each; grown by doubling. */
  v: Float64Array;
}

export class MemoryQuerier implements Querier {
  private series = new Map<string, StoredSeries>();

  clear(): void {
    this.series.clear();
  }

  /**
   * Adds samples to a series. `values` is a Float64Array so NaN payloads
   * (staleness markers) survive; `times` are ms. Samples at an existing time
   * replace the old ones; the series stays sorted.
   */
  add(labels: Labels, times: number[], values: Float64Array): void {
    const key = labelsKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, t: [], v: new Float64Array(0) };
      this.series.set(key, s);
    }
    const merged = new Map<number, number>();
    const tmp = new Float64Array(s.t.length + times.length);
    let n = 0;
    for (let i = 0; i < s.t.length; i++) {
      merged.set(s.t[i], n);
      tmp[n++] = s.v[i];
    }
    const order = [...s.t];
    for (let i = 0; i < times.length; i++) {
      const at = merged.get(times[i]);
      if (at !== undefined) tmp.set(values.subarray(i, i + 1), at);
      else {
        merged.set(times[i], n);
        tmp.set(values.subarray(i, i + 1), n);
        order.push(times[i]);
        n++;
      }
    }
    const sorted = order.map((t) => ({ t, i: merged.get(t) as number })).sort((a, b) => a.t - b.t);
    const v = new Float64Array(sorted.length);
    sorted.forEach((x, k) => v.set(tmp.subarray(x.i, x.i + 1), k));
    s.t = sorted.map((x) => x.t);
    s.v = v;
  }

  /** Replaces a series' samples entirely (a repeated definition within one load block). */
  replace(labels: Labels, times: number[], values: Float64Array): void {
    this.series.delete(labelsKey(labels));
    this.add(labels, times, values);
  }

  async select(matchers: Matcher[], mintMs: number, maxtMs: number): Promise<SelectedSeries[]> {
    const out: SelectedSeries[] = [];
    for (const s of this.series.values()) {
      let ok = true;
      for (const m of matchers) {
        let v = "";
        for (const l of s.labels) if (l.name === m.name) v = l.value;
        if (!m.matches(v)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      let lo = 0;
      while (lo < s.t.length && s.t[lo] < mintMs) lo++;
      let hi = lo;
      while (hi < s.t.length && s.t[hi] <= maxtMs) hi++;
      if (hi === lo) continue;
      out.push({ labels: s.labels, t: Float64Array.from(s.t.slice(lo, hi)), v: s.v.slice(lo, hi) });
    }
    return out;
  }
}
