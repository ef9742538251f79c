import { describe, expect, it } from "vitest";
import { DOD_MAX_EXPONENT, decodeDod, decodeDodRange, dodNumSamples, encodeDod } from "./dod";
import { MAX_SAMPLES_PER_CHUNK, XorSampleBuffer, type XorSink } from "./xor";
import { mulberry32 as rng } from "@/server/testing/random";

// --- helpers -----------------------------------------------------------------------------

/** The 64-bit patterns of a Float64Array (compares NaN payloads and -0 exactly). */
function bitsOf(a: Float64Array): bigint[] {
  return Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));
}

function f64(...xs: number[]): Float64Array {
  return Float64Array.from(xs);
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** Timestamps every 15 s from `start`. */
function schedule(n: number, start = 1_735_689_600_000, step = 15_000): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => start + i * step);
}

interface RefColumn {
  pred: number;
  mode: number;
  buckets: number;
  widths: number[];
  g: bigint;
  /** The residuals' u values, and the bits their codes take. */
  us: bigint[];
  codeBits: number;
}

/**
 * A deliberately naive reference decoder written straight from the layout in dod.ts's header
 * (BigInt and '0'/'1' strings, no shared code), so that the encoder's output is checked
 * against the documented format and not only against its own decoder. Stricter than the
 * codec: padding must be fewer than 8 zero bits.
 */
function refDecode(bytes: Uint8Array): { t: number[]; v: Float64Array; e: number; cols: RefColumn[] } {
  const bits = Array.from(bytes, (b) => b.toString(2).padStart(8, "0")).join("");
  let pos = 0;
  const take = (k: number): bigint => {
    if (pos + k > bits.length) throw new Error("ref: truncated");
    const s = bits.slice(pos, pos + k);
    pos += k;
    return k === 0 ? 0n : BigInt("0b" + s);
  };
  const uvarint = (): bigint => {
    let x = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = take(8);
      x |= (b & 0x7fn) << shift;
      if ((b & 0x80n) === 0n) return x;
    }
  };
  const unzigzag = (z: bigint): bigint => ((z & 1n) === 1n ? -((z + 1n) >> 1n) : z >> 1n);
  const varint = (): bigint => unzigzag(uvarint());
  const column = (n: number): { xs: bigint[]; info: RefColumn } => {
    const desc = Number(take(8));
    const info: RefColumn = { pred: desc >> 6, mode: (desc >> 5) & 1, buckets: ((desc >> 3) & 3) + 1, widths: [], g: 1n, us: [], codeBits: 0 };
    if ((desc & 7) !== 0) throw new Error("ref: reserved bits");
    const { pred, mode } = info;
    const xs: bigint[] = [];
    let x0 = 0n;
    let second = 0n;
    if (pred >= 1) {
      x0 = varint();
      xs.push(x0);
      if (n >= 2 && pred >= 2) second = varint();
      if (n >= 2 && pred === 2) xs.push(x0 + second);
    }
    const first = pred === 3 ? 1 : pred;
    if (n > first) {
      const g = uvarint();
      const base = mode === 1 ? varint() : 0n;
      info.g = g;
      const lens: number[] = [];
      for (let j = 0; j < info.buckets; j++) {
        const b = Number(take(8));
        lens.push(b >> 6);
        info.widths.push(b & 63);
      }
      // Canonical codes in order of (length, bucket index).
      const codes = new Map<string, number>();
      let code = 0;
      for (let len = info.buckets === 1 ? 0 : 1; len <= 3; len++) {
        for (let j = 0; j < info.buckets; j++) {
          if (lens[j] !== len) continue;
          codes.set(len === 0 ? "" : code.toString(2).padStart(len, "0"), info.widths[j]!);
          code++;
        }
        code <<= 1;
      }
      const codeStart = pos;
      for (let i = first; i < n; i++) {
        let prefix = "";
        while (!codes.has(prefix)) {
          if (prefix.length >= 3 || pos >= bits.length) throw new Error("ref: bad prefix");
          prefix += bits[pos++];
        }
        const u = take(codes.get(prefix)!);
        info.us.push(u);
        const r = mode === 1 ? u * g + base : unzigzag(u) * g;
        if (pred === 0) xs.push(r);
        else if (pred === 1) xs.push(xs[i - 1]! + r);
        else if (pred === 2) xs.push(2n * xs[i - 1]! - xs[i - 2]! + r);
        else xs.push(x0 + BigInt(i) * second + r);
      }
      info.codeBits = pos - codeStart;
    }
    return { xs, info };
  };
  const n = Number(uvarint());
  if (n === 0) {
    if (bits.length !== 8) throw new Error("ref: trailing data");
    return { t: [], v: new Float64Array(0), e: 0, cols: [] };
  }
  const T = column(n);
  const e = Number(take(8));
  const K = column(n);
  const rest = bits.slice(pos);
  if (rest.length >= 8 || rest.includes("1")) throw new Error(`ref: trailing data ${rest}`);
  return { t: T.xs.map(Number), v: Float64Array.from(K.xs, (k) => Number(k) / 10 ** e), e, cols: [T.info, K.info] };
}

