// A bounded cache of decoded samples for SeriesStore.select, so that a repeated query over
// data already read does not decode (nor fetch) the same chunks again: decoding ~2.6 M samples
// from XOR chunks cost ~80-130 ms per query, several times the PromQL engine's own work.
//
// Two kinds of entries share one LRU list and one byte budget:
//
// - Immutable chunks (sealed or flushed head chunks, chunk rows read from the table), keyed
//   by (series ref, minT, numSamples). That key names the samples exactly: a series only ever
//   grows by appends newer than its newest sample, and its pieces never overlap, so the chunk
//   starting at minT with n samples always holds the series' first n samples from minT on,
//   whichever encoding holds them. Compaction merging pieces changes numSamples (a new key);
//   re-encoding one piece densely (XOR in the head, dod at rest) keeps the samples and so
//   rightly hits the same entry. Rows removed by retention are simply never selected again.
//   Refs are not reused within a process (retention deletes series, new ones get new refs).
// - A series' recent samples (SeriesMirror): when a select reads a series up to its newest
//   sample, the samples from the select's mint on are kept decoded, contiguously, and
//   MemSeries.append extends them with two typed-array writes. A later select whose mint is
//   not older is then answered from memory alone, whatever the chunks underneath (open,
//   sealed, flushed, compacted rows: their samples are the same): no database read, no
//   decoding, no copy. Regrowth keeps only the samples the selects since the previous
//   regrowth asked for, so a mirror queried over the last hour stays about an hour long.
//   Retention drops mirrors reaching before its cutoff (the rows it deletes may hold their
//   oldest samples).
//
// Values are kept only in Float64Arrays: V8 quiets NaN payloads stored in plain arrays, and
// the staleness marker (0x7ff0000000000002) must survive.
//
// `assemble` hands out subarray views of cached arrays when a series' samples in range come
// from one entry (no copy). Views may be shared between queries and with the cache itself:
// callers must treat `t` and `v` as read-only, which the PromQL engine does (querier.ts).
// An entry's first n samples are never written again (a mirror only writes past n, and a
// mirror that grows moves to new arrays), so a view stays exact after the entry grows or is
// evicted.

import { decodeChunkRange } from "./chunk/chunk";
import { decodeXorRange } from "./chunk/xor";
import type { MemChunk, MemSeries } from "./head";
import type { Labels } from "./labels/labels";
import { storageMetrics } from "./metrics";

/** QUERY_CACHE_BYTES's default: enough for ~15 M decoded samples (10,000 series × ~10 h at 15 s). */
export const DEFAULT_READ_CACHE_BYTES = 256 * 2 ** 20;

/** Bytes counted per entry besides its arrays (objects, ArrayBuffer headers, list links), so tiny entries are not free. */
const ENTRY_OVERHEAD_BYTES = 192;

/** A series' result as select returns it (store.ts's SeriesSamples). */
export interface CachedSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
}

/**
 * One piece of a series' data overlapping the range being selected: an immutable chunk
 * (`data`, decoded through the cache on demand), or decoded samples (`t`/`v` hold at least
 * `n` samples, which never change): the open chunk decoded now (`own`), or a mirror.
 */
export interface ReadPart {
  /** First and last sample time (ms). */
  minT: number;
  maxT: number;
  n: number;
  data: Uint8Array | null;
  t: Float64Array | null;
  v: Float64Array | null;
  /** Arrays decoded for this select alone (the open chunk): a mirror may take them over. */
  own: boolean;
  /** Set by assemble: the part's samples used are t/v[lo, hi). */
  lo: number;
  hi: number;
}

/** What select gathered for one series before assemble. */
export interface ReadItem {
  s: MemSeries;
  parts: ReadPart[];
  /** The series' newest sample time (ms) when its parts were gathered. */
  lastT: number;
  /** The parts are the series' mirror (nothing to build). */
  mirrored: boolean;
}

