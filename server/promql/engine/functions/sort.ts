// sort, sort_desc, sort_by_label, sort_by_label_desc.

import type { FunctionImpl } from "./index";
import type { Sample, Vector } from "../value";
import { compareLabels } from "../../../storage/labels/labels";
import { getLabel } from "../labels";

type Less = (a: Sample, b: Sample) => boolean;

/** Go's sort.Sort: insertion sort for short inputs (stable), otherwise a stable sort. */
export function goSortSamples(v: Sample[], less: Less): Sample[] {
  if (v.length <= 12) {
    for (let i = 1; i < v.length; i++) {
      for (let j = i; j > 0 && less(v[j], v[j - 1]); j--) [v[j], v[j - 1]] = [v[j - 1], v[j]];
    }
    return v;
  }
  const idx = v.map((s, i) => ({ s, i }));
  idx.sort((a, b) => (less(a.s, b.s) ? -1 : less(b.s, a.s) ? 1 : a.i - b.i));
  return idx.map((x) => x.s);
}

function chunkify(s: string): string[] {
  return s.match(/(\d+|\D+)/g) ?? [];
}

function atoi(s: string): number | null {
  return /^[+-]?\d+$/.test(s) && s.length < 19 ? Number(s) : null;
}

/** facette/natsort.Compare: whether a sorts before b in natural order. */
export function natsortLess(a: string, b: string): boolean {
  const ca = chunkify(a);
  const cb = chunkify(b);
  for (let i = 0; i < ca.length; i++) {
    if (i >= cb.length) return false;
    const ai = atoi(ca[i]);
    const bi = atoi(cb[i]);
    if (ai !== null && bi !== null) {
      if (ai === bi) {
        if (i === ca.length - 1) return true;
        if (i === cb.length - 1) return false;
        continue;
      }
      return ai < bi;
    }
    if (ca[i] === cb[i]) {
      if (i === ca.length - 1) return true;
      if (i === cb.length - 1) return false;
      continue;
    }
    return ca[i] < cb[i];
  }
  return false;
}

function sortByLabel(desc: boolean): FunctionImpl {
  return (args, call, enh) => {
    warnRange(enh, call);
    const names = args.slice(1) as string[];
    const cmp = (a: Sample, b: Sample): number => {
      for (const n of names) {
        const x = getLabel(a.metric, n);
        const y = getLabel(b.metric, n);
        if (x === y) continue;
        return natsortLess(x, y) ? -1 : 1;
      }
      return compareLabels(a.metric, b.metric);
    };
    // slices.SortFunc is pdqsort as well; results only differ for exact ties, which the full label comparison rules out.
    return (args[0] as Vector).slice().sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
  };
}

function warnRange(enh: Parameters<FunctionImpl>[2], call: Parameters<FunctionImpl>[1]): void {
  if (enh.ev.queryStart !== enh.ev.queryEnd) {
    enh.warn("sort is ineffective for range queries since results are always ordered by labels", call);
  }
}

export const SORT_FUNCTIONS: Record<string, FunctionImpl> = {
  // sort(v instant-vector) → instant-vector: ascending, NaN last
  sort: (args, call, enh) => {
    warnRange(enh, call);
    // Go sorts descending with NaN first and reverses.
    return goSortSamples((args[0] as Vector).slice(), (a, b) => Number.isNaN(b.f) || b.f > a.f);
  },
  // sort_desc(v instant-vector) → instant-vector: descending, NaN last
  sort_desc: (args, call, enh) => {
    warnRange(enh, call);
    return goSortSamples((args[0] as Vector).slice(), (a, b) => Number.isNaN(b.f) || b.f < a.f);
  },
  sort_by_label: sortByLabel(false),
  sort_by_label_desc: sortByLabel(true),
};
