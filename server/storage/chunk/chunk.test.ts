import { describe, expect, it } from "vitest";
import {
  ENC_DOD,
  ENC_XOR,
  chunkEncoding,
  chunkNumSamples,
  decodeChunk,
  decodeChunkRange,
  encodeBest,
  wrapXor,
} from "./chunk";
import { encodeDod } from "./dod";
import { MAX_SAMPLES_PER_CHUNK, XorAppender, XorSampleBuffer } from "./xor";
import { SYNTHETIC_KINDS, syntheticSeries, syntheticTimestamps, syntheticValues } from "@/bench/data/synthetic";
import { mulberry32 as rng } from "@/server/testing/random";

// --- helpers -----------------------------------------------------------------------------

/** The 64-bit patterns of a Float64Array (compares NaN payloads and -0 exactly). */
function bitsOf(a: Float64Array): bigint[] {
  return Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));
}

function f64(...xs: number[]): Float64Array {
  return Float64Array.from(xs);
}

/** Writes the value with the given IEEE-754 bits at v[i] (never through a JS number). */
function setBits(v: Float64Array, i: number, bits: bigint): void {
  new BigUint64Array(v.buffer, v.byteOffset + 8 * i, 1)[0] = bits;
}

const STALE = 0x7ff0000000000002n; // Prometheus's staleness marker, a signalling NaN
const GO_NAN = 0x7ff8000000000001n; // Go's math.NaN()

function schedule(n: number, start = 1_735_689_600_000): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => start + i * 15_000);
}

/** XOR chunk data of the samples, values by their bits. */
function xorBytes(t: Float64Array, v: Float64Array): Uint8Array {
  const w = new Uint32Array(v.buffer, v.byteOffset, 2 * v.length);
  const a = new XorAppender();
  for (let i = 0; i < t.length; i++) a.appendBits(t[i]!, w[2 * i + 1]!, w[2 * i]!);
  return a.bytes();
}

/** Checks decodeChunk, decodeChunkRange and chunkNumSamples against the input, bit-exactly. */
function expectDecodes(data: Uint8Array, t: Float64Array, v: Float64Array): void {
  expect(chunkNumSamples(data)).toBe(t.length);
  const d = decodeChunk(data);
  expect(Array.from(d.t)).toEqual(Array.from(t));
  expect(bitsOf(d.v)).toEqual(bitsOf(v));
  const sink = new XorSampleBuffer(1);
  expect(decodeChunkRange(data, -Infinity, Infinity, sink)).toBe(t.length);
  expect(Array.from(sink.t.subarray(0, sink.length))).toEqual(Array.from(t));
  expect(bitsOf(sink.v.subarray(0, sink.length))).toEqual(bitsOf(v));
}

// --- tests -------------------------------------------------------------------------------

describe("wrapXor", () => {
  it("prefixes the encoding byte, and the chunk decodes bit-exactly", () => {
    const t = schedule(4);
    const v = f64(1, 0, 2.5, 0);
    setBits(v, 1, STALE);
    setBits(v, 3, GO_NAN);
    const xor = xorBytes(t, v);
    const data = wrapXor(xor);
    expect(data.length).toBe(xor.length + 1);
    expect(data[0]).toBe(ENC_XOR);
    expect(Array.from(data.subarray(1))).toEqual(Array.from(xor));
    expect(chunkEncoding(data)).toBe(ENC_XOR);
    expectDecodes(data, t, v);
    expect(bitsOf(decodeChunk(data).v)[1]).toBe(STALE);
  });
});

