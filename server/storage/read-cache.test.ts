import { describe, expect, it } from "vitest";
import { decodeChunk } from "./chunk/chunk";
import { MemSeries, type MemChunk } from "./head";
import { labelsFromRecord } from "./labels/labels";
import { ReadCache, type CachedSeries, type ReadPart } from "./read-cache";

const H = 3600_000;
const BLOCK = 2 * H;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % BLOCK);
/** Prometheus's staleness marker (a signalling NaN). */
const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

function bits(v: Float64Array): bigint[] {
  return [...new BigUint64Array(v.buffer, v.byteOffset, v.length)];
}

function newSeries(ref: number): MemSeries {
  const labels = labelsFromRecord({ __name__: "m", i: String(ref) });
  return new MemSeries(ref, labels, `m/${ref}`);
}

/** What select returns for one series without a cache: every in-memory chunk decoded and clipped. */
function reference(s: MemSeries, mint: number, maxt: number): { t: number[]; v: bigint[] } {
  const cs: MemChunk[] = [];
  s.memChunks(mint, maxt, cs);
  const t: number[] = [];
  const v: bigint[] = [];
  for (const c of cs) {
    const d = decodeChunk(c.data);
    const vb = bits(d.v);
    for (let i = 0; i < d.t.length; i++) {
      if (d.t[i]! < mint || d.t[i]! > maxt || (t.length > 0 && d.t[i]! <= t[t.length - 1]!)) continue;
      t.push(d.t[i]!);
      v.push(vb[i]!);
    }
  }
  return { t, v };
}

/** A select over the head only, through the cache. */
function cachedSelect(cache: ReadCache, series: MemSeries[], mint: number, maxt: number): CachedSeries[] {
  const items: { s: MemSeries; parts: ReadPart[] }[] = [];
  for (const s of series) {
    const parts: ReadPart[] = [];
    cache.memParts(s, mint, maxt, parts);
    if (parts.length > 0) items.push({ s, parts });
  }
  return cache.assemble(items, mint, maxt);
}