function expectSameBits(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  const a = bitsOf(got);
  const b = bitsOf(want);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) throw new Error(`${what}: sample ${i}: ${got[i]} (0x${a[i]!.toString(16)}) != ${want[i]} (0x${b[i]!.toString(16)})`);
  }
}

function expectSameTimes(got: ArrayLike<number>, want: Float64Array, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) throw new Error(`${what}: timestamp ${i}: ${got[i]} != ${want[i]}`);
  }
}

/**
 * decodeDodRange over sub-ranges starting and ending at, and between, various samples (so
 * the predictor runs past unwritten samples), appended after samples already in the sink.
 */
function expectSubRanges(data: Uint8Array, t: Float64Array, v: Float64Array): void {
  const n = t.length;
  const cuts = [...new Set([0, 1, 2, 3, n >> 1, n - 2, n - 1].filter((i) => i >= 0 && i < n))];
  for (const lo of cuts) {
    for (const hi of cuts) {
      if (hi < lo) continue;
      for (const between of [false, true]) {
        const mint = between && lo > 0 ? t[lo - 1]! + 1 : t[lo]!;
        const maxt = between && hi < n - 1 ? t[hi + 1]! - 1 : t[hi]!;
        const sink = new XorSampleBuffer(1);
        sink.reserve(3);
        sink.t.set([-3, -2, -1]);
        sink.length = 3;
        const what = `range [${lo}, ${hi}]${between ? " between samples" : ""}`;
        expect(decodeDodRange(data, mint, maxt, sink), what).toBe(hi - lo + 1);
        expectSameTimes(sink.t.subarray(3, sink.length), t.subarray(lo, hi + 1), `${what} t`);
        expectSameBits(sink.v.subarray(3, sink.length), v.subarray(lo, hi + 1), `${what} v`);
      }
    }
  }
}

/** Encodes, checks every decoder (and the reference) against the input, returns the chunk. */
function roundTrip(t: Float64Array, v: Float64Array): { data: Uint8Array; cols: RefColumn[]; e: number } {
  const data = encodeDod(t, v, t.length);
  expect(data, "encodeDod applies").not.toBeNull();
  expect(dodNumSamples(data!)).toBe(t.length);
  const d = decodeDod(data!);
  expectSameTimes(d.t, t, "decodeDod t");
  expectSameBits(d.v, v, "decodeDod v");
  const sink = new XorSampleBuffer(1);
  expect(decodeDodRange(data!, -Infinity, Infinity, sink)).toBe(t.length);
  expectSameTimes(sink.t.subarray(0, sink.length), t, "range t");
  expectSameBits(sink.v.subarray(0, sink.length), v, "range v");
  expectSubRanges(data!, t, v);
  const ref = refDecode(data!);
  expectSameTimes(ref.t, t, "reference t");
  expectSameBits(ref.v, v, "reference v");
  return { data: data!, cols: ref.cols, e: ref.e };
}

// --- format ------------------------------------------------------------------------------