describe("encodeBest", () => {
  it("picks dod for short decimals, with dod's payload", () => {
    const t = schedule(100);
    const v = Float64Array.from({ length: 100 }, (_, i) => 1000 + i * 0.25);
    const data = encodeBest(t, v, 100);
    expect(chunkEncoding(data)).toBe(ENC_DOD);
    expect(Array.from(data.subarray(1))).toEqual(Array.from(encodeDod(t, v, 100)!));
    expect(data.length).toBeLessThan(xorBytes(t, v).length);
    expectDecodes(data, t, v);
  });

  it("keeps XOR for the staleness marker, any NaN, -0 and ±Inf, bit-exactly", () => {
    const specials: [string, bigint][] = [
      ["staleness marker", STALE],
      ["Go NaN", GO_NAN],
      ["negative NaN, every payload bit set", 0xffffffffffffffffn],
      ["-0", 0x8000000000000000n],
      ["+Inf", 0x7ff0000000000000n],
      ["-Inf", 0xfff0000000000000n],
    ];
    for (const [what, bits] of specials) {
      for (const at of [0, 7, 19]) {
        const t = schedule(20);
        const v = Float64Array.from({ length: 20 }, (_, i) => i * 1.5);
        setBits(v, at, bits);
        const data = encodeBest(t, v, 20);
        expect(chunkEncoding(data), what).toBe(ENC_XOR);
        expect(bitsOf(decodeChunk(data).v)[at], what).toBe(bits);
        expectDecodes(data, t, v);
      }
    }
  });

  it("keeps XOR for full-precision floats", () => {
    const r = rng(1);
    const t = schedule(200);
    const v = Float64Array.from({ length: 200 }, () => r() * 0.05);
    const data = encodeBest(t, v, 200);
    expect(chunkEncoding(data)).toBe(ENC_XOR);
    expectDecodes(data, t, v);
  });

  it("returns the smaller encoding, XOR on a tie, on random data", () => {
    // Short chunks and near-random values make the two sizes close, so a wrong size bound
    // in the shortcut that skips XOR would show as a wrong pick.
    let dods = 0;
    let xors = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const n = 2 + Math.floor(r() * (seed % 4 === 0 ? 300 : 12));
      const t = new Float64Array(n);
      const v = new Float64Array(n);
      const decimals = Math.floor(r() * 13);
      const spread = 2 ** Math.floor(r() * 50);
      for (let i = 0, x = Math.floor((r() - 0.5) * 2 ** 44); i < n; i++) {
        t[i] = x;
        x += r() < 0.6 ? 15_000 : 1 + Math.floor(r() * (r() < 0.5 ? 10 : 2 ** 30));
        v[i] = r() < 0.3 && i > 0 ? v[i - 1]! : (Math.round((r() - 0.5) * spread) || 0) / 10 ** decimals;
      }
      const xor = xorBytes(t, v);
      const dod = encodeDod(t, v, n);
      const data = encodeBest(t, v, n);
      if (dod !== null && dod.length < xor.length) {
        expect(chunkEncoding(data), `seed ${seed}`).toBe(ENC_DOD);
        expect(data.length).toBe(dod.length + 1);
        dods++;
      } else {
        expect(chunkEncoding(data), `seed ${seed}`).toBe(ENC_XOR);
        expect(Array.from(data.subarray(1))).toEqual(Array.from(xor));
        xors++;
      }
      expectDecodes(data, t, v);
    }
    expect(dods).toBeGreaterThan(50);
    expect(xors).toBeGreaterThan(20);
  });

  it("keeps XOR when it is smaller: powers of two change only exponent bits", () => {
    // Decimals (2^-12 has 12 digits after the point, so k reaches 10^12), but XOR codes each
    // change in a few exponent bits. Its low 32 bits never differ, which the size bound
    // that lets encodeBest skip XOR must handle.
    const r = rng(4);
    const t = schedule(300);
    const v = Float64Array.from({ length: 300 }, () => 2 ** -Math.floor(r() * 13));
    expect(encodeDod(t, v, 300)).not.toBeNull();
    const data = encodeBest(t, v, 300);
    expect(chunkEncoding(data)).toBe(ENC_XOR);
    expect(data.length).toBe(xorBytes(t, v).length + 1);
    expect(data.length).toBeLessThan(encodeDod(t, v, 300)!.length);
    expectDecodes(data, t, v);
  });

  it("handles 0, 1, 2 and 65535 samples", () => {
    for (const n of [0, 1, 2]) {
      const t = schedule(n, -30_000);
      const v = Float64Array.from({ length: n }, (_, i) => -i / 8);
      expectDecodes(encodeBest(t, v, n), t, v);
    }
    const n = MAX_SAMPLES_PER_CHUNK;
    const r = rng(2);
    const t = schedule(n);
    const v = Float64Array.from({ length: n }, () => Math.floor(r() * 1e4) / 100);
    const data = encodeBest(t, v, n);
    expect(chunkEncoding(data)).toBe(ENC_DOD);
    expectDecodes(data, t, v);
    expect(() => encodeBest(schedule(n + 1), new Float64Array(n + 1), n + 1)).toThrow(RangeError);
  });

  it("falls back to XOR for timestamps beyond dod's range, and rejects what XOR rejects", () => {
    const t = f64(0, 2 ** 52, 2 ** 52 + 1);
    const v = f64(1, 2, 3);
    expect(encodeDod(t, v, 3)).toBeNull();
    const data = encodeBest(t, v, 3);
    expect(chunkEncoding(data)).toBe(ENC_XOR);
    expectDecodes(data, t, v);
    expect(() => encodeBest(f64(-(2 ** 53 - 1), 2 ** 53 - 1), f64(1, 2), 2)).toThrow(RangeError);
    expect(() => encodeBest(f64(5, 5), f64(1, 2), 2)).toThrow(RangeError);
  });
});

