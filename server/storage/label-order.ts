// The store's series in label order, for selects that must return their
// series sorted by labels as Prometheus's sorted Select does (topk's ties,
// an instant vector's order and the order of a sum's terms all follow it).
// Comparing label sets while sorting each selection cost ~6 ms per 10,000
// series; instead every series carries its rank in label order, kept lazily:
// series created or removed since the last sort are merged in at the next
// one, and a selection is then sorted by rank as numbers.

import { compareLabels, type Labels } from "./labels/labels";

/** What the order needs of a series. */
export interface Ranked {
  readonly labels: Labels;
  /** Position in label order among the live series; -1 until merged in. */
  rank: number;
  /** Removed from the store. */
  deleted: boolean;
}

/** Packed sort keys hold rank × 2^26 + position: exact below 2^52. */
const POSITION_BITS = 2 ** 26;

export class LabelOrder<S extends Ranked> {
  private sorted: S[] = [];
  private pending: S[] = [];
  private removed = 0;

  /** A new series (it gets a rank at the next sort). */
  add(s: S): void {
    s.rank = -1;
    this.pending.push(s);
  }

  /** A series marked deleted (it leaves the order at the next sort). */
  remove(): void {
    this.removed++;
  }

  /** Ranks the series added so far (at start-up, so that the first query does not pay for it). */
  prepare(): void {
    this.refresh();
  }

  /** Sorts live series by labels, in place. */
  sort(list: S[]): void {
    if (list.length < 2) return;
    this.refresh();
    let ascending = true;
    for (let i = 1; i < list.length; i++) {
      if (list[i]!.rank < list[i - 1]!.rank) {
        ascending = false;
        break;
      }
    }
    if (ascending) return;
    const n = list.length;
    if (n >= POSITION_BITS || this.sorted.length >= POSITION_BITS) {
      list.sort((a, b) => a.rank - b.rank);
      return;
    }
    // A typed-array sort of packed keys: no comparator calls.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = list[i]!.rank * POSITION_BITS + i;
    keys.sort();
    const copy = list.slice();
    for (let i = 0; i < n; i++) list[i] = copy[keys[i]! % POSITION_BITS]!;
  }

  /** Merges series created since the last sort in and drops removed ones; ranks are positions. */
  private refresh(): void {
    if (this.pending.length === 0 && this.removed === 0) return;
    const add = this.pending.filter((s) => !s.deleted).sort((a, b) => compareLabels(a.labels, b.labels));
    const old = this.sorted;
    const out: S[] = new Array(old.length + add.length);
    let k = 0;
    const take = (s: S) => {
      if (s.deleted) return;
      s.rank = k;
      out[k++] = s;
    };
    // Each new series goes where a binary search over the old order puts it
    // (k log n label comparisons, not one per old series).
    let i = 0;
    for (const b of add) {
      let lo = i;
      let hi = old.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareLabels(old[mid]!.labels, b.labels) <= 0) lo = mid + 1;
        else hi = mid;
      }
      while (i < lo) take(old[i++]!);
      take(b);
    }
    while (i < old.length) take(old[i++]!);
    out.length = k;
    this.sorted = out;
    this.pending = [];
    this.removed = 0;
  }
}