describe("dod chunk format", () => {
  it("encodes a chunk of equal residuals to the expected bytes", () => {
    // t: 1000, 2000, 3000   v: 1.5, 2.5, 4  -> e = 1, k = 15, 25, 40
    //   03                    n
    //   timestamps: deltas all 1000 -> DELTA, FOR, one bucket of width 0: no residual bits
    //   60                    predictor 1 << 6 | FOR 1 << 5 | (1 bucket - 1) << 3
    //   d0 0f                 x_0 = 1000, zigzag 2000 = 0b1111_1010000 -> 0x80|0x50, 0x0f
    //   01                    g = 1
    //   d0 0f                 base = 1000
    //   00                    bucket 0: code length 0, width 0
    //   01                    e = 1
    //   values: deltas 10, 15 -> one delta of deltas, 5: DOD, FOR, one bucket of width 0
    //   a0                    predictor 2 << 6 | FOR 1 << 5
    //   1e 14                 x_0 = 15 (zigzag 30), x_1 - x_0 = 10 (zigzag 20)
    //   01 0a 00              g = 1, base = 5 (zigzag 10), bucket: length 0, width 0
    const data = encodeDod(f64(1000, 2000, 3000), f64(1.5, 2.5, 4), 3)!;
    expect(hex(data)).toBe("03" + "60d00f01d00f00" + "01" + "a01e14010a00");
    roundTrip(f64(1000, 2000, 3000), f64(1.5, 2.5, 4));
  });

  it("encodes residual bits with canonical bucket prefixes to the expected bytes", () => {
    // t: 0, 15000, ..., 60000   v: 5, 5, 6, 5, 7 (e = 0)
    //   05                    n
    //   60 00 01 b0ea01 00    DELTA/FOR, x_0 = 0, g = 1, base = 15000 (zigzag 30000), 1 bucket w 0
    //   00                    e = 0
    //   values: RAW/FOR is smallest: u = v - 5 = 0, 0, 1, 0, 2 in 2 buckets {width 0, width 2}
    //   28                    predictor 0 | FOR 1 << 5 | (2 buckets - 1) << 3
    //   01 0a                 g = 1, base = 5
    //   40 42                 bucket 0: code length 1, width 0; bucket 1: code length 1, width 2
    //   residuals: 0 | 0 | 1 01 | 0 | 1 10  = 001010110 + 7 padding bits = 2b 00
    const data = encodeDod(schedule(5, 0), f64(5, 5, 6, 5, 7), 5)!;
    expect(hex(data)).toBe("05" + "600001b0ea0100" + "00" + "28010a40422b00");
    roundTrip(schedule(5, 0), f64(5, 5, 6, 5, 7));
  });

  it("writes an empty chunk as a zero count", () => {
    const data = encodeDod(new Float64Array(0), new Float64Array(0), 0)!;
    expect(hex(data)).toBe("00");
    expect(dodNumSamples(data)).toBe(0);
    expect(decodeDod(data).t.length).toBe(0);
    expect(decodeDodRange(data, -Infinity, Infinity, new XorSampleBuffer())).toBe(0);
  });

  it("decodes a zero-width bucket under every predictor", () => {
    // The encoder writes equal residuals only as RAW, DELTA or DOD; the format allows all.
    // n = 4; timestamps: DELTA/FOR, x_0 = 1000 (zigzag 2000 = d0 0f), g 1, base 5 (zigzag 10),
    // one bucket of width 0 -> 1000, 1005, 1010, 1015; e = 0; then the values column.
    const head = "04" + "60d00f010a00" + "00";
    const cases: [string, number[]][] = [
      // RAW/FOR: g 1, base 1000 for every sample.
      ["2001d00f00", [1000, 1000, 1000, 1000]],
      // DELTA/ZZ: x_0 = 1000, g 1: residuals 0.
      ["40d00f0100", [1000, 1000, 1000, 1000]],
      // DOD/FOR: x_0 = 1000, x_1 - x_0 = 5, g 1, base 1 (zigzag 2): deltas 5, 6, 7.
      ["a0d00f0a010200", [1000, 1005, 1011, 1018]],
      // DOD/ZZ: x_0 = 1000, x_1 - x_0 = -3 (zigzag 5), g 1: residuals 0, deltas stay -3.
      ["80d00f050100", [1000, 997, 994, 991]],
      // LINEAR/FOR: x_0 = 1000, S = 10 (zigzag 20 = 14), g 1, base -1 (zigzag 1): x_0 + 10i - 1.
      ["e0d00f14010100", [1000, 1009, 1019, 1029]],
    ];
    for (const [column, want] of cases) {
      const data = Buffer.from(head + column, "hex");
      const d = decodeDod(data);
      expect(Array.from(d.t), column).toEqual([1000, 1005, 1010, 1015]);
      expect(Array.from(d.v), column).toEqual(want);
      expect(Array.from(refDecode(data).v), column).toEqual(want);
      for (let lo = 0; lo < 4; lo++) {
        for (let hi = lo; hi < 4; hi++) {
          const sink = new XorSampleBuffer();
          decodeDodRange(data, 1000 + 5 * lo, 1000 + 5 * hi, sink);
          expect(Array.from(sink.v.subarray(0, sink.length)), `${column} [${lo}, ${hi}]`).toEqual(want.slice(lo, hi + 1));
        }
      }
    }
  });

  it("costs only the header for on-schedule timestamps and a constant", () => {
    const n = 480;
    const { data, cols } = roundTrip(schedule(n), new Float64Array(n).fill(1048576));
    expect(cols[0]).toMatchObject({ pred: 1, buckets: 1, widths: [0] });
    expect(cols[1]).toMatchObject({ pred: 0, buckets: 1, widths: [0] });
    // n: 2; timestamps: descriptor 1, x_0 6, g 1, base 15000 3, bucket 1; e: 1;
    // values: descriptor 1, g 1, base 2^20 (zigzag 2^21: 4 bytes), bucket 1.
    expect(data.length).toBe(22);
  });

  it("codes scrape lateness without drift as the distance from the schedule", () => {
    const r = rng(3);
    const n = 480;
    const t = Float64Array.from(schedule(n), (x) => x + Math.floor(r() * 3));
    const { data, cols } = roundTrip(t, new Float64Array(n).fill(1));
    expect(cols[0]!.pred).toBe(3); // LINEAR
    // Lateness 0..2 ms takes 2 bits, against 16 bits per late scrape in XOR.
    expect(data.length).toBeLessThan(30 + (2 * n) / 8);
  });

  it("finds the smallest exponent, from 0 to 12", () => {
    for (let e = 0; e <= DOD_MAX_EXPONENT; e++) {
      const k = [1, -7, 123456789, 0, 31];
      const v = Float64Array.from(k, (x) => x / 10 ** e);
      const got = roundTrip(schedule(k.length), v);
      // k / 10^e with k not a multiple of 10 needs exactly e decimals.
      expect(got.e, `e = ${e}`).toBe(e);
    }
    expect(roundTrip(schedule(3), f64(0.5, 0.25, 0.125)).e).toBe(3);
    expect(roundTrip(schedule(2), f64(1e-12, 2e-12)).e).toBe(12);
    expect(roundTrip(schedule(2), f64(1e15, -1e15)).e).toBe(0);
    expect(roundTrip(schedule(2), f64(0.1, 1e-3)).e).toBe(3);
  });

  it("divides residuals by their GCD", () => {
    const r = rng(9);
    const n = 200;
    const v = new Float64Array(n);
    let pages = 250_000;
    for (let i = 0; i < n; i++) {
      pages += Math.round((r() - 0.5) * 600);
      v[i] = pages * 4096;
    }
    const { cols } = roundTrip(schedule(n), v);
    expect(cols[1]!.g % 4096n).toBe(0n);
  });
});

