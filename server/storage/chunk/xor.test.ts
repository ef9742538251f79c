import { describe, expect, it } from "vitest";
import {
  MAX_SAMPLES_PER_CHUNK,
  XorAppender,
  XorIterator,
  XorSampleBuffer,
  decodeXor,
  decodeXorRange,
  xorNumSamples,
} from "./xor";
import {
  SERIES_PER_HOST,
  syntheticSeries,
  syntheticTarget,
  syntheticTimestamp,
  syntheticTimestamps,
  syntheticValue,
  syntheticValues,
} from "@/bench/data/synthetic";
import { mulberry32 as rng } from "@/server/testing/random";

// --- helpers -----------------------------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The float64 with the given high/low 32 bits (built through a typed array, never arithmetic). */
function fromBits(hi: number, lo: number): number {
  u32[1] = hi;
  u32[0] = lo;
  return f64[0]!;
}

function bitsOf(x: number): string {
  f64[0] = x;
  return u32[1]!.toString(16).padStart(8, "0") + u32[0]!.toString(16).padStart(8, "0");
}

function bitsAt(a: Float64Array, i: number): string {
  const w = new Uint32Array(a.buffer, a.byteOffset + i * 8, 2);
  return w[1]!.toString(16).padStart(8, "0") + w[0]!.toString(16).padStart(8, "0");
}

// NaN payloads are handled as raw bits: V8 quiets a signalling NaN such as the staleness
// marker when it is stored in a plain array, even an array literal (see the NaN tests), so
// test values live in Float64Arrays, built by `vals`.
type Bits = readonly [hi: number, lo: number];
const STALE: Bits = [0x7ff00000, 0x00000002]; // Prometheus value.StaleNaN
const GO_NAN_BITS: Bits = [0x7ff80000, 0x00000001]; // Go's math.NaN()
const STALE_NAN = fromBits(...STALE);
const GO_NAN = fromBits(...GO_NAN_BITS);

/** A Float64Array of values; [hi, lo] entries are written as raw bits. */
function vals(...items: (number | Bits)[]): Float64Array {
  const out = new Float64Array(items.length);
  items.forEach((x, i) => setValue(out, i, x));
  return out;
}

function setValue(out: Float64Array, i: number, x: number | Bits): void {
  if (typeof x === "number") {
    out[i] = x;
  } else {
    const w = new Uint32Array(out.buffer, out.byteOffset + i * 8, 2);
    w[0] = x[1] >>> 0;
    w[1] = x[0] >>> 0;
  }
}

