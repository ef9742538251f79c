// In-memory inverted index from label pairs to series refs, following
// Prometheus's tsdb/index MemPostings and tsdb's PostingsForMatchers.
//
// Layout, chosen for memory (the index should hold a million series of ~8
// labels each) and for cache-friendly scans:
//
// - Every distinct label pair is one `IndexedLabel`, with a small integer id.
//   It is the `Label` object handed out in label sets, so every series with
//   `job="x"` shares one object and one copy of each string (interning), and
//   it owns the pair's postings list in JS-private fields, so it still
//   serializes and compares as a plain `{name, value}`.
// - A series is stored as its pair ids in one shared Int32Array ("arena"),
//   `[n, id1, ..., idn]`, found through a per-ref offset table. That is ~40
//   bytes per series instead of ~120 for an array of object pointers, and
//   lets matchers find a series' value for a label by scanning a few
//   contiguous integers. `get(ref)` builds the label array on demand.
// - A postings list is one inline ref, then an exact-size plain array while
//   small, then an Int32Array grown by 1.5x.
//
// Refs are appended, so lists stay sorted when refs are allocated in
// increasing order; an out-of-order append marks the list unsorted and it is
// sorted on the next read. Deletion only decrements a live count: a list is
// compacted on its next read, or at once when more than half of it is dead.
// The arena is compacted when more than half of it is dead.
//
// Selection (`select`) has the semantics of Prometheus's PostingsForMatchers:
// a series is selected when every matcher accepts its value of the matcher's
// label, a missing label being "". Matchers are resolved by direct lookups
// (`=`, literal alternations) or by testing each distinct value of the label
// once, never by testing series one by one; once the candidates are fewer
// than a label's distinct values, the remaining matchers are applied to the
// candidates' own values instead, still testing each distinct value once.

import { compareStrings, sortStrings, type Label, type Labels } from "../labels/labels";
import type { Matcher } from "../labels/matcher";

const maxRef = 0x7fffffff;
const smallListMax = 16; // refs kept in an exact-size plain array up to this many
const empty = new Int32Array(0);

type IsLive = (ref: number) => boolean;

/** A label pair shared by all series that have it, with its postings list. */
class IndexedLabel implements Label {
  // Postings: refs[0..len), or the single ref itself when len is 1.
  #refs: number | number[] | Int32Array = 0;
  #len = 0;
  #live = 0; // series having this pair; len - live entries are dead or duplicates
  #sorted = true;

  readonly #id: number;

  constructor(
    readonly name: string,
    readonly value: string,
    id: number,
  ) {
    this.#id = id;
  }

  /** Index in MemPostings.pairs; -1 for the all-series list. Not an own property, so not serialized. */
  get id(): number {
    return this.#id;
  }

  get live(): number {
    return this.#live;
  }

  /** Entries that are dead or duplicated. */
  get garbage(): number {
    return this.#len - this.#live;
  }

  append(ref: number): void {
    this.#live++;
    const len = this.#len;
    this.#len = len + 1;
    if (len === 0) {
      this.#refs = ref;
      return;
    }
    const refs = this.#refs;
    if (typeof refs === "number") {
      if (ref <= refs) this.#sorted = false;
      this.#refs = [refs, ref];
      return;
    }
    if (ref <= refs[len - 1]) this.#sorted = false;
    if (Array.isArray(refs)) {
      if (len < smallListMax) {
        // Copy to keep the array exact-size (push would over-allocate).
        const next = new Array<number>(len + 1);
        for (let i = 0; i < len; i++) next[i] = refs[i];
        next[len] = ref;
        this.#refs = next;
      } else {
        const grown = new Int32Array(32);
        for (let i = 0; i < len; i++) grown[i] = refs[i];
        grown[len] = ref;
        this.#refs = grown;
      }
      return;
    }
    if (len === refs.length) {
      const grown = new Int32Array(Math.ceil(len * 1.5));
      grown.set(refs);
      grown[len] = ref;
      this.#refs = grown;
      return;
    }
    refs[len] = ref;
  }

  /** Records that one series with this pair was deleted. */
  release(): void {
    this.#live--;
  }

  /** Drops all postings (the pair left the index). */
  clear(): void {
    this.#refs = 0;
    this.#len = 0;
    this.#live = 0;
    this.#sorted = true;
  }

