// The bit stream under both chunk encodings (xor.ts, dod.ts): written most-significant bit
// first through a 32-bit accumulator, read 32 bits at a time at any bit offset.

export const TWO_POW_32 = 4294967296;

/**
 * Writes bits MSB first into `buf`, emitting whole 32-bit words. The caller makes sure
 * the buffer has room (XorAppender grows it, the dense encoder sizes it up front).
 */
export class BitWriter {
  buf: Uint8Array;
  /** Index of the next byte to write. */
  pos = 0;
  /** Pending bits, most significant first: the top `nacc` (0..31) bits of `acc`, the rest zero. */
  acc = 0;
  nacc = 0;

  constructor(capacityBytes: number) {
    this.buf = new Uint8Array(capacityBytes);
  }

  /** Writes the low `k` (0..32) bits of `v`; `v` must be below 2^k (any int32 when k = 32, 0 when k = 0). */
  write(v: number, k: number): void {
    const free = 32 - this.nacc;
    if (k < free) {
      this.acc |= v << (free - k);
      this.nacc += k;
      return;
    }
    // The accumulator fills up: emit it as 4 bytes and keep the spill-over bits.
    const spill = k - free;
    const word = this.acc | (v >>> spill);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = word >>> 24;
    buf[pos + 1] = word >>> 16;
    buf[pos + 2] = word >>> 8;
    buf[pos + 3] = word;
    this.pos = pos + 4;
    this.nacc = spill;
    this.acc = spill === 0 ? 0 : v << (32 - spill);
  }

  /** Writes the low `k` (0..53) bits of the non-negative safe integer `u` (u < 2^k). */
  writeWide(u: number, k: number): void {
    if (k <= 32) {
      this.write(u | 0, k);
    } else {
      this.write(Math.floor(u / TWO_POW_32), k - 32);
      this.write(u | 0, 32);
    }
  }

  /** Unsigned LEB128 (Go's binary.PutUvarint) of the 64-bit value hi:lo, byte by byte. */
  writeVarint64(hi: number, lo: number): void {
    hi >>>= 0;
    lo >>>= 0;
    for (;;) {
      const low7 = lo & 0x7f;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
      if (lo === 0 && hi === 0) {
        this.write(low7, 8);
        return;
      }
      this.write(low7 | 0x80, 8);
    }
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  writeUvarint(x: number): void {
    this.writeVarint64(Math.floor(x / TWO_POW_32), x >>> 0);
  }

  /** Go's binary.PutVarint: zigzag, then LEB128. Computed in halves because 2|x| may exceed 2^53. */
  writeVarint(x: number): void {
    const a = x < 0 ? -x : x;
    // 2a split into 32-bit halves; 2a is exact (a doubling) even above 2^53.
    let lo = ((a >>> 0) << 1) >>> 0;
    let hi = Math.floor(a / 2147483648);
    if (x < 0) {
      // zigzag(x) = 2|x| - 1 for negative x.
      if (lo === 0) {
        lo = 0xffffffff;
        hi -= 1;
      } else {
        lo -= 1;
      }
    }
    this.writeVarint64(hi, lo);
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.pos * 8 + this.nacc;
  }

  /** Appends the first `bits` bits of `src`, which must be readable 5 bytes past them. */
  copyBits(src: Uint8Array, bits: number): void {
    let p = 0;
    for (; p + 32 <= bits; p += 32) this.write(read32(src, p), 32);
    if (p < bits) this.write(read32(src, p) >>> (32 - (bits - p)), bits - p);
  }

  /** Stores the pending bits; returns the length in bytes. Bytes after it stay zero. */
  flush(): number {
    const len = this.pos + ((this.nacc + 7) >>> 3);
    if (len > this.buf.length) throw new Error("bit writer: size estimate too small (bug)");
    for (let i = this.pos, shift = 24; i < len; i++, shift -= 8) this.buf[i] = this.acc >>> shift;
    return len;
  }

  /** The written bytes (the buffer itself when it was sized exactly). */
  finish(): Uint8Array {
    const len = this.flush();
    return len === this.buf.length ? this.buf : this.buf.slice(0, len);
  }
}

/** The 32 bits starting at bit `p` (MSB first), as an int32. Needs 5 readable bytes. */
export function read32(d: Uint8Array, p: number): number {
  const b = p >>> 3;
  const o = p & 7;
  return (((d[b]! << 24) | (d[b + 1]! << 16) | (d[b + 2]! << 8) | d[b + 3]!) << o) | (d[b + 4]! >>> (8 - o));
}