function allBits(a: Float64Array): string[] {
  return Array.from(a, (_, i) => bitsAt(a, i));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

function encode(ts: number[], vs: Float64Array): Uint8Array {
  const a = new XorAppender();
  for (let i = 0; i < ts.length; i++) a.append(ts[i]!, vs[i]!);
  return a.bytes();
}

function expectRoundTrip(ts: number[], vs: Float64Array): Uint8Array {
  const data = encode(ts, vs);
  expect(xorNumSamples(data)).toBe(ts.length);
  const d = decodeXor(data);
  expect(Array.from(d.t)).toEqual(ts);
  expect(allBits(d.v)).toEqual(allBits(vs));
  const it = new XorIterator(data);
  const got: string[] = [];
  const gotT: number[] = [];
  while (it.next()) {
    gotT.push(it.t);
    got.push(bitsOf(it.v));
    expect(it.vHi.toString(16).padStart(8, "0") + it.vLo.toString(16).padStart(8, "0")).toBe(got[got.length - 1]);
  }
  expect(gotT).toEqual(ts);
  expect(got).toEqual(allBits(vs));
  return data;
}

// A deliberately naive reference encoder, written straight from the format description
// (BigInt and '0'/'1' strings, no shared code with xor.ts), for differential tests.
function refEncode(ts: number[], vs: Float64Array): string {
  const M64 = (1n << 64n) - 1n;
  const bin = (x: bigint, n: number) => (x & ((1n << BigInt(n)) - 1n)).toString(2).padStart(n, "0");
  const uvarint = (x: bigint) => {
    let s = "";
    for (;;) {
      const b = x & 0x7fn;
      x >>= 7n;
      if (x === 0n) return s + bin(b, 8);
      s += bin(b | 0x80n, 8);
    }
  };
  const bits64 = (i: number) => BigInt("0x" + bitsAt(vs, i));
  const clz = (x: bigint) => 64 - x.toString(2).length;
  const ctz = (x: bigint) => {
    let n = 0;
    while ((x & 1n) === 0n) {
      x >>= 1n;
      n++;
    }
    return n;
  };
  let out = bin(BigInt(ts.length), 16);
  let lead = -1;
  let trail = 0;
  let prevDelta = 0n;
  for (let i = 0; i < ts.length; i++) {
    const t = BigInt(ts[i]!);
    if (i === 0) {
      out += uvarint(t >= 0n ? t << 1n : ((-t) << 1n) - 1n) + bin(bits64(0), 64);
      continue;
    }
    const delta = t - BigInt(ts[i - 1]!);
    if (i === 1) {
      out += uvarint(delta);
    } else {
      const dod = delta - prevDelta;
      const inRange = (n: number) => dod >= -((1n << BigInt(n - 1)) - 1n) && dod <= 1n << BigInt(n - 1);
      if (dod === 0n) out += "0";
      else if (inRange(14)) out += "10" + bin(dod, 14);
      else if (inRange(17)) out += "110" + bin(dod, 17);
      else if (inRange(20)) out += "1110" + bin(dod, 20);
      else out += "1111" + bin(dod & M64, 64);
    }
    prevDelta = delta;
    const x = bits64(i) ^ bits64(i - 1);
    if (x === 0n) {
      out += "0";
      continue;
    }
    const lz = Math.min(31, clz(x));
    const tz = ctz(x);
    if (lead >= 0 && lz >= lead && tz >= trail) {
      out += "10" + bin(x >> BigInt(trail), 64 - lead - trail);
    } else {
      lead = lz;
      trail = tz;
      out += "11" + bin(BigInt(lz), 5) + bin(BigInt(64 - lz - tz), 6) + bin(x >> BigInt(tz), 64 - lz - tz);
    }
  }
  out = out.padEnd(Math.ceil(out.length / 8) * 8, "0");
  let h = "";
  for (let i = 0; i < out.length; i += 8) h += parseInt(out.slice(i, i + 8), 2).toString(16).padStart(2, "0");
  return h;
}

function bitString(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(2).padStart(8, "0")).join("");
}

/** Values that stress the XOR coder: specials, denormals, all-bits-different pairs. */
const SPECIALS: (number | Bits)[] = [
  0,
  -0,
  1,
  -1,
  Infinity,
  -Infinity,
  NaN,
  STALE,
  GO_NAN_BITS,
  [0x7ff00000, 0x00000001], // smallest signalling NaN payload
  [0xfff80000, 0], // negative quiet NaN
  [0x7fffffff, 0xffffffff], // NaN with every payload bit set
  [0xffffffff, 0xffffffff], // negative NaN, every bit set
  5e-324, // smallest denormal
  [0x000fffff, 0xffffffff], // largest denormal
  [0x80000000, 0x00000001], // negative smallest denormal
  2.2250738585072014e-308, // smallest normal
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  [0x00000000, 0x80000000],
  [0x00000001, 0x00000000],
  [0x55555555, 0x55555555],
  [0xaaaaaaaa, 0xaaaaaaaa],
  0.1,
  0.30000000000000004,
  123456789.125,
];

// --- format ------------------------------------------------------------------------------