function plain(r: CachedSeries): { t: number[]; v: bigint[] } {
  return { t: [...r.t], v: bits(r.v) };
}

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe("read cache over the head", () => {
  it("follows the open chunk as it grows between selects, without copying a single-chunk result", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(1);
    for (let i = 0; i < 10; i++) s.append(T0 + i * 15_000, i, BLOCK);
    const first = cachedSelect(cache, [s], T0, T0 + H);
    expect(plain(first[0]!)).toEqual(reference(s, T0, T0 + H));
    const mirror = s.openMirror;
    expect(mirror).not.toBeNull();
    // Far past the mirror's first capacity, so it moves to larger arrays several times.
    for (let i = 10; i < 400; i++) s.append(T0 + i * 15_000, i % 7 === 0 ? STALE_NAN : i / 3, BLOCK);
    // Kept current by append (the same mirror, not rebuilt by the select's consistency check).
    expect(s.openMirror).toBe(mirror);
    expect((mirror as unknown as { n: number }).n).toBe(400);
    const second = cachedSelect(cache, [s], T0, T0 + 2 * H);
    expect(plain(second[0]!)).toEqual(reference(s, T0, T0 + 2 * H));
    expect(bits(second[0]!.v)[14]).toBe(0x7ff0000000000002n);
    // The first result is a view the later appends and regrowth did not disturb.
    expect([...first[0]!.t]).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 15_000));
    // A view, not a copy: it shares the mirror's buffer with the next select's result.
    const third = cachedSelect(cache, [s], T0 + 15_000, T0 + 30_000);
    expect(third[0]!.t.buffer).toBe(second[0]!.t.buffer);
    expect([...third[0]!.t]).toEqual([T0 + 15_000, T0 + 30_000]);
  });

  it("keeps a sealed chunk's samples when the chunk is cut between selects, and reads both chunks", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(2);
    // The last samples before a block boundary, then a selection, then samples past it (a cut).
    for (let i = 0; i < 20; i++) s.append(T0 + BLOCK - 20 * 15_000 + i * 15_000, i, BLOCK);
    expect(plain(cachedSelect(cache, [s], T0, T0 + 2 * BLOCK)[0]!)).toEqual(reference(s, T0, T0 + 2 * BLOCK));
    for (let i = 0; i < 20; i++) s.append(T0 + BLOCK + i * 15_000, 100 + i, BLOCK);
    expect(s.sealed).toHaveLength(1);
    const got = cachedSelect(cache, [s], T0, T0 + 2 * BLOCK);
    expect(plain(got[0]!)).toEqual(reference(s, T0, T0 + 2 * BLOCK));
    expect(got[0]!.t.length).toBe(40);
    // The sealed chunk came from the mirror it replaced: a hit, nothing decoded again.
    const before = cache.size;
    cachedSelect(cache, [s], T0, T0 + 2 * BLOCK);
    expect(cache.size).toBe(before);
    // Flushing moves the open chunk to `recent`; its mirror becomes that chunk's entry.
    const taken = s.takeUnflushed();
    s.recent = taken;
    expect(s.openMirror).toBeNull();
    expect(plain(cachedSelect(cache, [s], T0, T0 + 2 * BLOCK)[0]!)).toEqual(reference(s, T0, T0 + 2 * BLOCK));
  });

  it("stays within a small budget by evicting the least recently used, with identical results", () => {
    const series = Array.from({ length: 40 }, (_, i) => newSeries(100 + i));
    const budget = 12_000; // a few series' worth of decoded samples
    const cache = new ReadCache(budget);
    const r = rng(7);
    let t = T0;
    for (let round = 0; round < 30; round++) {
      t += 1 + Math.floor(r() * 4 * 60_000);
      for (const s of series) if (r() < 0.7) s.append(t, r() < 0.05 ? STALE_NAN : r() * 100, BLOCK);
      if (round % 10 === 9) for (const s of series) if (r() < 0.3) s.recent = s.takeUnflushed();
      const mint = T0 + Math.floor(r() * (t - T0));
      const maxt = mint + Math.floor(r() * (t - mint + 1));
      const picked = series.filter(() => r() < 0.5);
      const got = cachedSelect(cache, picked, mint, maxt);
      const want = picked.map((s) => reference(s, mint, maxt)).filter((x) => x.t.length > 0);
      expect(got.map(plain)).toEqual(want);
      expect(cache.bytes).toBeLessThanOrEqual(budget);
    }
    expect(cache.size).toBeGreaterThan(0);
    // Evicted mirrors are let go by their series.
    const mirrors = series.filter((s) => s.openMirror !== null).length;
    expect(mirrors).toBeLessThan(series.length);
  });

  it("serves several series through views and copies only those spanning several chunks", () => {
    const cache = new ReadCache(1 << 20);
    const a = newSeries(3);
    const b = newSeries(4);
    for (let i = 0; i < 30; i++) a.append(T0 + i * 60_000, i, BLOCK);
    for (let i = 0; i < 30; i++) b.append(T0 + BLOCK - 15 * 60_000 + i * 60_000, -i, BLOCK); // crosses the boundary
    const got = cachedSelect(cache, [a, b], T0, T0 + 2 * BLOCK);
    expect(got.map(plain)).toEqual([reference(a, T0, T0 + 2 * BLOCK), reference(b, T0, T0 + 2 * BLOCK)]);
    const again = cachedSelect(cache, [a, b], T0, T0 + 2 * BLOCK);
    expect(again[0]!.t.buffer).toBe(got[0]!.t.buffer); // a's single chunk: the mirror itself
    expect(again[1]!.t.buffer).not.toBe(got[1]!.t.buffer); // b's two chunks: a fresh copy each time
  });

  it("never serves a mirror that missed an append, and forgets a deleted series", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(5);
    for (let i = 0; i < 5; i++) s.append(T0 + i, i, BLOCK);
    cachedSelect(cache, [s], T0, T0 + H);
    // An append that bypasses MemSeries.append (as a future code path might).
    s.open!.append(T0 + 5, 5);
    expect(plain(cachedSelect(cache, [s], T0, T0 + H)[0]!)).toEqual(reference(s, T0, T0 + H));
    cache.forget(s);
    expect(s.openMirror).toBeNull();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("does not cache what exceeds the budget on its own, and still answers", () => {
    const cache = new ReadCache(1000);
    const s = newSeries(6);
    for (let i = 0; i < 200; i++) s.append(T0 + i * 1000, i, BLOCK);
    expect(plain(cachedSelect(cache, [s], T0, T0 + H)[0]!)).toEqual(reference(s, T0, T0 + H));
    expect(s.openMirror).toBeNull();
    expect(cache.bytes).toBe(0);
  });
});
