// XOR (Gorilla) chunk codec, byte-compatible with Prometheus's `chunkenc.XORChunk.Bytes()`
// (tsdb/chunkenc/xor.go): the chunk data only, without the on-disk
// `uvarint len | encoding | data | CRC32C` wrapper.
//
// Layout (bit stream written most-significant bit first, zero-padded to a byte boundary):
//   u16 BE   number of samples
//   sample 0 timestamp as zigzag varint, value as 64 raw IEEE-754 bits
//   sample 1 timestamp delta as unsigned varint, value as XOR code
//   sample n timestamp delta-of-delta in buckets '0' | '10'+14 | '110'+17 | '1110'+20 | '1111'+64,
//            value as XOR code
//   XOR code '0' (same bits) | '10' + bits in the previous window
//            | '11' + 5-bit leading zeros (capped at 31) + 6-bit length (64 written as 0) + bits
//
// Time is integer milliseconds held in JS numbers (safe integers; 32-bit operators touch
// them only where a modulo-2^32 result is wanted, e.g. the low word of a 64-bit field). Values are handled as two uint32 halves of their IEEE-754 bits (through a
// Float64Array/Uint32Array view, never BigInt), so every bit pattern round-trips, including
// NaN payloads such as Prometheus's staleness marker 0x7ff0000000000002, which is a
// *signalling* NaN. Measured on V8 (Node 20, x64): a number carrying it survives locals,
// object fields, arguments and Float64Array stores, which is what `append(t, v)`,
// `lastValue` and `XorIterator.v` rely on (a test pins this); but storing it in a plain JS
// array, even an array literal, quiets it to 0x7ff8000000000002. Hence the bulk decoders
// write into Float64Arrays through a Uint32Array view, never into number[], and
// `appendBits` / `XorIterator.vHi,vLo` exist for callers that want the bits themselves.

import { BitWriter, read32, TWO_POW_32 } from "./bits";

/** Prometheus's hard limit: the sample count is a u16. */
export const MAX_SAMPLES_PER_CHUNK = 65535;

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
  // The hi/lo word split below assumes the host's Float64Array is little-endian.
  throw new Error("xor chunk: a little-endian host is required");
}

// Shared scratch for converting between a float64 and its two 32-bit halves
// ([0] = low word, [1] = high word on a little-endian host).
const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);


function badTimestamp(t: number, prev: number): never {
  throw new RangeError(`xor chunk: timestamp ${t} after ${prev} is not a larger safe integer with a delta below 2^53`);
}

/** Trailing zeros of a non-zero int32. */
function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/**
 * Appends samples to one XOR chunk. Timestamps must be safe integers and strictly increasing
 * (the appender throws otherwise, as a cheap guard against silent corruption).
 * The bits go through BitWriter; bytes() (not BitWriter.finish) gives the chunk, since the
 * sample count in its header is written only there.
 */
export class XorAppender extends BitWriter {
  private n = 0;
  /** First and last timestamp, ms. */
  private t0 = Infinity;
  private tN = -Infinity;
  /** Last timestamp delta, ms. */
  private tDelta = 0;
  /** Bits of the last value, as int32 halves. */
  private vHi = 0;
  private vLo = 0;
  /** Current XOR window; -1 = none yet (Prometheus uses 0xff). */
  private leading = -1;
  private trailing = 0;

  constructor(initialCapacityBytes = 128) {
    super(Math.max(32, initialCapacityBytes | 0));
    // Bytes 0-1 hold the sample count, written by bytes().
    this.pos = 2;
  }

  get numSamples(): number {
    return this.n;
  }
  /** First timestamp, ms; +Infinity while empty. */
  get minT(): number {
    return this.t0;
  }
  /** Last timestamp, ms; -Infinity while empty. */
  get maxT(): number {
    return this.tN;
  }
  /** Last appended value with its exact bits; NaN while empty. */
  get lastValue(): number {
    if (this.n === 0) return NaN;
    scratchU32[0] = this.vLo;
    scratchU32[1] = this.vHi;
    return scratchF64[0];
  }
  /** Encoded size in bytes, including the header and the partial last byte. */
  get byteLength(): number {
    return this.pos + ((this.nacc + 7) >>> 3);
  }