describe("XOR chunk format", () => {
  it("encodes a hand-computed chunk to the expected bytes", () => {
    // t: 1000, 2000, 3000, 4001, 5002   v: 1, 1, 3, 2, 2
    //
    // 00 05                     sample count, u16 BE
    // d0 0f                     t0 = 1000, zigzag 2000 = 0b1111_1010000 -> LEB128 0x80|0x50, 0x0f
    // 3f f0 00 00 00 00 00 00   v0 = 1.0
    // e8 07                     t1 - t0 = 1000 = 0b111_1101000 -> LEB128 0x80|0x68, 0x07
    // then the bit stream:
    //   s1 value   0                          1 xor 1 = 0
    //   s2 dod     0                          1000 - 1000
    //   s2 value   11 00001 001100 111111111111
    //              3.0 ^ 1.0 = 0x7ff8000000000000: 1 leading zero, 51 trailing, 12 bits 0xfff,
    //              no window yet so '11' + lz(5) + m(6) + bits
    //   s3 dod     10 00000000000001          1001 - 1000 = +1, '10' + 14 bits
    //   s3 value   10 000000000001            2.0 ^ 3.0 = 0x0008000000000000: lz 12 >= 1,
    //              tz 51 >= 51, so reuse the window: '10' + 12 bits of x >> 51 = 1
    //   s4 dod     0                          1001 - 1001
    //   s4 value   0                          2 xor 2 = 0
    //   pad        00000                      59 bits -> 8 bytes
    // bytes: 00110000 10011001 11111111 11110000 00000000 00110000 00000000 10000000
    //        = 30 99 ff f0 00 30 00 80
    const ts = [1000, 2000, 3000, 4001, 5002];
    const data = encode(ts, vals(1, 1, 3, 2, 2));
    expect(hex(data)).toBe("0005" + "d00f" + "3ff0000000000000" + "e807" + "3099fff000300080");
    expect(hex(data)).toBe(refEncode(ts, vals(1, 1, 3, 2, 2)));
    expectRoundTrip(ts, vals(1, 1, 3, 2, 2));
  });

  it("encodes a negative first timestamp and NaN payloads to the expected bytes", () => {
    // t: -1, 14999   v: staleness marker, Go NaN
    // 00 02                     count
    // 01                        zigzag(-1) = 1
    // 7f f0 00 00 00 00 00 02   staleness marker bits
    // 98 75                     15000 = 117 * 128 + 24 -> 0x80|0x18, 0x75
    // 0x7ff8000000000001 ^ 0x7ff0000000000002 = 0x0008000000000003: lz 12, tz 0, m 52
    //   11 01100 110100 | 1 + 49 zeros + 11 | 7 pad bits
    //   11011001 10100100 00000000 x5 00000001 10000000 = d9 a4 00 00 00 00 00 01 80
    const data = encode([-1, 14999], vals(STALE, GO_NAN_BITS));
    expect(hex(data)).toBe("0002" + "01" + "7ff0000000000002" + "9875" + "d9a4" + "0000000000" + "0180");
    expectRoundTrip([-1, 14999], vals(STALE, GO_NAN_BITS));
  });

  it("matches chunks produced by Prometheus's Go encoder", () => {
    // Generated by Go chunkenc (SINTEF/rusty-chunkenc golang-tests/test.json):
    // t = 1234123324 + i, v = 123535.123 + i, i = 0..9.
    const ts = Array.from({ length: 10 }, (_, i) => 1234123324 + i);
    const vs = Float64Array.from({ length: 10 }, (_, i) => 123535.123 + i);
    const data = encode(ts, vs);
    expect(Buffer.from(data).toString("base64").replace(/=+$/, "")).toBe("AAr46PmYCUD+KPH3ztkXAe4v0FDQUdBQ0FPA");
    expectRoundTrip(ts, vs);
    // One sample at t = 7200000, v = 12000 (from the same project's tests).
    expect(hex(encode([7200000], vals(12000)))).toBe("000180f4ee0640c7700000000000");
  });

  it("decodes chunks with the extra zero byte of Prometheus < 3.0 (prometheus#14854)", () => {
    const d = decodeXor(Buffer.from("000180f4ee0640c770000000000000", "hex"));
    expect(Array.from(d.t)).toEqual([7200000]);
    expect(Array.from(d.v)).toEqual([12000]);
  });

  it("writes an empty chunk as a zero count", () => {
    const a = new XorAppender();
    expect(hex(a.bytes())).toBe("0000");
    expect(a.byteLength).toBe(2);
    expect(a.numSamples).toBe(0);
    expect(a.minT).toBe(Infinity);
    expect(a.maxT).toBe(-Infinity);
    const d = decodeXor(a.bytes());
    expect(d.t.length).toBe(0);
    expect(new XorIterator(a.bytes()).next()).toBe(false);
    const sink = new XorSampleBuffer();
    expect(decodeXorRange(a.bytes(), -Infinity, Infinity, sink)).toBe(0);
  });

  it("prefixes a tag byte to the copy when asked, mid-chunk and after further appends", () => {
    const a = new XorAppender(32);
    for (let i = 0; i < 37; i++) {
      a.append(1000 + i * 15_000 + (i % 3), i * 1.5);
      const plain = a.bytes();
      const tagged = a.bytes(0xab);
      expect(tagged[0]).toBe(0xab);
      expect(hex(tagged.subarray(1))).toBe(hex(plain));
    }
    expect(hex(new XorAppender().bytes(1))).toBe("010000");
  });

  it("uses each delta-of-delta bucket up to its boundary, on both sides", () => {
    // [dod, prefix, field width]
    const cases: [number, string, number][] = [
      [0, "0", 0],
      [1, "10", 14],
      [-1, "10", 14],
      [8192, "10", 14],
      [8193, "110", 17],
      [-8191, "10", 14],
      [-8192, "110", 17],
      [65536, "110", 17],
      [65537, "1110", 20],
      [-65535, "110", 17],
      [-65536, "1110", 20],
      [524288, "1110", 20],
      [524289, "1111", 64],
      [-524287, "1110", 20],
      [-524288, "1111", 64],
      [2 ** 40 + 3, "1111", 64],
      [-(2 ** 40 + 3), "1111", 64],
    ];
    for (const [dod, prefix, width] of cases) {
      const t1 = 2 ** 42;
      const ts = [0, t1, 2 * t1 + dod];
      const data = expectRoundTrip(ts, vals(7, 7, 7));
      expect(hex(data)).toBe(refEncode(ts, vals(7, 7, 7)));
      // Bits: 16 count + 8 (varint 0) + 64 value + 56 (uvarint 2^42: 43 bits in 7 bytes) + 1 value bit.
      const bits = bitString(data);
      const at = 16 + 8 + 64 + 56 + 1;
      expect(bits.slice(at, at + prefix.length), `dod ${dod}`).toBe(prefix);
      if (width > 0) {
        const field = BigInt("0b" + bits.slice(at + prefix.length, at + prefix.length + width));
        const expected = BigInt.asUintN(width, BigInt(dod));
        expect(field, `dod ${dod}`).toBe(expected);
      }
      expect(bits.slice(at + prefix.length + width, at + prefix.length + width + 1)).toBe("0");
    }
  });

  it("round-trips 1 and 2 samples", () => {
    expectRoundTrip([5], vals(3.25));
    expectRoundTrip([-7], vals(STALE));
    expectRoundTrip([5, 6], vals(3.25, -0));
    expectRoundTrip([0, 2 ** 40], vals(NaN, NaN));
    expectRoundTrip([0, 1], vals(STALE, GO_NAN_BITS));
  });

  it("round-trips negative, > 2^32 and near-2^53 timestamps", () => {
    const M = Number.MAX_SAFE_INTEGER;
    for (const ts of [
      [-(2 ** 32), -(2 ** 32) + 1, -1, 0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 15000],
      [-M, 0, M],
      [-M, -M + 1, -M + 3],
      [M - 2, M - 1, M],
      [-(2 ** 31), 2 ** 31, 2 ** 33, 2 ** 52],
      [1735689600000, 1735689615000, 1735689630001, 1735689644999],
    ]) {
      const vs = Float64Array.from(ts, (_, i) => i * 1.5);
      const data = expectRoundTrip(ts, vs);
      expect(hex(data)).toBe(refEncode(ts, vs));
    }
  });

  it("round-trips special values bit-exactly, in every order", () => {
    const ts: number[] = [];
    const vs = new Float64Array(2 * SPECIALS.length ** 2);
    let t = 1_000;
    for (const a of SPECIALS) {
      for (const b of SPECIALS) {
        setValue(vs, ts.length, a);
        setValue(vs, ts.length + 1, b);
        ts.push(t, t + 15_000);
        t += 30_000;
      }
    }
    expect(allBits(vs)).toContain("7ff0000000000002");
    const data = expectRoundTrip(ts, vs);
    expect(hex(data)).toBe(refEncode(ts, vs));
  });

  it("round-trips identical values and a long constant run", () => {
    const ts = Array.from({ length: 1000 }, (_, i) => i * 15_000);
    const data = expectRoundTrip(ts, new Float64Array(ts.length).fill(42.5));
    // 2 + 1 + 8 + 3 (varint 15000 is 2 bytes, + value bit) + 998 * 2 bits -> 262 bytes.
    expect(data.length).toBe(2 + 1 + 8 + 2 + Math.ceil((1 + 998 * 2) / 8));
  });

  it("matches the reference encoder on random data", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 300);
      const ts: number[] = [];
      const vs = new Float64Array(n);
      let t = Math.floor((r() - 0.5) * 2 ** 45);
      let v: number | Bits = r() * 1000;
      for (let i = 0; i < n; i++) {
        ts.push(t);
        setValue(vs, i, v);
        const step = r();
        t +=
          step < 0.5 ? 15_000 : step < 0.8 ? 15_000 + Math.floor(r() * 5) : step < 0.95 ? 1 + Math.floor(r() * 2e6) : Math.floor(r() * 2 ** 42) + 1;
        const k = r();
        const prev: number = vs[i]!;
        v =
          k < 0.3 ? v : k < 0.5 ? prev + Math.floor(r() * 100) : k < 0.7 ? Math.round(r() * 1e5) / 100 : k < 0.9 ? r() * 1e9 : SPECIALS[Math.floor(r() * SPECIALS.length)]!;
      }
      const data = expectRoundTrip(ts, vs);
      expect(hex(data), `seed ${seed}`).toBe(refEncode(ts, vs));
    }
  });

  it("holds 65535 samples and refuses the next one", () => {
    const a = new XorAppender();
    const r = rng(7);
    const ts: number[] = [];
    const vs = new Float64Array(MAX_SAMPLES_PER_CHUNK);
    for (let i = 0; i < MAX_SAMPLES_PER_CHUNK; i++) {
      const t = 1735689600000 + i * 15_000 + (r() < 0.1 ? 1 : 0);
      const v = r() < 0.5 ? i : r();
      a.append(t, v);
      ts.push(t);
      vs[i] = v;
    }
    expect(a.numSamples).toBe(65535);
    expect(() => a.append(ts[ts.length - 1]! + 15_000, 1)).toThrow(/full/);
    const data = a.bytes();
    expect(hex(data.subarray(0, 2))).toBe("ffff");
    const d = decodeXor(data);
    expect(d.t.length).toBe(65535);
    expect(Array.from(d.t)).toEqual(ts);
    expect(d.v).toEqual(vs);
    expect(hex(data)).toBe(refEncode(ts, vs));
  });
});