describe("decodeChunkRange", () => {
  it("selects the same samples from both encodings", () => {
    const t = Float64Array.from({ length: 50 }, (_, i) => 1000 + i * 10);
    const v = Float64Array.from({ length: 50 }, (_, i) => (i * 37) % 11);
    const dod = encodeBest(t, v, 50);
    const xor = wrapXor(xorBytes(t, v));
    expect(chunkEncoding(dod)).toBe(ENC_DOD);
    for (const [mint, maxt] of [
      [1000, 1000],
      [1005, 1095],
      [1490, 9999],
      [0, 999],
      [1491, 2000],
    ] as const) {
      const a = new XorSampleBuffer(1);
      const b = new XorSampleBuffer(1);
      const na = decodeChunkRange(dod, mint, maxt, a);
      const nb = decodeChunkRange(xor, mint, maxt, b);
      expect(na).toBe(nb);
      expect(Array.from(a.t.subarray(0, na))).toEqual(Array.from(b.t.subarray(0, nb)));
      expect(Array.from(a.v.subarray(0, na))).toEqual(Array.from(b.v.subarray(0, nb)));
      const want = Array.from(t).filter((x) => x >= mint && x <= maxt);
      expect(Array.from(a.t.subarray(0, na))).toEqual(want);
    }
  });
});

describe("corrupt chunks", () => {
  const t = schedule(30);
  const v = Float64Array.from({ length: 30 }, (_, i) => i * 0.5 + ((i * 13) % 7));
  const dod = encodeBest(t, v, 30);
  const xor = wrapXor(xorBytes(t, v));

  it("reject an empty chunk and unknown encodings with a clear error", () => {
    const all = (b: Uint8Array) => [
      () => chunkEncoding(b),
      () => chunkNumSamples(b),
      () => decodeChunk(b),
      () => decodeChunkRange(b, -Infinity, Infinity, new XorSampleBuffer()),
    ];
    for (const f of all(new Uint8Array(0))) expect(f).toThrow(/chunk: empty/);
    for (const enc of [0, 4, 255]) {
      const b = dod.slice();
      b[0] = enc;
      for (const f of all(b)) expect(f).toThrow(`chunk: unknown encoding ${enc}`);
    }
  });

  it("reject truncated payloads of both encodings", () => {
    expect(chunkEncoding(dod)).toBe(ENC_DOD);
    for (const data of [dod, xor]) {
      for (let len = 1; len < data.length; len++) {
        expect(() => decodeChunk(data.subarray(0, len)), `encoding ${data[0]}, length ${len}`).toThrow(/(xor|dod) chunk:/);
      }
    }
    // The payload claims a different encoding than it has.
    const swapped = dod.slice();
    swapped[0] = ENC_XOR;
    expect(() => decodeChunk(swapped)).toThrow(/xor chunk:/);
  });
});

describe("synthetic fleet (bench/data/synthetic)", () => {
  it("round-trips every series and stays within the at-rest budget", () => {
    // The budget: 2.0 bytes per sample on disk including ~0.15 of row overhead at 480
    // samples per row. XOR alone gives about 2.57 on this mix.
    const points = 480;
    const opts = { series: 1000, points };
    const series = syntheticSeries(opts);
    const bytes = new Map<string, number>();
    const samples = new Map<string, number>();
    let xorTotal = 0;
    for (let i = 0; i < series.length; i++) {
      const t = syntheticTimestamps(i, opts);
      const v = syntheticValues(series[i]!, points);
      const data = encodeBest(t, v, points);
      const xorLen = xorBytes(t, v).length + 1;
      expect(data.length).toBeLessThanOrEqual(xorLen);
      xorTotal += xorLen;
      expectDecodes(data, t, v);
      for (const k of [series[i]!.kind, "mix"]) {
        bytes.set(k, (bytes.get(k) ?? 0) + data.length);
        samples.set(k, (samples.get(k) ?? 0) + points);
      }
    }
    const perSample = (k: string) => bytes.get(k)! / samples.get(k)!;
    expect(perSample("mix")).toBeLessThan(1.85);
    expect(perSample("mix")).toBeLessThan((0.5 * xorTotal) / (series.length * points));
    for (const k of SYNTHETIC_KINDS) expect(perSample(k), k).toBeLessThan(k === "float-full" ? 5.6 : 1.1);
  });
});

describe("encodeAtRest", () => {
  it("tags XOR results so compaction leaves them alone, and decodes them like XOR", async () => {
    const { encodeAtRest, ENC_XOR_AT_REST, ENC_DOD, decodeChunk, chunkNumSamples } = await import("./chunk");
    const t = new Float64Array([1000, 2000, 3000]);
    const v = new Float64Array(3);
    v[0] = 1.5;
    new BigUint64Array(v.buffer)[1] = 0x7ff0000000000002n;
    v[2] = 2;
    const x = encodeAtRest(t, v, 3);
    expect(x[0]).toBe(ENC_XOR_AT_REST);
    expect(chunkNumSamples(x)).toBe(3);
    const d = decodeChunk(x);
    expect(Array.from(d.t)).toEqual([1000, 2000, 3000]);
    expect(new BigUint64Array(d.v.buffer, d.v.byteOffset, 3)[1]).toBe(0x7ff0000000000002n);
    const dec = encodeAtRest(t, new Float64Array([1.5, 2.5, 3.5]), 3);
    expect(dec[0]).toBe(ENC_DOD);
  });
});