// --- applicability -----------------------------------------------------------------------

describe("encodeDod applicability", () => {
  const t = schedule(3);
  const fromBits = (hi: number, lo: number) => {
    const a = new Float64Array(1);
    const w = new Uint32Array(a.buffer);
    w[1] = hi;
    w[0] = lo;
    return a;
  };

  it("returns null for NaN of any payload, ±Inf and -0", () => {
    const stale = fromBits(0x7ff00000, 2); // Prometheus's staleness marker
    const goNaN = fromBits(0x7ff80000, 1);
    for (const bad of [stale, goNaN, f64(NaN), f64(Infinity), f64(-Infinity), f64(-0)]) {
      const v = f64(1, 2, 3);
      v.set(bad, 1);
      expect(encodeDod(t, v, 3), bitsOf(bad)[0]!.toString(16)).toBeNull();
    }
    // +0 is fine.
    expect(roundTrip(t, f64(0, 0, 1)).e).toBe(0);
  });

  it("returns null for more than 12 decimals or more than 2^53 - 1 units", () => {
    expect(encodeDod(t, f64(1, 1e-13, 2), 3)).toBeNull();
    expect(encodeDod(t, f64(0.1, 0.30000000000000004, 2), 3)).toBeNull();
    expect(encodeDod(t, f64(1, Math.PI, 2), 3)).toBeNull();
    expect(encodeDod(t, f64(1, 2 ** 53, 2), 3)).toBeNull();
    expect(encodeDod(t, f64(1, -(2 ** 53), 2), 3)).toBeNull();
    expect(encodeDod(t, f64(1e300, 1, 2), 3)).toBeNull();
    expect(encodeDod(t, f64(5e-324, 1, 2), 3)).toBeNull();
    // 3 decimals, but 2^53 units of the last one; one unit less is fine.
    expect(encodeDod(t, f64(9007199254740.992, 0, 1), 3)).toBeNull();
    expect(roundTrip(t, f64(9007199254740.99, 0, 1)).e).toBe(2);
    // The largest safe integers are fine, as deltas (RAW would exceed 2^52).
    const { cols } = roundTrip(t, f64(2 ** 53 - 1, 2 ** 53 - 2, 2 ** 53 - 5));
    expect(cols[1]!.pred).not.toBe(0);
  });

  it("returns null when every predictor of the timestamps exceeds 2^52", () => {
    expect(encodeDod(f64(0, 2 ** 52, 2 ** 52 + 1), f64(1, 2, 3), 3)).toBeNull();
    // But a large jump that stays below 2^52 is fine.
    roundTrip(f64(-(2 ** 51), 2 ** 51, 2 ** 51 + 1), f64(1, 2, 3));
  });

  it("rejects timestamps XorAppender would reject, and bad counts", () => {
    for (const bad of [f64(1, 1, 2), f64(2, 1, 3), f64(1, 2.5, 3), f64(NaN, 1, 2), f64(0, 1, 2 ** 53), f64(-Infinity, 0, 1)]) {
      expect(() => encodeDod(bad, f64(1, 2, 3), 3), String(Array.from(bad))).toThrow(RangeError);
    }
    expect(() => encodeDod(t, f64(1, 2, 3), 4)).toThrow(RangeError);
    expect(() => encodeDod(t, f64(1, 2), 3)).toThrow(RangeError);
    expect(() => encodeDod(t, f64(1, 2, 3), -1)).toThrow(RangeError);
    expect(() => encodeDod(t, f64(1, 2, 3), 1.5)).toThrow(RangeError);
    const big = schedule(MAX_SAMPLES_PER_CHUNK + 1);
    expect(() => encodeDod(big, new Float64Array(big.length), big.length)).toThrow(RangeError);
  });

  it("reuses the previous timestamps column only for equal timestamps, whatever the array", () => {
    const r = rng(21);
    const tA = Float64Array.from(schedule(200), (x) => x + Math.floor(r() * 3));
    const tB = Float64Array.from(schedule(200), (x) => x + Math.floor(r() * 3));
    const v1 = walk(200, 10, () => Math.floor(r() * 50), 1);
    const v2 = walk(200, 99, () => Math.floor(r() * 9), 2);
    const a1 = encodeDod(tA, v1, 200)!;
    const a2 = encodeDod(tA, v2, 200)!; // reuses tA's column
    const b2 = encodeDod(tB, v2, 200)!;
    expect(hex(encodeDod(tA.slice(), v2, 200)!)).toBe(hex(a2)); // a copy, after tB
    expect(hex(encodeDod(tA, v1, 200)!)).toBe(hex(a1));
    expectSameTimes(decodeDod(b2).t, tB, "tB");
    // The same array, changed in place, and a prefix of it.
    const t = tA.slice();
    encodeDod(t, v1, 200);
    t[150] += 1;
    expectSameTimes(decodeDod(encodeDod(t, v1, 200)!).t, t, "changed in place");
    expectSameTimes(decodeDod(encodeDod(t, v1, 100)!).t, t.subarray(0, 100), "prefix");
    // A chunk whose values do not apply, then one whose timestamps do not, then tA again.
    expect(encodeDod(tB, f64(...Array.from({ length: 200 }, () => Math.PI)), 200)).toBeNull();
    expect(encodeDod(f64(0, 2 ** 52, 2 ** 52 + 1), f64(1, 2, 3), 3)).toBeNull();
    expect(hex(encodeDod(tA, v2, 200)!)).toBe(hex(a2));
    roundTrip(tA, v2);
  });

  it("encodes only the first n samples of longer arrays and subarrays", () => {
    const tt = schedule(10);
    const v = Float64Array.from({ length: 10 }, (_, i) => i * 0.5);
    const data = encodeDod(tt, v, 4)!;
    expect(dodNumSamples(data)).toBe(4);
    expectSameBits(decodeDod(data).v, v.subarray(0, 4), "prefix");
    roundTrip(tt.subarray(3, 9), v.subarray(3, 9));
  });
});