// --- appender ----------------------------------------------------------------------------

describe("XorAppender", () => {
  it("tracks minT, maxT, lastValue and byteLength", () => {
    const a = new XorAppender(1);
    a.append(-5, 1);
    a.append(10, STALE_NAN);
    expect(a.minT).toBe(-5);
    expect(a.maxT).toBe(10);
    expect(bitsOf(a.lastValue)).toBe("7ff0000000000002");
    expect(a.byteLength).toBe(a.bytes().length);
    a.append(2 ** 40, -0);
    expect(Object.is(a.lastValue, -0)).toBe(true);
    expect(a.maxT).toBe(2 ** 40);
  });

  it("keeps encoding correctly after bytes(), and earlier snapshots stay unchanged", () => {
    const r = rng(3);
    const a = new XorAppender(4);
    const ts: number[] = [];
    const vs = new Float64Array(500);
    const snapshots: [Uint8Array, string, number][] = [];
    for (let i = 0; i < 500; i++) {
      ts.push(i * 15_000 + (r() < 0.3 ? Math.floor(r() * 3) : 0));
      vs[i] = r() < 0.5 ? Math.floor(i / 10) : r();
      a.append(ts[i]!, vs[i]!);
      if (i % 37 === 0 || i < 4) {
        const b = a.bytes();
        expect(b.length).toBe(a.byteLength);
        snapshots.push([b, hex(b), i + 1]);
      }
    }
    for (const [b, h, n] of snapshots) {
      expect(hex(b)).toBe(h); // not aliased to the live buffer
      expect(h).toBe(refEncode(ts.slice(0, n), vs.slice(0, n)));
      expect(Array.from(decodeXor(b).t)).toEqual(ts.slice(0, n));
    }
    expect(hex(a.bytes())).toBe(refEncode(ts, vs));
  });

  it("appendBits carries exact bit patterns, signed or unsigned halves", () => {
    const a = new XorAppender();
    a.appendBits(0, 0x7ff00000, 2);
    a.appendBits(1, 0xfff80000 | 0, 1); // signed high word
    a.appendBits(2, 0xfff80000, 1); // same, unsigned
    a.appendBits(3, 0x80000000, 0); // -0
    const d = decodeXor(a.bytes());
    expect([0, 1, 2, 3].map((i) => bitsAt(d.v, i))).toEqual([
      "7ff0000000000002",
      "fff8000000000001",
      "fff8000000000001",
      "8000000000000000",
    ]);
    expect(hex(a.bytes())).toBe(hex(encode([0, 1, 2, 3], vals(STALE, [0xfff80000, 1], [0xfff80000, 1], -0))));
  });

  it("rejects timestamps that are not increasing safe integers, without corrupting the chunk", () => {
    const a = new XorAppender();
    expect(() => a.append(0.5, 1)).toThrow(RangeError);
    expect(() => a.append(2 ** 53, 1)).toThrow(RangeError);
    expect(() => a.append(NaN, 1)).toThrow(RangeError);
    a.append(1000, 1);
    a.append(2000, 2);
    expect(() => a.append(2000, 3)).toThrow(RangeError);
    expect(() => a.append(1999, 3)).toThrow(RangeError);
    expect(() => a.append(3000.5, 3)).toThrow(RangeError);
    expect(() => a.append(3000 + 2 ** 40 + 0.5, 3)).toThrow(RangeError);
    expect(() => a.append(Infinity, 3)).toThrow(RangeError);
    expect(() => a.append(NaN, 3)).toThrow(RangeError);
    const b = new XorAppender();
    b.append(-Number.MAX_SAFE_INTEGER, 1);
    expect(() => b.append(Number.MAX_SAFE_INTEGER, 1)).toThrow(RangeError); // delta 2^54 - 2
    a.append(3000, 3);
    expect(hex(a.bytes())).toBe(refEncode([1000, 2000, 3000], vals(1, 2, 3)));
  });
});