  /**
   * A copy of the chunk as it stands; appending may continue afterwards. With `prefix`
   * (0..255) the copy starts with that byte (an encoding tag, see chunk.ts), which saves
   * tagging it with a second copy.
   */
  bytes(prefix = -1): Uint8Array {
    const at = prefix >= 0 ? 1 : 0;
    const out = new Uint8Array(at + this.byteLength);
    if (at) out[0] = prefix;
    out.set(this.buf.subarray(0, this.pos), at);
    // The sample count is kept in `n` and only written here; Prometheus rewrites it per append.
    out[at] = this.n >>> 8;
    out[at + 1] = this.n;
    for (let i = at + this.pos, shift = 24; i < out.length; i++, shift -= 8) out[i] = this.acc >>> shift;
    return out;
  }

  append(t: number, v: number): void {
    scratchF64[0] = v;
    this.appendBits(t, scratchU32[1], scratchU32[0]);
  }

  /**
   * Appends a value given as the high and low 32 bits of its IEEE-754 representation
   * (either signed or unsigned 32-bit numbers). Use it when a NaN payload must survive
   * without relying on how the JS engine carries NaN numbers.
   */
  appendBits(t: number, hi: number, lo: number): void {
    hi |= 0;
    lo |= 0;
    const n = this.n;
    if (this.pos + 24 > this.buf.length) this.grow();
    let delta = 0;
    // A short delta-of-delta code is handed to writeXor as a prefix, to be merged into one write.
    let pre = 0;
    let preBits = 0;
    if (n === 0) {
      if (!Number.isSafeInteger(t)) throw new RangeError(`xor chunk: timestamp ${t} is not a safe integer`);
      this.writeVarint(t);
      this.write(hi, 32);
      this.write(lo, 32);
      this.t0 = t;
    } else {
      // Integer-ness is checked where it is cheap: the first delta, and every non-zero
      // delta of delta (a zero one keeps t integral, since t = previous t + previous delta).
      if (!(t > this.tN && t <= Number.MAX_SAFE_INTEGER)) badTimestamp(t, this.tN);
      if (n >= MAX_SAMPLES_PER_CHUNK) throw new RangeError("xor chunk: full");
      delta = t - this.tN;
      if (n === 1) {
        // tN and t are safe integers, so the difference is exact unless it exceeds 2^53.
        if (!Number.isSafeInteger(delta)) badTimestamp(t, this.tN);
        this.writeVarint64(Math.floor(delta / TWO_POW_32), delta >>> 0);
      } else {
        const dod = delta - this.tDelta;
        if (dod === 0) {
          preBits = 1;
        } else if (dod >= -524287 && dod <= 524288) {
          if ((dod | 0) !== dod) badTimestamp(t, this.tN);
          if (dod >= -8191 && dod <= 8192) {
            pre = (0b10 << 14) | (dod & 0x3fff);
            preBits = 16;
          } else if (dod >= -65535 && dod <= 65536) {
            this.write((0b110 << 17) | (dod & 0x1ffff), 20);
          } else {
            this.write((0b1110 << 20) | (dod & 0xfffff), 24);
          }
        } else {
          if (!Number.isSafeInteger(delta)) badTimestamp(t, this.tN);
          // 64-bit two's complement; ToUint32 (>>> 0) is exact modulo 2^32 for any safe integer.
          this.write(0b1111, 4);
          this.write(Math.floor(dod / TWO_POW_32) | 0, 32);
          this.write(dod | 0, 32);
        }
      }
      this.writeXor(hi, lo, pre, preBits);
    }
    this.tDelta = delta;
    this.tN = t;
    this.vHi = hi;
    this.vLo = lo;
    this.n = n + 1;
  }

