import protobuf from "protobufjs/minimal.js";
import { uncompressSync } from "snappy";
import type { MemSeries } from "../storage/head";
import type { Labels } from "../storage/labels/labels";
import { validateLabels } from "../storage/labels/labels";
import type { AppendBatch, MetricMetadata } from "../storage/store";
import { METRIC_TYPE_NAMES, MetricMetadataType } from "./proto";

/** A request the sender must not retry: answered with 400 (or 413) and this message. */
export class RemoteWriteError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = "RemoteWriteError";
  }
}

export interface DecodedWrite extends AppendBatch {
  /** Float samples in the request. */
  numSamples: number;
  metadata: MetricMetadata[];
  /** Native histogram samples, which Vigil does not store yet. */
  histograms: number;
  exemplars: number;
  /** Entries given as label sets, with the byte range of their key in `raw`, to remember once appended. */
  uncached: { index: number; start: number; end: number }[];
  /** The decoded request the key ranges point into. */
  raw: Uint8Array;
}

interface KeyEntry {
  key: Buffer;
  series: MemSeries;
  next: KeyEntry | null;
}

/**
 * Remembers which series a TimeSeries' encoded label bytes name, so a series
 * seen before costs one hash and one byte comparison instead of decoding and
 * validating its labels. Keys are the raw protobuf bytes of the label fields.
 */
export class SeriesKeyCache {
  private map = new Map<number, KeyEntry>();
  private entries = 0;
  constructor(private readonly maxEntries = 2_000_000) {}

  /**
   * The series cached for buf[start, end), if any. `view` is a DataView over the same bytes
   * (offset 0 = buf[0]); pass the request's own to save creating one per lookup.
   */
  get(buf: Buffer, start: number, end: number, view = viewOf(buf)): MemSeries | undefined {
    const len = end - start;
    for (let e = this.map.get(hashBytes(buf, view, start, end)) ?? null; e !== null; e = e.next) {
      const k = e.key;
      if (k.length === len && k.compare(buf, start, end) === 0) return e.series;
    }
    return undefined;
  }

  /** Remembers a copy of buf[start, end) as naming series s. */
  set(buf: Uint8Array, start: number, end: number, s: MemSeries): void {
    if (this.entries >= this.maxEntries) {
      this.map.clear();
      this.entries = 0;
    }
    const h = hashBytes(buf, viewOf(buf), start, end);
    this.map.set(h, { key: Buffer.from(buf.subarray(start, end)), series: s, next: this.map.get(h) ?? null });
    this.entries++;
  }

  get size(): number {
    return this.entries;
  }
}