// --- decoding ----------------------------------------------------------------------------

describe("decodeXorRange", () => {
  const ts = Array.from({ length: 50 }, (_, i) => 1000 + i * 100);
  const vs = vals(...ts.map((t, i) => (i % 7 === 3 ? STALE : t / 7)));
  const data = encode(ts, vs);

  function range(mint: number, maxt: number): number[] {
    const sink = new XorSampleBuffer(1);
    const n = decodeXorRange(data, mint, maxt, sink);
    expect(sink.length).toBe(n);
    for (let i = 0; i < n; i++) expect(bitsAt(sink.v, i)).toBe(bitsAt(vs, ts.indexOf(sink.t[i]!)));
    return Array.from(sink.t.subarray(0, n));
  }

  it("includes both boundaries", () => {
    expect(range(1000, 1000)).toEqual([1000]);
    expect(range(1100, 1300)).toEqual([1100, 1200, 1300]);
    expect(range(1099, 1301)).toEqual([1100, 1200, 1300]);
    expect(range(1101, 1299)).toEqual([1200]);
    expect(range(5900, 5900)).toEqual([5900]);
    expect(range(-Infinity, Infinity)).toEqual(ts);
  });

  it("returns nothing outside the chunk or between samples", () => {
    expect(range(0, 999)).toEqual([]);
    expect(range(5901, 10_000)).toEqual([]);
    expect(range(1101, 1199)).toEqual([]);
    expect(range(2000, 1000)).toEqual([]);
  });

  it("appends after what the sink already holds, and accepts any growable sink", () => {
    const sink = new XorSampleBuffer(2);
    decodeXorRange(data, 1000, 1100, sink);
    decodeXorRange(data, 5800, 5900, sink);
    expect(Array.from(sink.t.subarray(0, sink.length))).toEqual([1000, 1100, 5800, 5900]);
    // A structural sink, like the head's SampleSink, whose `v` is a view at an offset.
    const backing = new Float64Array(200);
    const other = {
      t: new Float64Array(100),
      v: backing.subarray(100),
      length: 0,
      reserve(extra: number) {
        if (this.length + extra > this.t.length) throw new Error("test sink too small");
      },
    };
    decodeXorRange(data, 1200, 1400, other);
    expect(other.length).toBe(3);
    expect(bitsAt(backing, 100 + 1)).toBe("7ff0000000000002"); // staleness marker at t = 1300
    expect(backing[0]).toBe(0);
  });

  it("stops at the first sample after maxt, so it never reads further", () => {
    // Truncate the chunk right after sample 10 while keeping its count of 50: a full decode
    // must fail, a range decode ending at sample 9 must not notice.
    const a = new XorAppender();
    for (let i = 0; i <= 10; i++) a.append(ts[i]!, vs[i]!);
    const cut = data.slice(0, a.byteLength);
    expect(() => decodeXor(cut)).toThrow(/truncated/);
    const sink = new XorSampleBuffer();
    decodeXorRange(cut, 1500, ts[9]!, sink);
    expect(Array.from(sink.t.subarray(0, sink.length))).toEqual([1500, 1600, 1700, 1800, 1900]);
    const it = new XorIterator(cut);
    let n = 0;
    expect(() => {
      while (it.next()) n++;
    }).toThrow(/truncated/);
    expect(n).toBe(11);
  });
});

