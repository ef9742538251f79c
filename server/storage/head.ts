import { ENC_XOR, decodeChunkRange } from "./chunk/chunk";
import { XorAppender, XorSampleBuffer, MAX_SAMPLES_PER_CHUNK } from "./chunk/xor";
import type { Labels } from "./labels/labels";
import type { SampleMirror } from "./read-cache";

/**
 * A chunk held in memory: sealed (complete) or already flushed and kept for
 * readers. `data` is self-describing (chunk/chunk.ts): byte 0 is the encoding.
 */
export interface MemChunk {
  /** Unix ms of the first and last sample. */
  minT: number;
  maxT: number;
  numSamples: number;
  /** The newest sample's value (bits preserved). */
  lastV: number;
  data: Uint8Array;
}

const f64 = new Float64Array(2);
const u32 = new Uint32Array(f64.buffer);

/** Bit-level float64 equality: NaN payloads count, -0 differs from 0. */
export function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  f64[1] = b;
  return u32[0] === u32[2] && u32[1] === u32[3];
}

/**
 * One series in the head (Prometheus's memSeries). Every series known to the
 * store has one; only recently written ones carry chunks.
 */
export class MemSeries {
  /** Unix ms of the newest sample (head or persisted); -Infinity when none. */
  lastT = Number.NEGATIVE_INFINITY;
  /** Value of the newest sample, bits preserved. */
  lastV = 0;
  /** Unix ms of the oldest sample known; +Infinity when none. */
  firstT = Number.POSITIVE_INFINITY;
  /** Newest timestamp already in the chunks table (Unix ms). */
  persistedMaxT = Number.NEGATIVE_INFINITY;
  /** The chunk being appended to, and its block window index. */
  open: XorAppender | null = null;
  openWindow = 0;
  /** Complete chunks not yet flushed (a window boundary or the size limit cut them). */
  sealed: MemChunk[] | null = null;
  /** Flushed chunks kept until the next flush commits, so no reader misses them. */
  recent: MemChunk[] | null = null;
  /** Created in memory, its row not yet committed. */
  uncommitted = false;
  /** Removed from the store (retention); holders of this object must look the labels up again. */
  deleted = false;
  /** Position in label order among the store's series (label-order.ts); -1 until ranked. */
  rank = -1;
  /**
   * The series' recent samples decoded, attached by the read cache once a select read them
   * up to the newest (read-cache.ts); every append goes to it too.
   */
  mirror: SampleMirror | null = null;
  /** Scratch state of the append in progress (see SeriesStore.append). */
  epoch = 0;
  tmpT = 0;
  tmpV = 0;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
    readonly key: string,
  ) {}

  /** Appends a sample that has already been validated as newer than lastT. */
  append(t: number, v: number, blockRangeMs: number): void {
    const w = Math.floor(t / blockRangeMs);
    let open = this.open;
    if (open !== null && (this.openWindow !== w || open.numSamples >= MAX_SAMPLES_PER_CHUNK)) {
      (this.sealed ??= []).push(toMemChunk(open));
      open = null;
    }
    if (open === null) {
      open = new XorAppender(32);
      this.open = open;
      this.openWindow = w;
    }
    open.append(t, v);
    if (this.mirror !== null) this.mirror.push(t, v);
    this.lastT = t;
    this.lastV = v;
    if (t < this.firstT) this.firstT = t;
  }

  /** True when the head holds samples not yet in the chunks table. */
  hasUnflushed(): boolean {
    return this.open !== null || this.sealed !== null;
  }

  /** Takes the unflushed chunks out (they move to `recent`), for a flush. */
  takeUnflushed(): MemChunk[] {
    const out = this.sealed ?? [];
    if (this.open !== null) out.push(toMemChunk(this.open));
    this.sealed = null;
    this.open = null;
    return out;
  }

  /** In-memory chunks overlapping [mint, maxt], oldest first. */
  memChunks(mint: number, maxt: number, out: MemChunk[]): void {
    const add = (c: MemChunk) => {
      if (c.maxT >= mint && c.minT <= maxt) out.push(c);
    };
    if (this.recent) for (const c of this.recent) add(c);
    if (this.sealed) for (const c of this.sealed) add(c);
    if (this.open && this.open.numSamples > 0 && this.open.maxT >= mint && this.open.minT <= maxt) {
      out.push(toMemChunk(this.open));
    }
  }
}

export function toMemChunk(a: XorAppender): MemChunk {
  return { minT: a.minT, maxT: a.maxT, numSamples: a.numSamples, lastV: a.lastValue, data: a.bytes(ENC_XOR) };
}

/** Growable typed sample arrays; Float64Array stores keep NaN payloads intact. */
export class SampleSink extends XorSampleBuffer {
  /**
   * Appends the samples of a chunk within [mint, maxt] that are newer than the
   * last one held since index `seriesStart` (where the current series began,
   * when one sink holds several). Chunks of a series must come oldest first;
   * overlapping copies of the same samples (a chunk both in memory and in the
   * table) are skipped.
   */
  addChunk(data: Uint8Array, mint: number, maxt: number, seriesStart = 0): void {
    const from = this.length > seriesStart ? Math.max(mint, this.t[this.length - 1]! + 1) : mint;
    decodeChunkRange(data, from, maxt, this);
  }
}
