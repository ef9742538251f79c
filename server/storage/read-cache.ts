// A bounded cache of decoded samples for SeriesStore.select, so that a repeated query over
// data already read does not decode the same chunks again (decoding ~2.6 M samples from XOR
// chunks cost ~130 ms per query, several times the PromQL engine's own work).
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
// - The open head chunk of a series, which grows: once selected, a MemSeries carries a
//   decoded mirror of it (OpenMirror) that MemSeries.append extends with two typed-array
//   writes. When the chunk is cut or flushed the mirror becomes the immutable entry of the
//   chunk it now equals; when the LRU evicts it, the series drops it.
//
// Values are kept only in Float64Arrays: V8 quiets NaN payloads stored in plain arrays, and
// the staleness marker (0x7ff0000000000002) must survive.
//
// `assemble` hands out subarray views of cached arrays when a series' samples in range come
// from one chunk (no copy). Views may be shared between queries and with the cache itself:
// callers must treat `t` and `v` as read-only, which the PromQL engine does (querier.ts).
// An entry's first n samples are never written again (a mirror only writes past n, and a
// mirror that grows moves to new arrays), so a view stays exact after the entry grows, is
// evicted or is sealed.

import { decodeChunkRange } from "./chunk/chunk";
import { decodeXorRange, type XorAppender, type XorSink } from "./chunk/xor";
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
 * (`data`, decoded through the cache on demand) or a decoded snapshot of the open chunk
 * (`t`/`v` hold at least its first `n` samples, which never change).
 */
export interface ReadPart {
  minT: number;
  maxT: number;
  n: number;
  data: Uint8Array | null;
  t: Float64Array | null;
  v: Float64Array | null;
  /** Set by assemble: the part's samples used are t/v[lo, hi). */
  lo: number;
  hi: number;
}

/** The hook MemSeries calls on its open chunk's mirror (head.ts). */
export interface OpenChunkMirror {
  /** The open chunk received a sample. */
  push(t: number, v: number): void;
  /** The open chunk was cut or flushed: it is final now. The series has dropped the mirror. */
  seal(): void;
}

abstract class LruNode {
  prev: LruNode | null = null;
  next: LruNode | null = null;
  /** Bytes charged to the budget. */
  bytes = 0;
  /** In the LRU list (false once evicted or sealed). */
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

/** A decoded copy of a series' open chunk, extended as the chunk is appended to. */
class OpenMirror extends LruNode implements OpenChunkMirror {
  /** Timestamps (ms) and values; the first `n` are the chunk's samples. */
  t: Float64Array;
  v: Float64Array;
  n: number;
  constructor(
    private readonly cache: ReadCache,
    readonly series: MemSeries,
    /** The appender mirrored: a select checks it is still the series' open chunk. */
    readonly src: XorAppender,
    t: Float64Array,
    v: Float64Array,
    n: number,
  ) {
    super();
    this.t = t;
    this.v = v;
    this.n = n;
  }

  push(t: number, v: number): void {
    const n = this.n;
    if (n === this.t.length) this.grow();
    this.t[n] = t;
    this.v[n] = v;
    this.n = n + 1;
  }

  /** Moves to arrays 1.5× as large (readers keep the old ones, which stay exact). */
  private grow(): void {
    const cap = Math.ceil(this.t.length * 1.5) + 16;
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    t.set(this.t.subarray(0, this.n));
    v.set(this.v.subarray(0, this.n));
    this.t = t;
    this.v = v;
    if (this.linked) this.cache.resize(this, mirrorBytes(cap));
  }

  seal(): void {
    // Unlink first: the series has already let go of the mirror, and detach must not touch
    // a newer mirror the series may get.
    if (this.linked) this.cache.remove(this);
    if (this.n === this.src.numSamples && this.n > 0) {
      this.cache.adopt(this.series.ref, this.src.minT, this.n, this.t, this.v);
    }
  }