describe("NaN payloads", () => {
  it("keep the staleness marker distinct from NaN through every path", () => {
    // Run enough samples for the hot paths to be optimized by the JIT.
    const n = 20_000;
    const a = new XorAppender();
    const want: string[] = [];
    for (let i = 0; i < n; i++) {
      const v = i % 3 === 0 ? STALE_NAN : i % 3 === 1 ? GO_NAN : i;
      a.append(i * 15_000, v);
      want.push(bitsOf(v));
    }
    expect(bitsOf(a.lastValue)).toBe(want[n - 1]);
    const data = a.bytes();
    const d = decodeXor(data);
    const sink = new XorSampleBuffer();
    decodeXorRange(data, -Infinity, Infinity, sink);
    const it = new XorIterator(data);
    for (let i = 0; i < n; i++) {
      expect(it.next()).toBe(true);
      if (bitsAt(d.v, i) !== want[i] || bitsAt(sink.v, i) !== want[i] || bitsOf(it.v) !== want[i]) {
        throw new Error(`sample ${i}: payload changed`);
      }
    }
    expect(bitsAt(d.v, 0)).toBe("7ff0000000000002");
    expect(bitsAt(d.v, 1)).toBe("7ff8000000000001");
  });

  it("(documents why the decoders avoid number[]: V8 quiets a signalling NaN stored in one)", () => {
    const arr: number[] = [1.5];
    arr.push(STALE_NAN);
    // 0x7ff0000000000002 becomes 0x7ff8000000000002. If this ever starts failing, plain arrays
    // became safe; the typed paths stay correct either way.
    expect(bitsOf(arr[1]!)).not.toBe("7ff0000000000002");
    expect(bitsOf(STALE_NAN)).toBe("7ff0000000000002");
  });
});

