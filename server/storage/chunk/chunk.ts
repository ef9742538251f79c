// Self-describing chunks for data at rest: byte 0 names the encoding, the rest is that
// encoding's payload.
//
//   1 (ENC_XOR)          the XOR chunk data of xor.ts, as Prometheus's XORChunk.Bytes()
//   2 (ENC_DOD)          the decimal delta-of-delta chunk of dod.ts
//   3 (ENC_XOR_AT_REST)  XOR data that compaction chose to keep (dod did not apply or was
//                        larger): same payload as 1, marked so compaction leaves it alone
//
// Prometheus's chunk files also put the encoding in a byte before the data (EncXOR = 1
// there too), but then a CRC; we leave integrity to the store, and ENC_DOD is ours alone.
// `encodeBest` is what compaction uses: the smaller of the two per chunk, XOR on a tie.

import { XorAppender, decodeXor, decodeXorRange, xorNumSamples, type XorSink } from "./xor";
import { decodeDod, decodeDodRange, dodNumSamples, encodeDod } from "./dod";

export const ENC_XOR = 1;
export const ENC_DOD = 2;
export const ENC_XOR_AT_REST = 3;

function tagged(encoding: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = encoding;
  out.set(payload, 1);
  return out;
}

/** A self-describing chunk holding the given XOR chunk data (prefixes byte ENC_XOR). */
export function wrapXor(xorBytes: Uint8Array): Uint8Array {
  return tagged(ENC_XOR, xorBytes);
}

/** XOR-encodes t[0..n) (ms) and v[0..n), carrying the values' bits (NaN payloads) exactly. */
function encodeXor(t: Float64Array, v: Float64Array, n: number): Uint8Array {
  const bits = new Uint32Array(v.buffer, v.byteOffset, 2 * n);
  const a = new XorAppender(2 * n + 16);
  for (let i = 0; i < n; i++) a.appendBits(t[i]!, bits[2 * i + 1]!, bits[2 * i]!);
  return a.bytes();
}

/** Bytes of the LEB128 varint of a non-negative integer. */
function uvarintBytes(x: number): number {
  let bytes = 1;
  while (x >= 128) {
    x = Math.floor(x / 128);
    bytes++;
  }
  return bytes;
}

/**
 * A lower bound on the size in bytes of the XOR encoding of t[0..n), v[0..n) (n >= 2), so that
 * encodeBest can skip XOR when the dod chunk is already smaller. Timestamps are costed
 * exactly; a value that changes costs at least 2 control bits plus its XOR's significant bits
 * (64 - leading zeros - trailing zeros), since a reused window covers them and a new one adds
 * 11 bits more. One pass, no writes: several times cheaper than encoding.
 */
function xorSizeLowerBound(t: Float64Array, v: Float64Array, n: number): number {
  const w = new Int32Array(v.buffer, v.byteOffset, 2 * n);
  const t0 = t[0]!;
  let bits = 16 + 8 * uvarintBytes(t0 < 0 ? -2 * t0 - 1 : 2 * t0) + 64 + 8 * uvarintBytes(t[1]! - t0);
  let prevDelta = t[1]! - t0;
  let hi = w[1]!;
  let lo = w[0]!;
  for (let i = 1; i < n; i++) {
    if (i >= 2) {
      const delta = t[i]! - t[i - 1]!;
      const dod = delta - prevDelta;
      prevDelta = delta;
      bits += dod === 0 ? 1 : dod >= -8191 && dod <= 8192 ? 16 : dod >= -65535 && dod <= 65536 ? 20 : dod >= -524287 && dod <= 524288 ? 24 : 68;
    }
    const h = w[2 * i + 1]!;
    const l = w[2 * i]!;
    const xh = h ^ hi;
    const xl = l ^ lo;
    hi = h;
    lo = l;
    if ((xh | xl) === 0) {
      bits += 1;
    } else {
      const lz = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
      const tz = xl !== 0 ? 31 - Math.clz32(xl & -xl) : 63 - Math.clz32(xh & -xh);
      bits += 2 + 64 - lz - tz;
    }
  }
  return (bits + 7) >>> 3;
}

/**
 * Encodes t[0..n) (ms, strictly increasing safe integers) and v[0..n) as a self-describing
 * chunk: decimal delta-of-delta when it applies and is smaller than XOR, else XOR. Value bits
 * are kept exactly (NaN payloads such as the staleness marker go to XOR). Throws a RangeError
 * for timestamps XOR cannot hold either, and for n outside 0..65535.
 */
export function encodeBest(t: Float64Array, v: Float64Array, n: number): Uint8Array {
  const dod = encodeDod(t, v, n);
  // Ties go to XOR, so a dod chunk must be strictly smaller than the bound.
  if (dod !== null && n >= 2 && dod.length < xorSizeLowerBound(t, v, n)) return tagged(ENC_DOD, dod);
  const xor = encodeXor(t, v, n);
  return dod !== null && dod.length < xor.length ? tagged(ENC_DOD, dod) : tagged(ENC_XOR, xor);
}

/** The encoding byte of a chunk (ENC_XOR, ENC_DOD or ENC_XOR_AT_REST); throws on an empty or unknown one. */
export function chunkEncoding(data: Uint8Array): number {
  if (data.length === 0) throw new Error("chunk: empty, no encoding byte");
  const enc = data[0]!;
  if (enc !== ENC_XOR && enc !== ENC_DOD && enc !== ENC_XOR_AT_REST) throw new Error(`chunk: unknown encoding ${enc}`);
  return enc;
}

/** Number of samples in a chunk. */
export function chunkNumSamples(data: Uint8Array): number {
  const payload = data.subarray(1);
  return chunkEncoding(data) === ENC_DOD ? dodNumSamples(payload) : xorNumSamples(payload);
}

/** Decodes all samples of a chunk: timestamps (ms) and values, bit-exactly. */
export function decodeChunk(data: Uint8Array): { t: Float64Array; v: Float64Array } {
  const payload = data.subarray(1);
  return chunkEncoding(data) === ENC_DOD ? decodeDod(payload) : decodeXor(payload);
}

/**
 * Appends the samples with mint <= t <= maxt (ms, inclusive) to `out`; returns how many.
 * See decodeXorRange for the sink's contract.
 */
export function decodeChunkRange(data: Uint8Array, mint: number, maxt: number, out: XorSink): number {
  const payload = data.subarray(1);
  return chunkEncoding(data) === ENC_DOD
    ? decodeDodRange(payload, mint, maxt, out)
    : decodeXorRange(payload, mint, maxt, out);
}

/** encodeBest for data at rest: an XOR result is tagged ENC_XOR_AT_REST, so compaction does not redo it. */
export function encodeAtRest(t: Float64Array, v: Float64Array, n: number): Uint8Array {
  const out = encodeBest(t, v, n);
  if (out[0] === ENC_XOR) out[0] = ENC_XOR_AT_REST;
  return out;
}