/** The hook MemSeries.append calls (head.ts). */
export interface SampleMirror {
  /** The series received a sample (newer than all before). */
  push(t: number, v: number): void;
}

abstract class LruNode {
  prev: LruNode | null = null;
  next: LruNode | null = null;
  /** Bytes charged to the budget. */
  bytes = 0;
  /** In the LRU list (false once evicted). */
  linked = false;
  /** Removes the entry from whatever indexes it (called after it left the list). */
  abstract detach(): void;
}

/** Decoded samples of one immutable chunk. */
class ChunkEntry extends LruNode {
  /** Next entry of the same series (a short chain: a series has few chunks cached). */
  sameRef: ChunkEntry | null = null;
  constructor(
    private readonly cache: ReadCache,
    readonly ref: number,
    readonly minT: number,
    readonly n: number,
    readonly t: Float64Array,
    readonly v: Float64Array,
  ) {
    super();
  }
  detach(): void {
    this.cache.unindex(this);
  }
}

/** A series' samples from startT on, decoded and kept current by append. */
class SeriesMirror extends LruNode implements SampleMirror {
  /** Timestamps (ms) and values; the first `n` are used. */
  t: Float64Array;
  v: Float64Array;
  n: number;
  /** Every sample of the series at or after this time (ms) is in t/v[0, n). */
  startT: number;
  /** The oldest mint (ms) served since the last regrowth; +Infinity when none. */
  minServed: number;

  constructor(
    private readonly cache: ReadCache,
    readonly series: MemSeries,
    t: Float64Array,
    v: Float64Array,
    n: number,
    startT: number,
  ) {
    super();
    this.t = t;
    this.v = v;
    this.n = n;
    this.startT = startT;
    this.minServed = startT;
  }

  push(t: number, v: number): void {
    const n = this.n;
    if (n === this.t.length && !this.regrow()) return;
    const i = this.n;
    this.t[i] = t;
    this.v[i] = v;
    this.n = i + 1;
  }

  /**
   * Moves to larger arrays keeping only the samples selects have asked for since the last
   * regrowth (readers keep the old arrays, which stay exact). A mirror nobody read since
   * keeps everything: it sinks in the LRU list and goes first when the budget is reached.
   * Returns false when the mirror was evicted.
   */
  private regrow(): boolean {
    const from = this.minServed;
    const keep = from > this.startT && from !== Number.POSITIVE_INFINITY ? lowerBound(this.t, 0, this.n, from) : 0;
    const len = this.n - keep;
    const cap = len + Math.max(32, len >>> 2);
    const [t, v] = pairOf(cap);
    t.set(this.t.subarray(keep, this.n));
    v.set(this.v.subarray(keep, this.n));
    this.t = t;
    this.v = v;
    this.n = len;
    if (keep > 0) this.startT = from;
    this.minServed = Number.POSITIVE_INFINITY;
    this.cache.resize(this, mirrorBytes(cap));
    return this.linked;
  }

  detach(): void {
    if (this.series.mirror === this) this.series.mirror = null;
  }
}

/**
 * Timestamp and value arrays of `capacity` samples in one buffer: allocating ArrayBuffers is
 * what a cold select of 10,000 series spends most on, so one per series instead of two.
 */
function pairOf(capacity: number): [Float64Array, Float64Array] {
  const buf = new Float64Array(2 * capacity);
  return [buf.subarray(0, capacity), buf.subarray(capacity)];
}

function mirrorBytes(capacity: number): number {
  return 16 * capacity + ENTRY_OVERHEAD_BYTES;
}

/** Where a whole chunk of n samples is decoded (pairOf: one allocation). */
class SplitSink {
  t: Float64Array;
  v: Float64Array;
  length = 0;
  constructor(n: number) {
    [this.t, this.v] = pairOf(n);
  }
  reserve(extra: number): void {
    if (this.length + extra > this.t.length) throw new Error("read cache: chunk holds more samples than its row says");
  }
}