// --- round trips -------------------------------------------------------------------------

/** Value generators: decimals shaped like exporter data, plus hostile ones. */
const PATTERNS: [string, (r: () => number, n: number) => Float64Array][] = [
  ["constant", (_, n) => new Float64Array(n).fill(42.5)],
  ["counter", (r, n) => walk(n, 1e6, () => Math.floor(r() * 5000), 0)],
  ["counter, 2 decimals, idle 10%", (r, n) => walk(n, 123456, () => (r() < 0.1 ? 0 : Math.floor(r() * 300)), 2)],
  ["gauge walk, negative", (r, n) => walk(n, -500, () => Math.round((r() - 0.5) * 40), 1)],
  ["rare counter", (r, n) => walk(n, 17, () => (r() < 0.03 ? 1 : 0), 0)],
  ["steady acceleration", (r, n) => walk(n, 0, (i) => 1000 + 3 * i + Math.floor(r() * 3), 0)],
  ["clock with noise", (r, n) => Float64Array.from({ length: n }, (_, i) => (1.7e12 + i * 15000 + Math.floor(r() * 5)) / 1000)],
  ["noise around a level", (r, n) => Float64Array.from({ length: n }, () => 1000 + Math.floor(r() * 8))],
  ["alternating extremes", (_, n) => Float64Array.from({ length: n }, (_, i) => (i % 2 ? 2 ** 51 - 1 : -(2 ** 51) + 1))],
  ["huge jumps", (r, n) => walk(n, 0, () => (r() < 0.05 ? Math.floor(r() * 2 ** 45) : Math.floor(r() * 10)), 0)],
  ["heavy tail", (r, n) => walk(n, 0, () => Math.floor(2 ** (r() * 40)), 3)],
  ["12 decimals", (r, n) => Float64Array.from({ length: n }, () => Math.floor(r() * 1e6) / 1e12)],
  ["pages", (r, n) => walk(n, 4096 * 250_000, () => 4096 * Math.round((r() - 0.5) * 100), 0)],
  ["near 2^53", (r, n) => Float64Array.from({ length: n }, () => 2 ** 53 - 1 - Math.floor(r() * 1000))],
  ["zero and one", (r, n) => Float64Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1))],
];

/** Running sum of step(i), in units of 10^-decimals (the k's), as decimals. */
function walk(n: number, start: number, step: (i: number) => number, decimals: number): Float64Array {
  const out = new Float64Array(n);
  let k = start;
  for (let i = 0; i < n; i++) {
    if (i > 0) k += step(i);
    out[i] = k / 10 ** decimals;
  }
  return out;
}

const TIMESTAMPS: [string, (r: () => number, n: number) => Float64Array][] = [
  ["on schedule", (_, n) => schedule(n)],
  ["late by 0-2 ms", (r, n) => Float64Array.from(schedule(n), (x) => x + Math.floor(r() * 3))],
  ["missed scrapes", (r, n) => {
    const t = new Float64Array(n);
    for (let i = 0, x = 1_735_689_600_000; i < n; i++, x += r() < 0.05 ? 30_000 : 15_000) t[i] = x;
    return t;
  }],
  ["random gaps", (r, n) => {
    const t = new Float64Array(n);
    for (let i = 0, x = -(2 ** 40); i < n; i++, x += 1 + Math.floor(r() < 0.9 ? r() * 10 : r() * 2 ** 40)) t[i] = x;
    return t;
  }],
  ["negative, 1 ms", (_, n) => schedule(n, -1_000_000, 1)],
];