  /** Writes the XOR code of the value hi:lo, preceded by the `preBits` (0..16) bits of `pre`. */
  private writeXor(hi: number, lo: number, pre: number, preBits: number): void {
    const xh = hi ^ this.vHi;
    const xl = lo ^ this.vLo;
    if ((xh | xl) === 0) {
      this.write(pre << 1, preBits + 1);
      return;
    }
    // Leading zeros are capped at 31 so they fit in 5 bits, as Prometheus does.
    const lz = xh !== 0 ? Math.clz32(xh) : 31;
    const tz = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    let l = this.leading;
    let tr = this.trailing;
    let ctrl: number;
    let ctrlBits: number;
    if (l >= 0 && lz >= l && tz >= tr) {
      ctrl = (pre << 2) | 0b10;
      ctrlBits = preBits + 2;
    } else {
      l = this.leading = lz;
      tr = this.trailing = tz;
      // '11', 5 bits of leading zeros, 6 bits of significant-bit count (64 is written as 0).
      ctrl = (pre << 13) | (0b11 << 11) | (lz << 6) | ((64 - lz - tr) & 63);
      ctrlBits = preBits + 13;
    }
    // The m significant bits are x >>> tr, held as sh:sl.
    const m = 64 - l - tr;
    let sh = 0;
    let sl: number;
    if (tr >= 32) {
      sl = xh >>> (tr - 32);
    } else if (tr === 0) {
      sh = xh;
      sl = xl;
    } else {
      sh = xh >>> tr;
      sl = (xl >>> tr) | (xh << (32 - tr));
    }
    if (m + ctrlBits <= 32) {
      this.write((ctrl << m) | sl, m + ctrlBits);
    } else {
      this.write(ctrl, ctrlBits);
      if (m <= 32) {
        this.write(sl, m);
      } else {
        this.write(sh, m - 32);
        this.write(sl, 32);
      }
    }
  }

  private grow(): void {
    // Allocating an ArrayBuffer is costly in V8, so small buffers grow 4x.
    const len = this.buf.length;
    const next = new Uint8Array(len < 4096 ? len * 4 : len * 2);
    next.set(this.buf);
    this.buf = next;
  }
}

/** Number of samples in an encoded chunk (its u16 BE header). */
export function xorNumSamples(data: Uint8Array): number {
  if (data.length < 2) throw new Error("xor chunk: shorter than its header");
  return (data[0] << 8) | data[1];
}

// ---------------------------------------------------------------------------------------
// Decoding. Reads take 32 bits at an arbitrary bit offset from 5 bytes, so the input is
// copied into a buffer with 8 zero bytes of padding: no bounds checks in the loop, and the
// decoders verify at the end that they did not read past the real data.

let padScratch = new Uint8Array(4096);

function padded(data: Uint8Array, reuse: boolean): Uint8Array {
  const need = data.length + 8;
  let d: Uint8Array;
  if (reuse) {
    if (padScratch.length < need) padScratch = new Uint8Array(Math.max(need, padScratch.length * 2));
    d = padScratch;
    d.fill(0, data.length, need);
  } else {
    d = new Uint8Array(need);
  }
  d.set(data);
  return d;
}

// Result of readUvarint64 (uint32 halves).
let varHi = 0;
let varLo = 0;

/** Reads an unsigned LEB128 (Go's binary.Uvarint) at bit `p` into varHi/varLo; returns the new position. */
function readUvarint64(d: Uint8Array, p: number): number {
  let lo = 0;
  let hi = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 63) throw new Error("xor chunk: malformed varint");
    const b = read32(d, p) >>> 24;
    p += 8;
    const v = b & 0x7f;
    if (shift < 32) {
      lo |= v << shift;
      if (shift > 25) hi |= v >>> (32 - shift);
    } else {
      hi |= v << (shift - 32);
    }
    if ((b & 0x80) === 0) break;
  }
  varHi = hi >>> 0;
  varLo = lo >>> 0;
  return p;
}

/** Decoder state carried between samples. */
interface DecodeState {
  /** Bit position. */
  p: number;
  t: number;
  delta: number;
  vHi: number;
  vLo: number;
}

function newState(): DecodeState {
  return { p: 0, t: 0, delta: 0, vHi: 0, vLo: 0 };
}

/**
 * Decodes sample 0 (varint timestamp, raw value bits) into `s`, leaving `s.p` after it.
 * Kept out of the hot loops because it runs once per chunk.
 */
function decodeHead(d: Uint8Array, s: DecodeState): void {
  const p = readUvarint64(d, 16);
  // Un-zigzag. Exact while |t| < 2^53; Prometheus chunks with larger int64 timestamps lose precision.
  const a = varHi * 2147483648 + (varLo >>> 1);
  s.t = (varLo & 1) !== 0 ? -a - 1 : a;
  s.vHi = read32(d, p);
  s.vLo = read32(d, p + 32);
  s.p = p + 64;
}

/** Decodes the timestamp of sample 1 (unsigned varint delta) at `s.p`. */
function decodeFirstDelta(d: Uint8Array, s: DecodeState): void {
  s.p = readUvarint64(d, s.p);
  // uint64 delta; a value with the top bit set (a negative Go delta) comes back as a huge number.
  s.delta = varHi * TWO_POW_32 + varLo;
  s.t += s.delta;
}