/** First index in t[lo, hi) with t[i] >= x. */
function lowerBound(t: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in t[lo, hi) with t[i] > x. */
function upperBound(t: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Copies t/v[a, b) of a part to out[k..]; plain loops (a typed-array store keeps NaN payloads). */
function copyPart(p: ReadPart, a: number, b: number, outT: Float64Array, outV: Float64Array, k: number): void {
  const t = p.t!;
  const v = p.v!;
  for (let i = a; i < b; i++, k++) {
    outT[k] = t[i]!;
    outV[k] = v[i]!;
  }
}

/**
 * Drops parts whose time span lies within another's, from a series' parts sorted by minT
 * (store.ts's dropCopies, for parts): the same chunk both in memory and in the table, or
 * pieces that compaction has merged since.
 */
function dropCopies(parts: ReadPart[]): ReadPart[] {
  const out: ReadPart[] = [parts[0]!];
  for (let i = 1; i < parts.length; i++) {
    const c = parts[i]!;
    const k = out[out.length - 1]!;
    if (c.maxT <= k.maxT) continue;
    if (c.minT === k.minT) out[out.length - 1] = c;
    else out.push(c);
  }
  return out;
}

const byMinT = (a: ReadPart, b: ReadPart) => a.minT - b.minT;

/** The bounded LRU of decoded samples. One per store. */
export class ReadCache {
  /** Bytes held (counted as in ENTRY_OVERHEAD_BYTES); at most budgetBytes after every operation. */
  bytes = 0;
  private readonly chunks = new Map<number, ChunkEntry>();
  /** Sentinel of the LRU list: head.next is the most recently used. */
  private readonly head: LruNode;
  /** Bumped by retention: a select that began before must not build mirrors from what it read. */
  private epoch = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(readonly budgetBytes: number) {
    const sentinel = new ChunkEntry(this, -1, 0, 0, new Float64Array(0), new Float64Array(0));
    sentinel.prev = sentinel;
    sentinel.next = sentinel;
    this.head = sentinel;
  }

  /** Entries held (chunks and mirrors); for tests and status. */
  get size(): number {
    let n = 0;
    for (let e = this.head.next!; e !== this.head; e = e.next!) n++;
    return n;
  }

  /** The retention epoch, read when a select begins and passed to assemble. */
  get retentionEpoch(): number {
    return this.epoch;
  }

  /**
   * The series' mirror as the only part of a select over [mint, ...] (ms), when it holds
   * every sample from mint on; else null. Synchronous, like the head it mirrors.
   */
  mirrorPart(s: MemSeries, mint: number): ReadPart | null {
    const m = s.mirror as SeriesMirror | null;
    if (m === null) return null;
    const n = m.n;
    if (n === 0 || m.t[n - 1] !== s.lastT) {
      // A sample reached the series without passing through the mirror: never serve it.
      this.remove(m);
      return null;
    }
    if (mint < m.startT) return null;
    this.hits++;
    this.touch(m);
    if (mint < m.minServed) m.minServed = mint;
    return { minT: m.t[0]!, maxT: m.t[n - 1]!, n, data: null, t: m.t, v: m.v, own: false, lo: 0, hi: 0 };
  }

  /**
   * Appends to `out` the in-memory parts of a series overlapping [mint, maxt] (ms), oldest
   * first: its flushed and sealed chunks, and its open chunk decoded now. Synchronous, so
   * the snapshot is consistent with the head at this moment.
   */
  memParts(s: MemSeries, mint: number, maxt: number, out: ReadPart[]): void {
    if (s.recent) for (const c of s.recent) if (c.maxT >= mint && c.minT <= maxt) out.push(chunkPart(c));
    if (s.sealed) for (const c of s.sealed) if (c.maxT >= mint && c.minT <= maxt) out.push(chunkPart(c));
    const open = s.open;
    if (open === null || open.numSamples === 0 || open.maxT < mint || open.minT > maxt) return;
    const n = open.numSamples;
    // Room to grow: these arrays become the series' mirror when nothing else is in range.
    const cap = n + Math.max(32, n >>> 2);
    const [t, v] = pairOf(cap);
    const sink = { t, v, length: 0, reserve() {} };
    decodeXorRange(open.bytes(), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, sink);
    if (sink.length !== n) throw new Error(`read cache: open chunk decoded to ${sink.length} samples, expected ${n}`);
    out.push({ minT: open.minT, maxT: open.maxT, n, data: null, t: sink.t, v: sink.v, own: true, lo: 0, hi: 0 });
  }

  /**
   * Builds select's result: per series (in the order given) the samples of its parts within
   * [mint, maxt] (ms, inclusive). A series read up to its newest sample gets a mirror (when
   * it has none that covers mint) and its result is a view of it; one part alone also gives
   * a view; the rest is copied into one pair of arrays shared by those series.
   * `epoch` is retentionEpoch as read when the select began.
   */
  assemble(items: ReadItem[], mint: number, maxt: number, epoch: number): CachedSeries[] {
    const n = items.length;
    // Per series: the part or mirror the result is a view of, or null when copied.
    const src: (ReadPart | SeriesMirror | null)[] = new Array(n);
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    const multi: number[] = [];
    let copyTotal = 0;
    const canMirror = epoch === this.epoch;
    for (let i = 0; i < n; i++) {
      const it = items[i]!;
      let parts = it.parts;
      if (parts.length > 1) {
        parts.sort(byMinT);
        parts = dropCopies(parts);
        it.parts = parts;
      }
      let used: ReadPart | null = null;
      let count = 0;
      let inRange = 0;
      // Samples must be newer than the last one taken (as SampleSink.addChunk guarantees).
      let after = Number.NEGATIVE_INFINITY;
      for (const p of parts) {
        this.resolve(it.s.ref, p);
        const t = p.t!;
        const a = lowerBound(t, 0, p.n, Math.max(mint, after + 1));
        const b = upperBound(t, a, p.n, maxt);
        p.lo = a;
        p.hi = b;
        if (b > a) {
          count++;
          used = p;
          inRange += b - a;
          after = t[b - 1]!;
        }
      }
      src[i] = null;
      if (count === 0) continue;
      const s = it.s;
      // The parts reach the newest sample (the open chunk is decoded whole, so they do
      // for a range ending a little before it, as a dashboard's step-aligned end or a
      // rule's evaluation time does), with no append or retention since: the samples
      // from mint on are all here.
      const complete = !it.mirrored && canMirror && parts[parts.length - 1]!.maxT === it.lastT && s.lastT === it.lastT && !s.deleted;
      if (complete) {
        const m = this.buildMirror(s, parts, count, used!, mint);
        if (m !== null) {
          src[i] = m;
          // A mirror that took the part's arrays starts where the part does; a copied one at mint.
          const k = m.t === used!.t ? used!.lo : 0;
          lo[i] = k;
          hi[i] = k + inRange;
          continue;
        }
      }
      if (count === 1) {
        src[i] = used;
        lo[i] = used!.lo;
        hi[i] = used!.hi;
      } else {
        multi.push(i);
        copyTotal += inRange;
      }
    }
    let sinkT: Float64Array | null = null;
    let sinkV: Float64Array | null = null;
    if (copyTotal > 0) {
      sinkT = new Float64Array(copyTotal);
      sinkV = new Float64Array(copyTotal);
      let k = 0;
      for (const i of multi) {
        const start = k;
        for (const p of items[i]!.parts) {
          if (p.hi <= p.lo) continue;
          copyPart(p, p.lo, p.hi, sinkT, sinkV, k);
          k += p.hi - p.lo;
        }
        lo[i] = start;
        hi[i] = k;
      }
    }
    const out: CachedSeries[] = [];
    for (let i = 0; i < n; i++) {
      const a = lo[i]!;
      const b = hi[i]!;
      if (b <= a) continue;
      const p = src[i];
      if (p) out.push({ labels: items[i]!.s.labels, t: p.t!.subarray(a, b), v: p.v!.subarray(a, b) });
      else out.push({ labels: items[i]!.s.labels, t: sinkT!.subarray(a, b), v: sinkV!.subarray(a, b) });
    }
    this.publish();
    return out;
  }

  /**
   * Gives a series a mirror of its samples from mint on (the arrays of the one part in range
   * when it is the newest part, else a copy of the parts' samples from mint to the newest).
   * Null when it does not fit the budget, or when the series has a mirror at least as wide
   * already.
   */
  private buildMirror(s: MemSeries, parts: ReadPart[], count: number, used: ReadPart, mint: number): SeriesMirror | null {
    const old = s.mirror as SeriesMirror | null;
    // A concurrent select of an older range may have built a wider one meanwhile: keep it.
    if (old !== null && old.startT <= mint && old.n > 0 && old.t[old.n - 1] === s.lastT) return null;
    const newest = parts[parts.length - 1]!;
    let m: SeriesMirror;
    if (count === 1 && used === newest) {
      // All the chunk's samples are the series' samples from its first on, so the mirror
      // covers from the older of mint and that, and takes the chunk's arrays as they are:
      // the open chunk's own (with room to grow), or a cached chunk's (exactly full: the
      // first append moves the mirror to arrays of its own, so the entry's never change;
      // until then both count the same buffer, erring on the side of the budget).
      const bytes = mirrorBytes(used.t!.length);
      if (bytes > this.budgetBytes) return null;
      m = new SeriesMirror(this, s, used.t!, used.v!, used.n, Math.min(mint, used.minT));
    } else {
      // Each part's samples from its first at or after mint (p.lo) on; the newest part's to
      // its end, past the range, since the mirror must reach the newest sample.
      const end = (p: ReadPart) => (p === newest ? p.n : p.hi);
      let total = 0;
      for (const p of parts) if (end(p) > p.lo) total += end(p) - p.lo;
      const cap = total + Math.max(32, total >>> 2);
      if (mirrorBytes(cap) > this.budgetBytes) return null;
      const [t, v] = pairOf(cap);
      let k = 0;
      for (const p of parts) {
        const b = end(p);
        if (b <= p.lo) continue;
        copyPart(p, p.lo, b, t, v, k);
        k += b - p.lo;
      }
      m = new SeriesMirror(this, s, t, v, k, mint);
    }
    if (old !== null) this.remove(old);
    s.mirror = m;
    this.insert(m, mirrorBytes(m.t.length));
    // Inserting may evict down to the budget, but never the entry just put first.
    return m;
  }

  /** Decoded arrays of an immutable part, from the cache or decoded (and cached) now. */
  private resolve(ref: number, p: ReadPart): void {
    if (p.t !== null) return;
    for (let e = this.chunks.get(ref) ?? null; e !== null; e = e.sameRef) {
      if (e.minT === p.minT && e.n === p.n) {
        this.hits++;
        this.touch(e);
        p.t = e.t;
        p.v = e.v;
        return;
      }
    }
    this.misses++;
    const sink = new SplitSink(p.n);
    decodeChunkRange(p.data!, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, sink);
    if (sink.length !== p.n) throw new Error(`read cache: chunk decoded to ${sink.length} samples, its row says ${p.n}`);
    p.t = sink.t;
    p.v = sink.v;
    const bytes = 16 * p.n + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.budgetBytes) return;
    const e = new ChunkEntry(this, ref, p.minT, p.n, sink.t, sink.v);
    e.sameRef = this.chunks.get(ref) ?? null;
    this.chunks.set(ref, e);
    this.insert(e, bytes);
  }

  /**
   * Retention has deleted the chunk rows older than `cutoff` (ms): mirrors reaching before
   * it may hold samples of those rows, which a select no longer returns, so they go; and
   * selects already under way build none.
   */
  retain(cutoff: number): void {
    this.epoch++;
    for (let e = this.head.next!; e !== this.head; ) {
      const next = e.next!;
      if (e instanceof SeriesMirror && e.startT < cutoff) this.remove(e);
      e = next;
    }
    this.publish();
  }

  /** Drops everything cached for a series (it was deleted). */
  forget(s: MemSeries): void {
    const m = s.mirror as SeriesMirror | null;
    if (m !== null) this.remove(m);
    s.mirror = null;
    for (let e = this.chunks.get(s.ref) ?? null; e !== null; e = e.sameRef) this.remove(e);
    this.publish();
  }

  /** Removes a chunk entry from the per-series chains (LruNode.detach). */
  unindex(e: ChunkEntry): void {
    let x = this.chunks.get(e.ref) ?? null;
    if (x === e) {
      if (e.sameRef !== null) this.chunks.set(e.ref, e.sameRef);
      else this.chunks.delete(e.ref);
      return;
    }
    while (x !== null && x.sameRef !== e) x = x.sameRef;
    if (x !== null) x.sameRef = e.sameRef;
  }

  /** A mirror grew to `bytes`; evicts others (or itself) to stay within the budget. */
  resize(e: LruNode, bytes: number): void {
    this.bytes += bytes - e.bytes;
    e.bytes = bytes;
    this.evict();
    storageMetrics.readCacheBytes.set(this.bytes);
  }

  /** Unlinks an entry without counting an eviction. */
  remove(e: LruNode): void {
    if (!e.linked) return;
    this.unlink(e);
    e.detach();
  }

  private insert(e: LruNode, bytes: number): void {
    e.bytes = bytes;
    e.linked = true;
    const h = this.head;
    e.prev = h;
    e.next = h.next;
    h.next!.prev = e;
    h.next = e;
    this.bytes += bytes;
    this.evict();
  }

  private touch(e: LruNode): void {
    const h = this.head;
    if (h.next === e) return;
    e.prev!.next = e.next;
    e.next!.prev = e.prev;
    e.prev = h;
    e.next = h.next;
    h.next!.prev = e;
    h.next = e;
  }

  private unlink(e: LruNode): void {
    e.prev!.next = e.next;
    e.next!.prev = e.prev;
    e.prev = null;
    e.next = null;
    e.linked = false;
    this.bytes -= e.bytes;
  }

  private evict(): void {
    while (this.bytes > this.budgetBytes && this.head.prev !== this.head) {
      const e = this.head.prev!;
      this.unlink(e);
      e.detach();
      this.evictions++;
    }
  }

  /** Moves the counts gathered since the last call to the metrics (once per select, not per chunk). */
  private publish(): void {
    if (this.hits > 0) storageMetrics.readCacheHits.inc(this.hits);
    if (this.misses > 0) storageMetrics.readCacheMisses.inc(this.misses);
    if (this.evictions > 0) storageMetrics.readCacheEvictions.inc(this.evictions);
    this.hits = 0;
    this.misses = 0;
    this.evictions = 0;
    storageMetrics.readCacheBytes.set(this.bytes);
  }
}

function chunkPart(c: MemChunk): ReadPart {
  return { minT: c.minT, maxT: c.maxT, n: c.numSamples, data: c.data, t: null, v: null, own: false, lo: 0, hi: 0 };
}

/** A ReadPart for a chunk row read from the table. */
export function rowPart(minT: number, maxT: number, numSamples: number, data: Uint8Array): ReadPart {
  return { minT, maxT, n: numSamples, data, t: null, v: null, own: false, lo: 0, hi: 0 };
}