  /**
   * Sorts and compacts the list if needed and returns its length. `isLive`
   * says whether a ref still has this pair; it is only called when the list
   * holds garbage.
   */
  prepare(isLive: IsLive): number {
    const len = this.#len;
    if (this.#sorted && this.#live === len) return len;
    if (typeof this.#refs === "number") {
      // A single entry that is dead (a single live entry returned above).
      if (!isLive(this.#refs)) this.clear();
      return this.#len;
    }
    const refs = this.#refs;
    if (!this.#sorted) {
      if (Array.isArray(refs)) refs.sort((a, b) => a - b);
      else refs.subarray(0, len).sort();
      this.#sorted = true;
    }
    if (this.#live === len) return len;
    let n = 0;
    let prev = -1;
    for (let i = 0; i < len; i++) {
      const ref = refs[i];
      if (ref !== prev && isLive(ref)) refs[n++] = ref;
      prev = ref;
    }
    // Store compactly again.
    if (n === 1) this.#refs = refs[0];
    else if (n <= smallListMax) this.#refs = Array.isArray(refs) ? refs.slice(0, n) : Array.from(refs.subarray(0, n));
    else if (!Array.isArray(refs) && refs.length > n * 2) this.#refs = refs.slice(0, Math.ceil(n * 1.5));
    this.#len = n;
    return n;
  }

  /** Copies the (prepared) refs into out at `at`. */
  copyInto(out: Int32Array, at: number): void {
    const refs = this.#refs;
    const len = this.#len;
    if (typeof refs === "number") {
      if (len === 1) out[at] = refs;
    } else if (Array.isArray(refs)) {
      for (let i = 0; i < len; i++) out[at + i] = refs[i];
    } else {
      out.set(len === refs.length ? refs : refs.subarray(0, len), at);
    }
  }

  /** The (prepared) refs; may share memory with the list, so callers must not modify or keep it. */
  view(): Int32Array {
    const refs = this.#refs;
    if (refs instanceof Int32Array) return refs.subarray(0, this.#len);
    const out = new Int32Array(this.#len);
    this.copyInto(out, 0);
    return out;
  }
}

/** The pairs of one label name; `name` is the string instance all of them share. */
class NameEntry {
  readonly values = new Map<string, IndexedLabel>();
  constructor(
    readonly name: string,
    readonly id: number,
  ) {}
}

/** One entry of a Prometheus /api/v1/status/tsdb top list. */
export interface Stat {
  name: string;
  value: number;
}

/** Cardinality statistics, with the field names of Prometheus's /api/v1/status/tsdb. */
export interface PostingsStats {
  numSeries: number;
  /** Distinct label pairs. */
  numLabelPairs: number;
  /** Top metric names (`__name__` values) by series count. */
  seriesCountByMetricName: Stat[];
  /** Top label names by number of distinct values. */
  labelValueCountByLabelName: Stat[];
  /** Top label names by Σ over values of UTF-8 length(value) × series with it (Prometheus's definition). */
  memoryInBytesByLabelName: Stat[];
  /** Top `name=value` pairs by series count. */
  seriesCountByLabelValuePair: Stat[];
}

/** In-memory postings index over series refs (integers in [1, 2^31 - 1]). */
export class MemPostings {
  private readonly names = new Map<string, NameEntry>();
  private nextNameId = 0;
  // Pairs by id, the name id of each pair, and ids free for reuse.
  private pairs: (IndexedLabel | undefined)[] = [];
  private pairName = new Int32Array(1024);
  private freePairIds: number[] = [];
  // Series: offsets[ref] is the position of [n, id1..idn] in the arena.
  private offsets: (number | undefined)[] = [];
  private arena = new Int32Array(4096);
  private arenaLen = 0;
  private arenaGarbage = 0;
  private count = 0;
  // All series, like Prometheus's AllPostingsKey list.
  private readonly allList = new IndexedLabel("", "", -1);
  private readonly isSeries: IsLive = (ref) => this.offsets[ref] !== undefined;

  /** Number of series in the index. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds a series. Empty label values are ignored (absent). Adding a ref
   * again with other labels replaces the old labels; with the same labels it
   * does nothing. Throws on duplicate label names.
   */
  add(ref: number, ls: Labels): void {
    if (!Number.isInteger(ref) || ref < 1 || ref > maxRef) {
      throw new RangeError(`series ref must be an integer in [1, ${maxRef}], got ${ref}`);
    }
    const pairs = normalize(ls);
    if (this.offsets[ref] !== undefined) {
      if (this.sameLabels(ref, pairs)) return;
      this.delete(ref);
    }
    const n = pairs.length;
    if (this.arenaLen + n + 1 > this.arena.length) this.growArena(n + 1);
    const off = this.arenaLen;
    this.arena[off] = n;
    for (let i = 0; i < n; i++) {
      const l = this.intern(pairs[i]);
      l.append(ref);
      this.arena[off + 1 + i] = l.id;
    }
    this.arenaLen = off + n + 1;
    this.offsets[ref] = off;
    this.count++;
    this.allList.append(ref);
  }

  /** Removes a series (e.g. retention). Unknown refs are ignored. */
  delete(ref: number): void {
    const off = this.offsets[ref];
    if (off === undefined) return;
    this.offsets[ref] = undefined;
    this.count--;
    const n = this.arena[off];
    for (let i = 1; i <= n; i++) {
      const l = this.pairs[this.arena[off + i]] as IndexedLabel;
      l.release();
      if (l.live === 0) this.forget(l);
      else if (l.garbage > Math.max(l.live, 8)) l.prepare(this.liveFor(l));
    }
    this.arenaGarbage += n + 1;
    this.allList.release();
    if (this.allList.garbage > Math.max(this.allList.live, 64)) this.allList.prepare(this.isSeries);
    if (this.arenaGarbage > 4096 && this.arenaGarbage * 2 > this.arenaLen) this.compactArena();
    // Let the offset table shrink when the highest refs go away.
    while (this.offsets.length > 0 && this.offsets[this.offsets.length - 1] === undefined) this.offsets.length--;
  }

  /** The labels of a series (a new array each call), or undefined. */
  get(ref: number): Labels | undefined {
    const off = this.offsets[ref];
    if (off === undefined) return undefined;
    const n = this.arena[off];
    const out = new Array<Label>(n);
    for (let i = 0; i < n; i++) out[i] = this.pairs[this.arena[off + 1 + i]] as IndexedLabel;
    return out;
  }

  /** All series refs, sorted ascending. */
  all(): Int32Array {
    this.allList.prepare(this.isSeries);
    return this.allList.view().slice();
  }

  /**
   * Refs of the series selected by all matchers, sorted ascending: a series
   * is selected when every matcher accepts its value for the matcher's label,
   * "" standing for a missing label (so `{a=""}` selects series without `a`,
   * `{a!~"x"}` includes them, and `{a=~"x|"}` selects both). No matchers
   * select nothing, as in Prometheus. The result is a new array.
   */
  select(matchers: readonly Matcher[]): Int32Array {
    if (matchers.length === 0 || this.count === 0) return empty;

    // 1. Positive matchers answered by direct lookups; intersect smallest first.
    const cheap: Int32Array[] = [];
    const rest: Matcher[] = [];
    for (const m of matchers) {
      const direct = m.matchesEmpty ? null : m.setMatches();
      const values = this.names.get(m.name)?.values;
      if (direct && (!values || direct.length <= values.size)) {
        const found: IndexedLabel[] = [];
        if (values) {
          for (const v of direct) {
            const l = values.get(v);
            if (l) found.push(l);
          }
        }
        const u = this.union(found);
        if (u.length === 0) return empty;
        cheap.push(u);
      } else {
        // A positive matcher on a label no series has selects nothing.
        if (!m.matchesEmpty && !this.names.has(m.name)) return empty;
        rest.push(m);
      }
    }
    cheap.sort((a, b) => a.length - b.length);
    let candidates: Int32Array | null = null;
    for (const list of cheap) {
      candidates = candidates === null ? list : intersect(candidates, list);
      if (candidates.length === 0) return empty;
    }

    // 2. The rest, labels with fewer values first. Without candidates yet,
    // start from the first positive matcher, or else from all series.
    rest.sort((a, b) => this.valueCount(a.name) - this.valueCount(b.name));
    if (candidates === null) {
      const first = rest.findIndex((m) => !m.matchesEmpty);
      if (first >= 0) {
        candidates = this.resolve(rest[first], false);
        rest.splice(first, 1);
      } else {
        this.allList.prepare(this.isSeries);
        candidates = this.allList.view();
      }
    }
    for (const m of rest) {
      if (candidates.length === 0) return empty;
      candidates = this.apply(candidates, m);
    }
    // Copy: the result must not share memory with a postings list, and a
    // subarray would keep a larger buffer alive.
    return candidates.slice();
  }

  /** Sorted label names, of all series or of the given refs. */
  labelNames(refs?: ArrayLike<number>): string[] {
    if (refs === undefined) return sortStrings([...this.names.keys()]);
    const seen = new Set<string>();
    for (let i = 0; i < refs.length; i++) {
      const off = this.offsets[refs[i]];
      if (off === undefined) continue;
      const n = this.arena[off];
      for (let j = 1; j <= n; j++) seen.add((this.pairs[this.arena[off + j]] as IndexedLabel).name);
    }
    return sortStrings([...seen]);
  }

  /** Sorted values of label `name`, over all series or the given refs. */
  labelValues(name: string, refs?: ArrayLike<number>): string[] {
    const entry = this.names.get(name);
    if (!entry) return [];
    if (refs === undefined) return sortStrings([...entry.values.keys()]);
    const seen = new Set<string>();
    for (let i = 0; i < refs.length; i++) {
      const id = this.pairIdOf(refs[i], entry.id);
      if (id >= 0) seen.add((this.pairs[id] as IndexedLabel).value);
    }
    return sortStrings([...seen]);
  }

  /** Cardinality statistics; each list holds the top `limit` entries, largest first. */
  stats(limit = 10): PostingsStats {
    const byMetric = new TopK(limit);
    const byValueCount = new TopK(limit);
    const byMemory = new TopK(limit);
    const byPair = new TopK(limit);
    let numLabelPairs = 0;
    for (const [name, { values }] of this.names) {
      numLabelPairs += values.size;
      byValueCount.push(name, null, values.size);
      let bytes = 0;
      for (const l of values.values()) {
        bytes += utf8Length(l.value) * l.live;
        byPair.push(name, l.value, l.live);
        if (name === "__name__") byMetric.push(l.value, null, l.live);
      }
      byMemory.push(name, null, bytes);
    }
    return {
      numSeries: this.count,
      numLabelPairs,
      seriesCountByMetricName: byMetric.result(),
      labelValueCountByLabelName: byValueCount.result(),
      memoryInBytesByLabelName: byMemory.result(),
      seriesCountByLabelValuePair: byPair.result(),
    };
  }

  // -------------------------------------------------------------------------
  // Pairs

  private intern(pair: Label): IndexedLabel {
    let entry = this.names.get(pair.name);
    if (!entry) {
      entry = new NameEntry(ownString(pair.name), this.nextNameId++);
      this.names.set(entry.name, entry);
    }
    let l = entry.values.get(pair.value);
    if (!l) {
      const id = this.freePairIds.length > 0 ? (this.freePairIds.pop() as number) : this.pairs.length;
      l = new IndexedLabel(entry.name, ownString(pair.value), id);
      entry.values.set(l.value, l);
      this.pairs[id] = l;
      if (id >= this.pairName.length) {
        const grown = new Int32Array(this.pairName.length * 2);
        grown.set(this.pairName);
        this.pairName = grown;
      }
      this.pairName[id] = entry.id;
    }
    return l;
  }

  /** Removes a pair no series has any more. */
  private forget(l: IndexedLabel): void {
    const entry = this.names.get(l.name) as NameEntry;
    entry.values.delete(l.value);
    if (entry.values.size === 0) this.names.delete(l.name);
    l.clear();
    this.pairs[l.id] = undefined;
    this.pairName[l.id] = -1;
    this.freePairIds.push(l.id);
  }

  private valueCount(name: string): number {
    return this.names.get(name)?.values.size ?? 0;
  }

  // -------------------------------------------------------------------------
  // Series

  /** The id of the series' pair for name id `nameId`, or -1 (also for unknown refs). */
  private pairIdOf(ref: number, nameId: number): number {
    const off = this.offsets[ref];
    if (off === undefined) return -1;
    const arena = this.arena;
    const end = off + arena[off];
    for (let i = off + 1; i <= end; i++) {
      const id = arena[i];
      if (this.pairName[id] === nameId) return id;
    }
    return -1;
  }

  private sameLabels(ref: number, pairs: Labels): boolean {
    const off = this.offsets[ref] as number;
    if (this.arena[off] !== pairs.length) return false;
    for (let i = 0; i < pairs.length; i++) {
      const l = this.pairs[this.arena[off + 1 + i]] as IndexedLabel;
      if (l.name !== pairs[i].name || l.value !== pairs[i].value) return false;
    }
    return true;
  }

  private liveFor(l: IndexedLabel): IsLive {
    const nameId = this.pairName[l.id];
    return (ref) => this.pairIdOf(ref, nameId) === l.id;
  }

  private growArena(need: number): void {
    const grown = new Int32Array(Math.max(Math.ceil(this.arena.length * 1.5), this.arenaLen + need));
    grown.set(this.arena.subarray(0, this.arenaLen));
    this.arena = grown;
  }

  /** Rewrites the arena without deleted series. */
  private compactArena(): void {
    const live = this.arenaLen - this.arenaGarbage;
    const next = new Int32Array(Math.max(4096, Math.ceil(live * 1.25)));
    let at = 0;
    const offsets = this.offsets;
    for (let ref = 0; ref < offsets.length; ref++) {
      const off = offsets[ref];
      if (off === undefined) continue;
      const n = this.arena[off] + 1;
      next.set(this.arena.subarray(off, off + n), at);
      offsets[ref] = at;
      at += n;
    }
    this.arena = next;
    this.arenaLen = at;
    this.arenaGarbage = 0;
  }

  // -------------------------------------------------------------------------
  // Selection

  /** Union of the postings of pairs of one label (disjoint lists), sorted. */
  private union(ls: IndexedLabel[]): Int32Array {
    if (ls.length === 0) return empty;
    const sizes = new Array<number>(ls.length);
    let total = 0;
    for (let i = 0; i < ls.length; i++) {
      const l = ls[i];
      sizes[i] = l.prepare(l.garbage === 0 ? this.isSeries : this.liveFor(l));
      total += sizes[i];
    }
    if (ls.length === 1) return ls[0].view();
    const out = new Int32Array(total);
    let at = 0;
    for (let i = 0; i < ls.length; i++) {
      ls[i].copyInto(out, at);
      at += sizes[i];
    }
    const universe = this.offsets.length;
    if (total * 16 < universe) return out.sort();
    // Dense: a bitmap over the ref space gives the sorted order in O(refs).
    const bits = new Uint8Array(universe);
    for (let i = 0; i < total; i++) bits[out[i]] = 1;
    let n = 0;
    for (let r = 0; r < universe; r++) if (bits[r] === 1) out[n++] = r;
    return out;
  }

  /**
   * The pairs of label m.name whose value m accepts (negate=false), or
   * rejects (negate=true: what a matcher accepting "" must subtract). Each
   * distinct value is tested once.
   */
  private pairsFor(m: Matcher, negate: boolean): IndexedLabel[] {
    const values = this.names.get(m.name)?.values;
    if (!values) return [];
    const found: IndexedLabel[] = [];
    // `!="x"`, `!~"x|y"`: the rejected values are a known finite set.
    const rejected = negate && m.isNegative ? m.inverse().setMatches() : null;
    if (rejected) {
      for (const v of rejected) {
        const l = values.get(v);
        if (l) found.push(l);
      }
    } else {
      for (const l of values.values()) if (m.matches(l.value) !== negate) found.push(l);
    }
    return found;
  }

  /** Series having label m.name with a value m accepts. */
  private resolve(m: Matcher, negate: boolean): Int32Array {
    return this.union(this.pairsFor(m, negate));
  }

  /** Narrows sorted candidates by one more matcher, by set operations or by looking at the candidates. */
  private apply(candidates: Int32Array, m: Matcher): Int32Array {
    const entry = this.names.get(m.name);
    if (!entry) return m.matchesEmpty ? candidates : empty;
    if (candidates.length < entry.values.size) {
      // Fewer candidates than values: test only the candidates' values.
      const memo = new Map<number, boolean>();
      return this.filter(candidates, entry.id, m.matchesEmpty, (id) => {
        let ok = memo.get(id);
        if (ok === undefined) {
          ok = m.matches((this.pairs[id] as IndexedLabel).value);
          memo.set(id, ok);
        }
        return ok;
      });
    }
    const negate = m.matchesEmpty;
    const found = this.pairsFor(m, negate);
    let total = 0;
    for (const l of found) total += l.live;
    if (total > candidates.length * 4) {
      // Merging the matched lists would cost more than checking each candidate's pair.
      const ids = new Set<number>();
      for (const l of found) ids.add(l.id);
      return this.filter(candidates, entry.id, m.matchesEmpty, (id) => ids.has(id) !== negate);
    }
    const set = this.union(found);
    return negate ? subtract(candidates, set) : intersect(candidates, set);
  }

  /** Keeps the candidates whose pair for `nameId` passes `ok`, or that lack it when `keepMissing`. */
  private filter(candidates: Int32Array, nameId: number, keepMissing: boolean, ok: (pairId: number) => boolean): Int32Array {
    const out = new Int32Array(candidates.length);
    let n = 0;
    for (let i = 0; i < candidates.length; i++) {
      const ref = candidates[i];
      const id = this.pairIdOf(ref, nameId);
      if (id < 0 ? keepMissing : ok(id)) out[n++] = ref;
    }
    return out.subarray(0, n);
  }
}

// ---------------------------------------------------------------------------

/**
 * A string that does not keep a larger string alive. V8 represents a
 * substring of 13 or more characters as a view into its parent, so a label
 * value sliced out of a scrape body would pin the whole body for as long as
 * the pair is indexed; a JSON round trip makes an independent copy. Only new
 * distinct names and values pay for this.
 */
function ownString(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** Sorted, without empty values; throws on duplicate names. */
function normalize(ls: Labels): Labels {
  let ok = true;
  for (let i = 0; i < ls.length && ok; i++) {
    if (ls[i].value === "" || (i > 0 && compareStrings(ls[i - 1].name, ls[i].name) >= 0)) ok = false;
  }
  if (ok) return ls;
  const out = ls.filter((l) => l.value !== "").sort((a, b) => compareStrings(a.name, b.name));
  for (let i = 1; i < out.length; i++) {
    if (out[i - 1].name === out[i].name) throw new Error(`duplicate label name ${JSON.stringify(out[i].name)}`);
  }
  return out;
}

function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

// ---------------------------------------------------------------------------
// Sorted ref-list operations

/** First index in a[from..] with a[idx] >= x (galloping search). */
function seek(a: Int32Array, from: number, x: number): number {
  let step = 1;
  let hi = from;
  while (hi < a.length && a[hi] < x) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > a.length) hi = a.length;
  let lo = from;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function intersect(a: Int32Array, b: Int32Array): Int32Array {
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Int32Array(a.length);
  let n = 0;
  if (b.length > a.length * 8) {
    let j = 0;
    for (let i = 0; i < a.length && j < b.length; i++) {
      j = seek(b, j, a[i]);
      if (j < b.length && b[j] === a[i]) out[n++] = a[i];
    }
  } else {
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i];
      const y = b[j];
      if (x < y) i++;
      else if (x > y) j++;
      else {
        out[n++] = x;
        i++;
        j++;
      }
    }
  }
  return out.subarray(0, n);
}

/** a \ b. */
function subtract(a: Int32Array, b: Int32Array): Int32Array {
  if (b.length === 0) return a;
  const out = new Int32Array(a.length);
  let n = 0;
  let j = 0;
  const gallop = b.length > a.length * 8;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (gallop) j = seek(b, j, x);
    else while (j < b.length && b[j] < x) j++;
    if (j < b.length && b[j] === x) continue;
    out[n++] = x;
  }
  return out.subarray(0, n);
}

// ---------------------------------------------------------------------------

interface TopItem {
  name: string;
  value: string | null;
  count: number;
}

/** Keeps the `limit` largest entries, largest first; ties in name order for stable output. */
class TopK {
  private items: TopItem[] = [];
  constructor(private readonly limit: number) {}

  push(name: string, value: string | null, count: number): void {
    if (this.limit <= 0) return;
    const items = this.items;
    const item = { name, value, count };
    if (items.length === this.limit && byCountDesc(item, items[items.length - 1]) >= 0) return;
    let i = items.length;
    while (i > 0 && byCountDesc(item, items[i - 1]) < 0) i--;
    items.splice(i, 0, item);
    if (items.length > this.limit) items.pop();
  }

  result(): Stat[] {
    return this.items.map((x) => ({ name: statName(x), value: x.count }));
  }
}

function statName(x: TopItem): string {
  return x.value === null ? x.name : `${x.name}=${x.value}`;
}

function byCountDesc(a: TopItem, b: TopItem): number {
  return b.count - a.count || compareStrings(statName(a), statName(b));
}