/**
 * Core bulk decoder: writes samples with mint <= t <= maxt to outT[off..] and their value bits
 * to outV32[2*off..] (low word first). The caller guarantees room for xorNumSamples(data)
 * samples. Returns the number of samples written.
 */
function decodeInto(
  data: Uint8Array,
  mint: number,
  maxt: number,
  outT: Float64Array,
  outV32: Uint32Array,
  off: number,
): number {
  const n = xorNumSamples(data);
  if (n === 0) return 0;
  const d = padded(data, true);
  const s = newState();
  decodeHead(d, s);
  let k = off;
  let t = s.t;
  if (t > maxt) return 0;
  if (t >= mint) {
    outT[k] = t;
    outV32[2 * k] = s.vLo;
    outV32[2 * k + 1] = s.vHi;
    k++;
  }
  if (n > 1) {
    decodeFirstDelta(d, s);
    let p = s.p;
    t = s.t;
    let delta = s.delta;
    let vHi = s.vHi;
    let vLo = s.vLo;
    // Go's iterator starts with leading = trailing = 0; a valid chunk always opens a window first.
    let lead = 0;
    let trail = 0;
    let m = 64;
    for (let i = 1; i < n; i++) {
      if (i > 1) {
        // Delta of delta.
        const w = read32(d, p);
        if (w >= 0) {
          p += 1;
        } else if (w << 1 >= 0) {
          let x = (w >>> 16) & 0x3fff;
          if (x > 8192) x -= 16384;
          delta += x;
          p += 16;
        } else if (w << 2 >= 0) {
          let x = (w >>> 12) & 0x1ffff;
          if (x > 65536) x -= 131072;
          delta += x;
          p += 20;
        } else if (w << 3 >= 0) {
          let x = (w >>> 8) & 0xfffff;
          if (x > 524288) x -= 1048576;
          delta += x;
          p += 24;
        } else {
          delta += read32(d, p + 4) * TWO_POW_32 + (read32(d, p + 36) >>> 0);
          p += 68;
        }
        t += delta;
      }
      // Value.
      const w = read32(d, p);
      if (w >= 0) {
        p += 1;
      } else {
        if (w << 1 < 0) {
          lead = (w >>> 25) & 31;
          m = (w >>> 19) & 63 || 64;
          trail = 64 - lead - m;
          p += 13;
        } else {
          p += 2;
        }
        if (trail >= 32) {
          vHi ^= (read32(d, p) >>> (32 - m)) << (trail - 32);
        } else {
          vHi ^= read32(d, p) >>> lead;
          vLo ^= read32(d, p + 32 - lead) & (-1 << trail);
        }
        p += m;
      }
      if (t >= mint) {
        if (t > maxt) break;
        outT[k] = t;
        outV32[2 * k] = vLo;
        outV32[2 * k + 1] = vHi;
        k++;
      }
    }
    s.p = p;
  }
  if (s.p > data.length * 8) throw new Error("xor chunk: truncated");
  return k - off;
}

/** Decodes all samples. Values are written bit-exactly (NaN payloads survive). */
export function decodeXor(data: Uint8Array): { t: Float64Array; v: Float64Array } {
  const n = xorNumSamples(data);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  decodeInto(data, -Infinity, Infinity, t, new Uint32Array(v.buffer), 0);
  return { t, v };
}

/**
 * Where `decodeXorRange` appends: growable (t, v) columns of which the first `length` entries
 * are meaningful. `reserve(extra)` must make room for `extra` more samples (it may replace
 * `t` and `v`). Values are written through a Uint32Array view of `v`, so NaN payloads survive,
 * which a `number[]` sink would not guarantee (V8 canonicalizes NaNs stored in double arrays).
 */
export interface XorSink {
  /** Timestamps, ms. */
  t: Float64Array;
  v: Float64Array;
  length: number;
  reserve(extra: number): void;
}

/** A plain XorSink. */
export class XorSampleBuffer implements XorSink {
  /** Timestamps, ms. */
  t: Float64Array;
  v: Float64Array;
  length = 0;

  constructor(capacity = 256) {
    this.t = new Float64Array(Math.max(1, capacity));
    this.v = new Float64Array(Math.max(1, capacity));
  }

  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.t.length) return;
    const cap = Math.max(need, this.t.length * 2);
    const t = new Float64Array(cap);
    const v = new Float64Array(cap);
    t.set(this.t.subarray(0, this.length));
    v.set(this.v.subarray(0, this.length));
    this.t = t;
    this.v = v;
  }

  clear(): void {
    this.length = 0;
  }
}