function viewOf(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * A 30-bit hash of a byte range (kept in V8's small-integer range for fast Map keys).
 * Words are read through a DataView (little-endian, the same values as assembling four
 * bytes): one load instead of four, about 30 % less time per lookup; hashing the ~170
 * label bytes each remote-write sample carries is most of a cached lookup.
 */
function hashBytes(buf: Uint8Array, view: DataView, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h = Math.imul(h ^ view.getInt32(i, true), 0x5bd1e995);
    h ^= h >>> 13;
  }
  for (; i < end; i++) {
    h = Math.imul(h ^ buf[i]!, 0x5bd1e995);
    h ^= h >>> 13;
  }
  return h & 0x3fffffff;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The uncompressed length that a snappy block declares in its varint preamble. */
export function snappyDeclaredLength(buf: Uint8Array): number {
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 5 && i < buf.length; i++) {
    const b = buf[i]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
    shift += 7;
  }
  throw new RemoteWriteError(400, "snappy: corrupt input");
}

export function uncompressSnappy(body: Uint8Array, maxBytes: number): Uint8Array {
  if (body.length === 0) throw new RemoteWriteError(400, "snappy: corrupt input: empty body");
  const declared = snappyDeclaredLength(body);
  if (declared > maxBytes) {
    throw new RemoteWriteError(413, `decompressed body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
  }
  try {
    // copyOutputData: a V8-owned copy. The default external buffer costs page
    // faults on every request (measured: 3-4x the CPU of the copy).
    return uncompressSync(Buffer.from(body.buffer, body.byteOffset, body.byteLength), { copyOutputData: true }) as Buffer;
  } catch (err) {
    throw new RemoteWriteError(400, `snappy: corrupt input: ${(err as Error).message}`);
  }
}

/** Reads a varint at r.pos as a signed 64-bit integer into a JS number (exact up to 2^53). */
function readInt64(r: protobuf.Reader): number {
  const buf = r.buf;
  let pos = r.pos;
  const end = r.len;
  let lo = 0;
  let hi = 0;
  let b = 0;
  let i = 0;
  // Bits 0..27, the common case for small values.
  for (; i < 4; i++) {
    if (pos >= end) throw new RemoteWriteError(400, "protobuf: truncated varint");
    b = buf[pos++]!;
    lo |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      r.pos = pos;
      return lo >>> 0;
    }
  }
  // Byte 4 straddles the two 32-bit halves.
  if (pos >= end) throw new RemoteWriteError(400, "protobuf: truncated varint");
  b = buf[pos++]!;
  lo |= (b & 0x7f) << 28;
  hi = (b & 0x7f) >> 4;
  if (b >= 0x80) {
    for (i = 0; ; i++) {
      if (i === 5) throw new RemoteWriteError(400, "protobuf: varint too long");
      if (pos >= end) throw new RemoteWriteError(400, "protobuf: truncated varint");
      b = buf[pos++]!;
      hi |= (b & 0x7f) << (7 * i + 3);
      if (b < 0x80) break;
    }
  }
  r.pos = pos;
  if (hi & 0x80000000) {
    // Two's complement negative.
    const nlo = (~lo + 1) >>> 0;
    let nhi = ~hi >>> 0;
    if (nlo === 0) nhi = (nhi + 1) >>> 0;
    return -(nhi * 4294967296 + nlo);
  }
  return (hi >>> 0) * 4294967296 + (lo >>> 0);
}

function fail(what: string, err: unknown): never {
  if (err instanceof RemoteWriteError) throw err;
  throw new RemoteWriteError(400, `protobuf: ${what}: ${(err as Error).message}`);
}

/**
 * Decodes a (decompressed) WriteRequest into an append batch. Every label set
 * not already in the cache is decoded and validated; an invalid one fails the
 * whole request, so nothing of it is stored.
 */
export function decodeWriteRequest(
  input: Uint8Array,
  cache: SeriesKeyCache,
  lookup: (ls: Labels) => MemSeries | undefined,
): DecodedWrite {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const r = protobuf.Reader.create(buf);
  const entries: (MemSeries | Labels)[] = [];
  const offsets: number[] = [0];
  let cap = 1024;
  let t = new Float64Array(cap);
  let v = new Float64Array(cap);
  let n = 0;
  const metadata: MetricMetadata[] = [];
  let histograms = 0;
  let exemplars = 0;
  const uncached: { index: number; start: number; end: number }[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      if (field === 1 && (tag & 7) === 2) {
        const len = r.uint32();
        const end = r.pos + len;
        if (end > r.len) throw new RemoteWriteError(400, "protobuf: truncated TimeSeries");
        let labelsStart = -1;
        let labelsEnd = -1;
        let contiguous = true;
        // Fast path: the label fields (tag 0x0a, one-byte lengths) as Prometheus writes them first.
        {
          let p = r.pos;
          const start = p;
          while (p + 1 < end && buf[p] === 0x0a && buf[p + 1]! < 0x80) p += 2 + buf[p + 1]!;
          if (p > start && p <= end) {
            labelsStart = start;
            labelsEnd = p;
            r.pos = p;
          }
        }
        while (r.pos < end) {
          const start = r.pos;
          const ttag = r.uint32();
          const tf = ttag >>> 3;
          if (tf === 1 && (ttag & 7) === 2) {
            const l = r.uint32();
            r.pos += l;
            if (r.pos > end) throw new RemoteWriteError(400, "protobuf: truncated Label");
            if (labelsStart < 0) labelsStart = start;
            else if (labelsEnd !== start) contiguous = false;
            labelsEnd = r.pos;
          } else if (tf === 2 && (ttag & 7) === 2) {
            const l = r.uint32();
            const send = r.pos + l;
            if (send > end) throw new RemoteWriteError(400, "protobuf: truncated Sample");
            let value = 0;
            let ts = 0;
            while (r.pos < send) {
              const stag = r.uint32();
              if (stag === 0x09) {
                if (r.pos + 8 > send) throw new RemoteWriteError(400, "protobuf: truncated double");
                // DataView keeps NaN payloads (the staleness marker) intact.
                value = view.getFloat64(r.pos, true);
                r.pos += 8;
              } else if (stag === 0x10) ts = readInt64(r);
              else r.skipType(stag & 7);
            }
            if (r.pos !== send) throw new RemoteWriteError(400, "protobuf: malformed Sample");
            if (n === cap) {
              cap *= 2;
              const nt = new Float64Array(cap);
              nt.set(t);
              t = nt;
              const nv = new Float64Array(cap);
              nv.set(v);
              v = nv;
            }
            t[n] = ts;
            v[n] = value;
            n++;
          } else {
            if (tf === 3) exemplars++;
            else if (tf === 4) histograms++;
            r.skipType(ttag & 7);
          }
        }
        if (r.pos !== end) throw new RemoteWriteError(400, "protobuf: malformed TimeSeries");
        if (n === offsets[offsets.length - 1]) continue; // no float samples
        if (labelsStart < 0) labelsStart = labelsEnd = r.pos;
        let s = contiguous ? cache.get(buf, labelsStart, labelsEnd, view) : undefined;
        if (s === undefined) {
          const ls = decodeLabels(buf, labelsStart, end);
          s = lookup(ls);
          if (s !== undefined) {
            if (contiguous) cache.set(buf, labelsStart, labelsEnd, s);
            entries.push(s);
          } else {
            if (contiguous) uncached.push({ index: entries.length, start: labelsStart, end: labelsEnd });
            entries.push(ls);
          }
        } else entries.push(s);
        offsets.push(n);
      } else if (field === 3 && (tag & 7) === 2) {
        const len = r.uint32();
        if (r.pos + len > r.len) throw new RemoteWriteError(400, "protobuf: truncated MetricMetadata");
        const m = MetricMetadataType.decode(buf.subarray(r.pos, r.pos + len)) as unknown as {
          type?: number;
          metricFamilyName?: string;
          help?: string;
          unit?: string;
        };
        r.pos += len;
        if (m.metricFamilyName) {
          metadata.push({
            metricFamily: m.metricFamilyName,
            type: METRIC_TYPE_NAMES[m.type ?? 0] ?? "unknown",
            help: m.help ?? "",
            unit: m.unit ?? "",
          });
        }
      } else r.skipType(tag & 7);
    }
  } catch (err) {
    fail("cannot decode WriteRequest", err);
  }
  return { entries, offsets, t: t.subarray(0, n), v: v.subarray(0, n), numSamples: n, metadata, histograms, exemplars, uncached, raw: buf };
}

/** Decodes and validates the labels of one TimeSeries (all field-1 entries between start and end). */
function decodeLabels(buf: Uint8Array, start: number, seriesEnd: number): Labels {
  const ls: { name: string; value: string }[] = [];
  if (start >= 0) {
    const r = protobuf.Reader.create(buf);
    r.pos = start;
    r.len = seriesEnd;
    while (r.pos < seriesEnd) {
      const tag = r.uint32();
      if (tag >>> 3 === 1 && (tag & 7) === 2) {
        const len = r.uint32();
        const sub = buf.subarray(r.pos, r.pos + len);
        r.pos += len;
        let name = "";
        let value = "";
        const lr = protobuf.Reader.create(sub);
        while (lr.pos < lr.len) {
          const lt = lr.uint32();
          if (lt === 0x0a || lt === 0x12) {
            const l = lr.uint32();
            let str: string;
            try {
              str = utf8.decode(sub.subarray(lr.pos, lr.pos + l));
            } catch {
              throw new RemoteWriteError(400, "invalid labels: label name or value is not valid UTF-8");
            }
            lr.pos += l;
            if (lt === 0x0a) name = str;
            else value = str;
          } else lr.skipType(lt & 7);
        }
        ls.push({ name, value });
      } else r.skipType(tag & 7);
    }
  }
  // An empty value means the label is absent (Prometheus semantics).
  const present = ls.filter((l) => l.value !== "");
  const err = validateLabels(present);
  if (err !== null) throw new RemoteWriteError(400, err);
  return present;
}