describe("dod round trips", () => {
  it("round-trips every value pattern with every timestamp pattern and length", () => {
    const seen = new Set<string>();
    let seed = 1;
    for (const [vname, gen] of PATTERNS) {
      for (const [tname, tgen] of TIMESTAMPS) {
        for (const n of [1, 2, 3, 4, 5, 17, 128, 480, 1000]) {
          const r = rng(seed++);
          const t = tgen(r, n);
          const v = gen(r, n);
          let got;
          try {
            got = roundTrip(t, v);
          } catch (err) {
            throw new Error(`${vname} / ${tname} / n=${n}: ${(err as Error).message}`);
          }
          for (const c of got.cols) {
            seen.add(`pred ${c.pred} mode ${c.mode}`);
            seen.add(`buckets ${c.buckets}`);
            if (c.widths.some((w) => w > 32)) seen.add("wide");
            if (c.g > 1n) seen.add("gcd");
          }
        }
      }
    }
    // The patterns reach every predictor, mode, bucket count and the wide-field path.
    for (const want of [
      "pred 0 mode 1",
      "pred 1 mode 1",
      "pred 1 mode 0",
      "pred 2 mode 1",
      "pred 2 mode 0",
      "pred 3 mode 1",
      "buckets 1",
      "buckets 2",
      "buckets 3",
      "buckets 4",
      "wide",
      "gcd",
    ]) {
      expect([...seen], want).toContain(want);
    }
  });

  it("round-trips random decimals with random exponents", () => {
    for (let seed = 100; seed < 160; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 300);
      const e = Math.floor(r() * 13);
      const mag = 2 ** Math.floor(r() * 40);
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      let x = Math.floor((r() - 0.5) * 2 ** 45);
      for (let i = 0; i < n; i++) {
        t[i] = x;
        x += r() < 0.7 ? 15_000 : 1 + Math.floor(r() * 1e6);
        // `|| 0` turns -0 (which makes the codec inapplicable) into +0.
        v[i] = (Math.round((r() - 0.3) * mag) || 0) / 10 ** e;
      }
      roundTrip(t, v);
    }
  });

  it("round-trips 65535 samples", () => {
    const r = rng(5);
    const n = MAX_SAMPLES_PER_CHUNK;
    const t = Float64Array.from(schedule(n), (x) => x + (r() < 0.1 ? 1 : 0));
    const v = walk(n, 0, () => Math.floor(r() * 1000), 2);
    const { data } = roundTrip(t, v);
    expect(hex(data.subarray(0, 3))).toBe("ffff03");
  });

  it("round-trips the first 1, 2 and 3 samples of special columns", () => {
    const M = Number.MAX_SAFE_INTEGER;
    for (const t of [f64(-M, -M + 1, -M + 3), f64(M - 2, M - 1, M), f64(0, 2 ** 51, 2 ** 52 - 1), f64(-1, 0, 1)]) {
      for (const v of [f64(M, M - 5, M), f64(-M, -M + 1, -M), f64(-0.5, 0.5, 0), f64(1e-12, -1e-12, 0)]) {
        for (let n = 1; n <= 3; n++) roundTrip(t.subarray(0, n), v.subarray(0, n));
      }
    }
  });
});

// --- bucket search ----------------------------------------------------------------------

/** Huffman code lengths for the given counts (all > 0). */
function huffmanLengths(counts: number[]): number[] {
  if (counts.length === 1) return [0];
  const lens = counts.map(() => 0);
  let nodes = counts.map((c, i) => ({ c, leaves: [i] }));
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.c - b.c);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    for (const i of [...a.leaves, ...b.leaves]) lens[i]!++;
    nodes = [{ c: a.c + b.c, leaves: [...a.leaves, ...b.leaves] }, ...nodes.slice(2)];
  }
  return lens;
}

/** The smallest code size over every choice of 1..4 bucket widths, by brute force. */
function optimalCodeBits(us: bigint[]): number {
  const lenOf = (u: bigint) => (u === 0n ? 0 : u.toString(2).length);
  const hist = new Map<number, number>();
  for (const u of us) hist.set(lenOf(u), (hist.get(lenOf(u)) ?? 0) + 1);
  const lengths = [...hist.keys()].sort((a, b) => a - b);
  const maxW = lengths[lengths.length - 1]!;
  const below = lengths.slice(0, -1);
  let best = Infinity;
  const subsets = (k: number, from: number): number[][] =>
    k === 0 ? [[]] : below.slice(from).flatMap((w, j) => subsets(k - 1, from + j + 1).map((rest) => [w, ...rest]));
  for (let k = 0; k <= 3; k++) {
    for (const ws of subsets(k, 0)) {
      const widths = [...ws, maxW];
      const counts = widths.map(() => 0);
      for (const [len, c] of hist) counts[widths.findIndex((w) => len <= w)]! += c;
      const lens = huffmanLengths(counts);
      best = Math.min(best, counts.reduce((sum, c, j) => sum + c * (lens[j]! + widths[j]!), 0));
    }
  }
  return best;
}