/**
 * Decodes the samples with mint <= t <= maxt (ms, inclusive) and appends them to `out`;
 * stops decoding at the first sample after maxt. Returns the number of samples appended.
 */
export function decodeXorRange(data: Uint8Array, mint: number, maxt: number, out: XorSink): number {
  out.reserve(xorNumSamples(data));
  const v = out.v;
  const added = decodeInto(data, mint, maxt, out.t, new Uint32Array(v.buffer, v.byteOffset, v.length * 2), out.length);
  out.length += added;
  return added;
}

/**
 * Lazy sample-by-sample iterator, in the style of Prometheus's chunkenc.Iterator.
 * After `next()` returns true, `t` (ms) and `v` hold the sample, and `vHi`/`vLo` the exact
 * high/low 32 bits of the value (uint32), which do not depend on how the engine carries NaNs.
 */
export class XorIterator {
  /** Timestamp, ms. */
  t = 0;
  v = 0;
  vHi = 0;
  vLo = 0;
  private readonly d: Uint8Array;
  private readonly bitLength: number;
  private readonly n: number;
  private i = 0;
  private p = 0;
  private delta = 0;
  private leading = 0;
  private trailing = 0;

  constructor(data: Uint8Array) {
    this.n = xorNumSamples(data);
    this.d = padded(data, false);
    this.bitLength = data.length * 8;
  }

  next(): boolean {
    const i = this.i;
    if (i >= this.n) return false;
    const d = this.d;
    if (i === 0) {
      const s = newState();
      decodeHead(d, s);
      this.p = s.p;
      this.t = s.t;
      this.vHi = s.vHi >>> 0;
      this.vLo = s.vLo >>> 0;
    } else {
      if (i === 1) {
        const s = newState();
        s.p = this.p;
        s.t = this.t;
        decodeFirstDelta(d, s);
        this.p = s.p;
        this.t = s.t;
        this.delta = s.delta;
      } else {
        let p = this.p;
        let delta = this.delta;
        const w = read32(d, p);
        if (w >= 0) {
          p += 1;
        } else if (w << 1 >= 0) {
          let x = (w >>> 16) & 0x3fff;
          if (x > 8192) x -= 16384;
          delta += x;
          p += 16;
        } else if (w << 2 >= 0) {
          let x = (w >>> 12) & 0x1ffff;
          if (x > 65536) x -= 131072;
          delta += x;
          p += 20;
        } else if (w << 3 >= 0) {
          let x = (w >>> 8) & 0xfffff;
          if (x > 524288) x -= 1048576;
          delta += x;
          p += 24;
        } else {
          delta += read32(d, p + 4) * TWO_POW_32 + (read32(d, p + 36) >>> 0);
          p += 68;
        }
        this.delta = delta;
        this.t += delta;
        this.p = p;
      }
      this.readValue();
    }
    if (this.p > this.bitLength) {
      this.i = this.n;
      throw new Error("xor chunk: truncated");
    }
    scratchU32[0] = this.vLo;
    scratchU32[1] = this.vHi;
    this.v = scratchF64[0];
    this.i = i + 1;
    return true;
  }

  /** Reads one XOR-coded value at this.p relative to the previous bits, updating vHi/vLo. */
  private readValue(): void {
    const d = this.d;
    let vHi = this.vHi;
    let vLo = this.vLo;
    let p = this.p;
    const w = read32(d, p);
    if (w >= 0) {
      p += 1;
    } else {
      let lead = this.leading;
      let trail = this.trailing;
      if (w << 1 < 0) {
        lead = this.leading = (w >>> 25) & 31;
        trail = this.trailing = 64 - lead - ((w >>> 19) & 63 || 64);
        p += 13;
      } else {
        p += 2;
      }
      const m = 64 - lead - trail;
      if (trail >= 32) {
        vHi ^= (read32(d, p) >>> (32 - m)) << (trail - 32);
      } else {
        vHi ^= read32(d, p) >>> lead;
        vLo ^= read32(d, p + 32 - lead) & (-1 << trail);
      }
      p += m;
    }
    this.p = p;
    this.vHi = vHi >>> 0;
    this.vLo = vLo >>> 0;
  }
}
