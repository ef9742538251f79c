// Label-set helpers for the evaluator (Prometheus's labels.Builder and the
// signature functions of engine.go), over the sorted `Labels` arrays of
// server/storage/labels.

import { compareStrings, labelsEqual, METRIC_NAME, type Label, type Labels } from "../../storage/labels/labels";

export { METRIC_NAME };

/** Labels Prometheus 3 treats as series metadata (dropped with the name). */
export const TYPE_LABEL = "__type__";
export const UNIT_LABEL = "__unit__";

export function isMetadataLabel(name: string): boolean {
  return name === METRIC_NAME || name === TYPE_LABEL || name === UNIT_LABEL;
}

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return "";
}

/** `DropReserved(IsMetadataLabel)`: removes `__name__`, `__type__`, `__unit__`. */
export function dropMetricName(ls: Labels): Labels {
  let has = false;
  for (const l of ls) if (isMetadataLabel(l.name)) has = true;
  if (!has) return ls;
  return ls.filter((l) => !isMetadataLabel(l.name));
}

/** Returns a copy with `name` set to `value` ("" deletes it), kept sorted. */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out: Label[] = [];
  let done = false;
  for (const l of ls) {
    if (!done && compareStrings(l.name, name) >= 0) {
      done = true;
      if (value !== "") out.push({ name, value });
      if (l.name === name) continue;
    }
    out.push(l);
  }
  if (!done && value !== "") out.push({ name, value });
  return out;
}

export function keepLabels(ls: Labels, names: ReadonlySet<string>): Labels {
  return ls.filter((l) => names.has(l.name));
}

export function deleteLabels(ls: Labels, names: ReadonlySet<string>): Labels {
  return ls.filter((l) => !names.has(l.name));
}

/** A map key for a label set (injective). */
export function labelsHash(ls: Labels): string {
  let key = "";
  for (const l of ls) key += l.name + "\xff" + l.value + "\xfe";
  return key;
}

/**
 * The matching signature of vector matching: with `on`, only the listed
 * labels; otherwise all labels but the listed ones and `__name__` (Go's
 * `signatureFunc`).
 */
export function signatureFunc(on: boolean, names: string[]): (ls: Labels) => string {
  const set = new Set(names);
  if (on && set.size === 1) {
    // One label: its value alone is the signature (labels never have empty
    // values, so "" means absent), with no key to concatenate.
    const name = names[0];
    return (ls) => {
      for (const l of ls) if (l.name === name) return l.value;
      return "";
    };
  }
  if (on) {
    return (ls) => {
      let key = "";
      for (const l of ls) if (set.has(l.name)) key += l.name + "\xff" + l.value + "\xfe";
      return key;
    };
  }
  set.add(METRIC_NAME);
  return (ls) => {
    let key = "";
    for (const l of ls) if (!set.has(l.name)) key += l.name + "\xff" + l.value + "\xfe";
    return key;
  };
}

/**
 * A set of label sets, for checking that results are distinct: a 32-bit
 * FNV-1a hash of names and values picks the bucket and equal hashes are
 * compared label by label. Cheaper than labelsHash keys, whose
 * concatenated strings cost more to build and hash than this loop.
 */
export class DistinctLabelSets {
  private readonly buckets = new Map<number, Labels[]>();

  /** Adds `ls`; false when an equal label set is already in. */
  add(ls: Labels): boolean {
    let h = 0x811c9dc5;
    for (const l of ls) {
      const name = l.name;
      for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ 0xff, 0x01000193);
      const value = l.value;
      for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ 0xfe, 0x01000193);
    }
    const bucket = this.buckets.get(h);
    if (bucket === undefined) {
      this.buckets.set(h, [ls]);
      return true;
    }
    for (const other of bucket) if (labelsEqual(other, ls)) return false;
    bucket.push(ls);
    return true;
  }
}