describe("dod bucket search", () => {
  it("finds the smallest code for the residuals it chose, with few distinct lengths", () => {
    // With up to 12 distinct bit lengths the search is exhaustive, so its result must match
    // brute force (including the choice between code shapes 2,2,2,2 and 1,2,3,3).
    let checked = 0;
    for (let seed = 200; seed < 400; seed++) {
      const r = rng(seed);
      const n = 20 + Math.floor(r() * 400);
      const levels = Array.from({ length: 1 + Math.floor(r() * 5) }, () => Math.floor(r() * 30));
      const weights = levels.map(() => r());
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        // A random level picked by weight, plus noise within its bit length.
        let x = r() * weights.reduce((a, b) => a + b, 0);
        let j = 0;
        while (j < levels.length - 1 && x > weights[j]!) x -= weights[j++]!;
        v[i] = Math.floor(r() * 2 ** levels[j]!);
      }
      const { cols } = roundTrip(schedule(n), v);
      const k = cols[1]!;
      if (k.us.length === 0 || new Set(k.us.map((u) => u.toString(2).length)).size > 12) continue;
      expect(k.codeBits, `seed ${seed}`).toBe(optimalCodeBits(k.us));
      checked++;
    }
    expect(checked).toBeGreaterThan(80);
  });

  it("uses four equal-length codes when four equally frequent widths make that best", () => {
    // Bit lengths 0, 8, 16, 24 equally often: codes 2,2,2,2 cost 14 bits per sample on
    // average, 1,2,3,3 cost 14.25, and any 3 buckets more.
    const r = rng(77);
    const n = 400;
    const v = Float64Array.from({ length: n }, (_, i) => {
      const len = [0, 8, 16, 24][i % 4]!;
      return len === 0 ? 0 : 2 ** (len - 1) + Math.floor(r() * 2 ** (len - 1));
    });
    const { cols } = roundTrip(schedule(n), v);
    const k = cols[1]!;
    expect(k).toMatchObject({ pred: 0, buckets: 4, widths: [0, 8, 16, 24] });
    expect(k.codeBits).toBe(optimalCodeBits(k.us));
    expect(k.codeBits).toBe(n * 14);
  });
});

// --- range decoding ----------------------------------------------------------------------

describe("decodeDodRange", () => {
  // Values with residual bits (quarter units, irregular steps).
  const t = Float64Array.from({ length: 100 }, (_, i) => 1000 + i * 10);
  const v = Float64Array.from({ length: 100 }, (_, i) => (i + ((i * 7919) % 13)) / 4);
  const data = encodeDod(t, v, 100)!;

  function range(mint: number, maxt: number): { t: number[]; v: number[] } {
    const sink = new XorSampleBuffer(1);
    const added = decodeDodRange(data, mint, maxt, sink);
    expect(added).toBe(sink.length);
    return { t: Array.from(sink.t.subarray(0, sink.length)), v: Array.from(sink.v.subarray(0, sink.length)) };
  }

  /** Samples lo..hi-1 of the input. */
  function slice(lo: number, hi: number): { t: number[]; v: number[] } {
    return { t: Array.from(t.subarray(lo, hi)), v: Array.from(v.subarray(lo, hi)) };
  }

  it("includes both boundaries", () => {
    expect(range(1020, 1050)).toEqual(slice(2, 6));
    expect(range(1015, 1025)).toEqual(slice(2, 3));
    expect(range(1000, 1000)).toEqual(slice(0, 1));
    expect(range(1990, 5000)).toEqual(slice(99, 100));
    expect(range(-Infinity, Infinity)).toEqual(slice(0, 100));
    expect(range(1000, 1990)).toEqual(slice(0, 100));
  });

  it("returns nothing outside the chunk or between samples", () => {
    expect(range(0, 999).t).toEqual([]);
    expect(range(1991, 9999).t).toEqual([]);
    expect(range(1021, 1029).t).toEqual([]);
    expect(range(1050, 1020).t).toEqual([]);
  });

  it("appends after what the sink already holds, growing it, and accepts any sink", () => {
    const sink = new XorSampleBuffer(2);
    expect(decodeDodRange(data, 1000, 1010, sink)).toBe(2);
    expect(decodeDodRange(data, 1500, 1990, sink)).toBe(50);
    expect(sink.length).toBe(52);
    expect(Array.from(sink.t.subarray(0, 52))).toEqual([...slice(0, 2).t, ...slice(50, 100).t]);
    expect(Array.from(sink.v.subarray(0, 52))).toEqual([...slice(0, 2).v, ...slice(50, 100).v]);
    // A sink that allocates exactly what reserve asks for.
    const tight: XorSink = {
      t: new Float64Array(1),
      v: new Float64Array(1),
      length: 1,
      reserve(extra: number) {
        const t2 = new Float64Array(this.length + extra);
        const v2 = new Float64Array(this.length + extra);
        t2.set(this.t.subarray(0, this.length));
        v2.set(this.v.subarray(0, this.length));
        this.t = t2;
        this.v = v2;
      },
    };
    tight.t[0] = -5;
    tight.v[0] = -6;
    expect(decodeDodRange(data, 1980, Infinity, tight)).toBe(2);
    expect(Array.from(tight.t.subarray(0, tight.length))).toEqual([-5, ...slice(98, 100).t]);
    expect(Array.from(tight.v.subarray(0, tight.length))).toEqual([-6, ...slice(98, 100).v]);
  });

  it("stops reading values after maxt", () => {
    // The last byte holds only bits of the last values: corrupting it changes no earlier one.
    const bad = data.slice();
    bad[bad.length - 1] ^= 0xff;
    expect(() => decodeDod(bad)).not.toThrow();
    expect(decodeDod(bad).v[99]).not.toBe(v[99]);
    const sink = new XorSampleBuffer();
    expect(decodeDodRange(bad, 1000, 1100, sink)).toBe(11);
    expect(Array.from(sink.v.subarray(0, 11))).toEqual(slice(0, 11).v);
  });
});