// --- synthetic data ----------------------------------------------------------------------

describe("synthetic fleet (bench/data/synthetic)", () => {
  const series = syntheticSeries({ series: 1000 });

  it("is deterministic and seed-dependent", () => {
    const again = syntheticSeries({ series: 1000 });
    expect(again.map((s) => s.labels)).toEqual(series.map((s) => s.labels));
    for (const i of [0, 17, 61, 999]) {
      expect(Array.from(syntheticValues(again[i]!, 100))).toEqual(Array.from(syntheticValues(series[i]!, 100)));
      expect(syntheticValue(series, i, 42)).toBe(syntheticValues(series[i]!, 43)[42]);
    }
    const other = syntheticSeries({ series: 1000, seed: 2 });
    const differs = other.some((s, i) => syntheticValues(s, 10)[9] !== syntheticValues(series[i]!, 10)[9]);
    expect(differs).toBe(true);
  });

  it("has sorted label sets of realistic size, unique per series", () => {
    const keys = new Set<string>();
    for (const s of series) {
      const names = s.labels.map((l) => l.name);
      expect(names).toEqual([...names].sort());
      expect(names[0]).toBe("__name__");
      expect(names).toContain("job");
      expect(names).toContain("instance");
      expect(s.labels.length).toBeGreaterThanOrEqual(5);
      expect(s.labels.length).toBeLessThanOrEqual(11);
      keys.add(JSON.stringify(s.labels));
    }
    expect(keys.size).toBe(series.length);
    const avg = series.reduce((n, s) => n + s.labels.length, 0) / series.length;
    expect(avg).toBeGreaterThan(5);
    expect(avg).toBeLessThan(10);
  });

  it("mixes value kinds with full-precision floats a minority", () => {
    const count = (k: string) => series.filter((s) => s.kind === k).length / series.length;
    expect(count("counter-int")).toBeGreaterThan(0.2);
    expect(count("counter-float")).toBeGreaterThan(0.1);
    expect(count("gauge-slow")).toBeGreaterThan(0.1);
    expect(count("gauge-const")).toBeGreaterThan(0.1);
    expect(count("histogram-bucket")).toBeGreaterThan(0.1);
    expect(count("float-full")).toBeGreaterThan(0.03);
    expect(count("float-full")).toBeLessThan(0.15);
  });

  it("produces monotonic counters and consistent histogram buckets", () => {
    for (const s of series) {
      if (s.kind !== "counter-int" && s.kind !== "counter-float" && s.kind !== "histogram-bucket") continue;
      const v = syntheticValues(s, 480);
      for (let j = 1; j < v.length; j++) if (!(v[j]! >= v[j - 1]!)) throw new Error(`${JSON.stringify(s.labels)} decreases`);
      if (s.kind === "counter-int" || s.kind === "histogram-bucket") expect(v.every(Number.isInteger)).toBe(true);
      if (s.kind === "counter-float") expect(v.every((x) => Number.isInteger(Math.round(x * 1000)) && Math.abs(x * 1000 - Math.round(x * 1000)) < 1e-3)).toBe(true);
    }
    // Buckets of one histogram are cumulative in le, and +Inf equals _count.
    const host0 = series.slice(0, SERIES_PER_HOST);
    const buckets = host0.filter((s) => s.kind === "histogram-bucket" && s.labels.some((l) => l.value === "/api/v1/query"));
    const count = host0.find((s) => s.labels.some((l) => l.value === "http_request_duration_seconds_count"))!;
    const vals = buckets.map((s) => syntheticValues(s, 100));
    for (let j = 0; j < 100; j++) for (let b = 1; b < vals.length; b++) expect(vals[b]![j]!).toBeGreaterThanOrEqual(vals[b - 1]![j]!);
    expect(Array.from(vals[vals.length - 1]!)).toEqual(Array.from(syntheticValues(count, 100)));
  });

  it("puts timestamps on the schedule, with per-target lateness when asked", () => {
    const opts = { jitterMs: 2 };
    const start = syntheticTimestamp(0, 0);
    expect(start % 15_000).toBe(0);
    expect(syntheticTimestamp(5, 3)).toBe(start + 45_000);
    let late = 0;
    for (let i = 0; i < 300; i += 7) {
      const ts = syntheticTimestamps(i, { ...opts, points: 200 });
      for (let j = 0; j < 200; j++) {
        const off = ts[j]! - (start + j * 15_000);
        expect(off).toBeGreaterThanOrEqual(0);
        expect(off).toBeLessThanOrEqual(2);
        if (off !== 0) late++;
        expect(ts[j]).toBe(syntheticTimestamp(i, j, opts));
      }
    }
    expect(late).toBeGreaterThan(0);
    // Series of the same target share their timestamps (one scrape, one timestamp).
    expect(syntheticTarget(0)).toBe(syntheticTarget(59));
    expect(syntheticTarget(59)).not.toBe(syntheticTarget(60));
    for (let j = 0; j < 50; j++) expect(syntheticTimestamp(0, j, opts)).toBe(syntheticTimestamp(59, j, opts));
    expect(series[60]!.target).toBe(syntheticTarget(60));
  });

  it("round-trips through the codec", () => {
    const ts = syntheticTimestamps(0, { jitterMs: 2 });
    for (const s of series.slice(0, 200)) {
      const v = syntheticValues(s, ts.length);
      const data = encode(Array.from(ts), v);
      const d = decodeXor(data);
      expect(d.t).toEqual(ts);
      expect(d.v).toEqual(v);
    }
  });
});