  detach(): void {
    if (this.series.openMirror === this) this.series.openMirror = null;
  }
}

function mirrorBytes(capacity: number): number {
  return 16 * capacity + ENTRY_OVERHEAD_BYTES;
}

/** Decodes into one Float64Array: timestamps in [0, n), values in [n, 2n) (one allocation per chunk). */
class SplitSink implements XorSink {
  t: Float64Array;
  v: Float64Array;
  length = 0;
  constructor(buf: Float64Array, n: number) {
    this.t = buf.subarray(0, n);
    this.v = buf.subarray(n, 2 * n);
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

/** The bounded LRU of decoded samples. One per store. */
export class ReadCache {
  /** Bytes held (counted as in ENTRY_OVERHEAD_BYTES); at most budgetBytes after every operation. */
  bytes = 0;
  private readonly chunks = new Map<number, ChunkEntry>();
  /** Sentinel of the LRU list: head.next is the most recently used. */
  private readonly head: LruNode;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(readonly budgetBytes: number) {
    const sentinel = new ChunkEntry(this, -1, 0, 0, new Float64Array(0), new Float64Array(0));
    sentinel.prev = sentinel;
    sentinel.next = sentinel;
    this.head = sentinel;
  }

  /** Entries held (chunks and open-chunk mirrors); for tests and status. */
  get size(): number {
    let n = 0;
    for (let e = this.head.next!; e !== this.head; e = e.next!) n++;
    return n;
  }

  /**
   * Appends to `out` the in-memory parts of a series overlapping [mint, maxt] (ms), oldest
   * first: its flushed and sealed chunks, and the open chunk's decoded mirror (created now
   * when missing). Synchronous, so the snapshot is consistent with the head at this moment.
   */
  memParts(s: MemSeries, mint: number, maxt: number, out: ReadPart[]): void {
    if (s.recent) for (const c of s.recent) if (c.maxT >= mint && c.minT <= maxt) out.push(chunkPart(c));
    if (s.sealed) for (const c of s.sealed) if (c.maxT >= mint && c.minT <= maxt) out.push(chunkPart(c));
    const open = s.open;
    if (open === null || open.numSamples === 0 || open.maxT < mint || open.minT > maxt) return;
    let m = s.openMirror as OpenMirror | null;
    if (m !== null && (m.src !== open || m.n !== open.numSamples)) {
      // A hook was missed (the appender was replaced or appended to behind the mirror's
      // back): never serve it, start over.
      this.remove(m);
      s.openMirror = null;
      m = null;
    }
    if (m !== null) {
      this.hits++;
      this.touch(m);
      out.push({ minT: open.minT, maxT: open.maxT, n: m.n, data: null, t: m.t, v: m.v, lo: 0, hi: 0 });
      return;
    }
    this.misses++;
    const n = open.numSamples;
    // Room for growth: a mirror that is selected once is usually selected again later.
    const cap = n + Math.max(32, n >>> 1);
    const sink = { t: new Float64Array(cap), v: new Float64Array(cap), length: 0, reserve() {} };
    decodeXorRange(open.bytes(), Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, sink);
    if (sink.length !== n) throw new Error(`read cache: open chunk decoded to ${sink.length} samples, expected ${n}`);
    out.push({ minT: open.minT, maxT: open.maxT, n, data: null, t: sink.t, v: sink.v, lo: 0, hi: 0 });
    const bytes = mirrorBytes(cap);
    if (bytes > this.budgetBytes) return;
    m = new OpenMirror(this, s, open, sink.t, sink.v, n);
    s.openMirror = m;
    this.insert(m, bytes);
  }

  /**
   * Builds select's result: per series (in the order given) the samples of its parts within
   * [mint, maxt] (ms, inclusive), as views of cached arrays when they come from one part,
   * else copied into one pair of arrays shared by all such series.
   */
  assemble(series: { s: MemSeries; parts: ReadPart[] }[], mint: number, maxt: number): CachedSeries[] {
    const n = series.length;
    // Per series: the part whose range is used, or -1 when several are (copied below).
    const single: (ReadPart | null)[] = new Array(n);
    const lo = new Int32Array(n);
    const hi = new Int32Array(n);
    const multi: number[] = [];
    let copyTotal = 0;
    for (let i = 0; i < n; i++) {
      const it = series[i]!;
      let parts = it.parts;
      if (parts.length > 1) {
        parts.sort((a, b) => a.minT - b.minT);
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
        const from = Math.max(mint, after + 1);
        const a = lowerBound(t, 0, p.n, from);
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
      if (count === 1) {
        single[i] = used;
        lo[i] = used!.lo;
        hi[i] = used!.hi;
      } else {
        single[i] = null;
        if (count > 1) {
          multi.push(i);
          copyTotal += inRange;
        }
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
        for (const p of series[i]!.parts) {
          const a = p.lo;
          const b = p.hi;
          if (b <= a) continue;
          sinkT.set(p.t!.subarray(a, b), k);
          sinkV.set(p.v!.subarray(a, b), k);
          k += b - a;
        }
        lo[i] = start;
        hi[i] = k;
      }
    }
    const out: CachedSeries[] = [];
    for (let i = 0; i < n; i++) {
      const p = single[i];
      const a = lo[i]!;
      const b = hi[i]!;
      if (p) out.push({ labels: series[i]!.s.labels, t: p.t!.subarray(a, b), v: p.v!.subarray(a, b) });
      else if (b > a) out.push({ labels: series[i]!.s.labels, t: sinkT!.subarray(a, b), v: sinkV!.subarray(a, b) });
    }
    this.publish();
    return out;
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
    const buf = new Float64Array(2 * p.n);
    const sink = new SplitSink(buf, p.n);
    decodeChunkRange(p.data!, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, sink);
    if (sink.length !== p.n) throw new Error(`read cache: chunk decoded to ${sink.length} samples, its row says ${p.n}`);
    p.t = sink.t;
    p.v = sink.v;
    this.adopt(ref, p.minT, p.n, sink.t, sink.v);
  }

  /** Caches the decoded samples of an immutable chunk (or a sealed mirror's arrays, first n used). */
  adopt(ref: number, minT: number, n: number, t: Float64Array, v: Float64Array): void {
    // The arrays' full length is what stays allocated.
    const bytes = 8 * (t.buffer === v.buffer ? t.buffer.byteLength / 8 : t.length + v.length) + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.budgetBytes) return;
    const first = this.chunks.get(ref) ?? null;
    for (let e = first; e !== null; e = e.sameRef) if (e.minT === minT && e.n === n) return;
    const e = new ChunkEntry(this, ref, minT, n, t.subarray(0, n), v.subarray(0, n));
    e.sameRef = first;
    this.chunks.set(ref, e);
    this.insert(e, bytes);
  }

  /** Drops everything cached for a series (it was deleted). */
  forget(s: MemSeries): void {
    const m = s.openMirror as OpenMirror | null;
    if (m !== null) {
      this.remove(m);
      s.openMirror = null;
    }
    for (let e = this.chunks.get(s.ref) ?? null; e !== null; e = e.sameRef) this.remove(e);
    this.publish();
  }

  /** Empties the cache. */
  clear(): void {
    while (this.head.prev !== this.head) this.remove(this.head.prev!);
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
  return { minT: c.minT, maxT: c.maxT, n: c.numSamples, data: c.data, t: null, v: null, lo: 0, hi: 0 };
}

/** A ReadPart for a chunk row read from the table. */
export function rowPart(minT: number, maxT: number, numSamples: number, data: Uint8Array): ReadPart {
  return { minT, maxT, n: numSamples, data, t: null, v: null, lo: 0, hi: 0 };
}