// --- corrupt input -----------------------------------------------------------------------

describe("dod corrupt input", () => {
  const r = rng(11);
  const t = Float64Array.from(schedule(300), (x) => x + Math.floor(r() * 3));
  const v = walk(300, 5000, () => Math.floor(r() * 700), 2);
  const data = encodeDod(t, v, 300)!;

  function decodeAllWays(b: Uint8Array): void {
    decodeDod(b);
    decodeDodRange(b, -Infinity, Infinity, new XorSampleBuffer());
  }

  it("rejects every truncation and trailing bytes", () => {
    for (let len = 0; len < data.length; len++) {
      expect(() => decodeDod(data.subarray(0, len)), `length ${len}`).toThrow(/dod chunk: corrupt/);
      if (len > 0) {
        expect(() => decodeDodRange(data.subarray(0, len), -Infinity, Infinity, new XorSampleBuffer()), `length ${len}`).toThrow(/dod chunk: corrupt/);
      }
    }
    const longer = new Uint8Array(data.length + 1);
    longer.set(data);
    expect(() => decodeDod(longer)).toThrow(/trailing bytes/);
    expect(() => decodeDodRange(longer, -Infinity, Infinity, new XorSampleBuffer())).toThrow(/trailing bytes/);
    // A range that ends before the last sample does not read that far.
    expect(decodeDodRange(longer, -Infinity, t[298]!, new XorSampleBuffer())).toBe(299);
    expect(() => decodeDod(Uint8Array.of(0, 0))).toThrow(/trailing bytes/);
  });

  it("rejects bad sample counts, descriptors, bucket codes, widths, GCDs and exponents", () => {
    // Timestamps 0, 1000, 2000 (DELTA, FOR, constant) and values 1, 2, 3 (same).
    const ok = encodeDod(f64(0, 1000, 2000), f64(1, 2, 3), 3)!;
    expect(hex(ok)).toBe("03" + "600001d00f00" + "00" + "6002010200");
    decodeDod(ok);
    const cases: [string, string, RegExp][] = [
      ["non-minimal count", "8300" + "600001d00f00" + "00" + "6002010200", /sample count/],
      ["count > 65535", "808004", /sample count/],
      ["count with 4 bytes", "80808000", /sample count/],
      ["reserved descriptor bits", "03" + "610001d00f00" + "00" + "6002010200", /descriptor/],
      ["exponent 13", "03" + "600001d00f00" + "0d" + "6002010200", /exponent/],
      ["gcd 0", "03" + "600000d00f00" + "00" + "6002010200", /gcd/],
      ["one bucket with a code", "03" + "600001d00f40" + "00" + "6002010200", /bucket codes/],
      ["width 54", "03" + "600001d00f36" + "00" + "6002010200", /bucket width/],
      // Two buckets with code lengths 1 and 2: not a complete prefix code.
      ["incomplete code", "03" + "680001d00f4080" + "00" + "6002010200", /bucket codes/],
      ["two buckets, one code of length 0", "03" + "680001d00f0040" + "00" + "6002010200", /bucket codes/],
      ["varint too long", "03" + "60" + "ff".repeat(10) + "01", /varint/],
    ];
    for (const [what, h, re] of cases) {
      expect(() => decodeAllWays(Buffer.from(h, "hex")), what).toThrow(re);
    }
  });

  it("throws only its own errors, or decodes, on random corruption", () => {
    // There is no checksum (integrity is the store's job, as Prometheus keeps a CRC beside
    // each chunk): most flips only change values. Those that break the structure must throw
    // our error, never another one, and never hang.
    const rr = rng(12);
    let threw = 0;
    for (let k = 0; k < 2000; k++) {
      const bad = data.slice();
      const flips = 1 + Math.floor(rr() * 3);
      for (let f = 0; f < flips; f++) bad[Math.floor(rr() * bad.length)] ^= 1 << Math.floor(rr() * 8);
      try {
        const d = decodeDod(bad);
        expect(d.t.length).toBe(dodNumSamples(bad));
      } catch (err) {
        expect((err as Error).message).toMatch(/^dod chunk: corrupt/);
        threw++;
      }
    }
    expect(threw).toBeGreaterThan(0);
  });
});
