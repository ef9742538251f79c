import { describe, expect, it } from "vitest";
import { decodeChunk } from "./chunk/chunk";
import { MemSeries, type MemChunk } from "./head";
import { labelsFromRecord } from "./labels/labels";
import { ReadCache, type CachedSeries, type ReadItem, type ReadPart } from "./read-cache";
import { mulberry32 as rng } from "@/server/testing/random";

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

/** A select over the head only, through the cache, as SeriesStore.select does it. */
function cachedSelect(cache: ReadCache, series: MemSeries[], mint: number, maxt: number): CachedSeries[] {
  const epoch = cache.retentionEpoch;
  const items: ReadItem[] = [];
  for (const s of series) {
    if (s.lastT < mint || s.firstT > maxt) continue;
    const m = cache.mirrorPart(s, mint);
    if (m !== null) {
      items.push({ s, parts: [m], lastT: s.lastT, mirrored: true });
      continue;
    }
    const parts: ReadPart[] = [];
    cache.memParts(s, mint, maxt, parts);
    items.push({ s, parts, lastT: s.lastT, mirrored: false });
  }
  return cache.assemble(items, mint, maxt, epoch);
}

function plain(r: CachedSeries): { t: number[]; v: bigint[] } {
  return { t: [...r.t], v: bits(r.v) };
}

/** The mirror's internals, for assertions. */
function mirrorOf(s: MemSeries): { n: number; startT: number; t: Float64Array } | null {
  return s.mirror as unknown as { n: number; startT: number; t: Float64Array } | null;
}

describe("read cache over the head", () => {
  it("follows a series as it grows between selects, without copying", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(1);
    for (let i = 0; i < 10; i++) s.append(T0 + i * 15_000, i, BLOCK);
    const first = cachedSelect(cache, [s], T0, T0 + H);
    expect(plain(first[0]!)).toEqual(reference(s, T0, T0 + H));
    const mirror = mirrorOf(s);
    expect(mirror).not.toBeNull();
    // Far past the mirror's first capacity, so it moves to larger arrays several times
    // (read now and then, as a mirror nobody reads between two regrowths is dropped).
    for (let i = 10; i < 400; i++) {
      s.append(T0 + i * 15_000, i % 7 === 0 ? STALE_NAN : i / 3, BLOCK);
      if (i % 50 === 0) cachedSelect(cache, [s], T0, T0 + H);
    }
    // Kept current by append: the same mirror, every sample from T0 on.
    expect(mirrorOf(s)).toBe(mirror);
    const second = cachedSelect(cache, [s], T0, T0 + 2 * H);
    expect(plain(second[0]!)).toEqual(reference(s, T0, T0 + 2 * H));
    expect(second[0]!.t.buffer).toBe(mirror!.t.buffer);
    expect(bits(second[0]!.v)[14]).toBe(0x7ff0000000000002n);
    // The first result is a view that later appends and regrowth did not disturb.
    expect([...first[0]!.t]).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i * 15_000));
    const third = cachedSelect(cache, [s], T0 + 15_000, T0 + 30_000);
    expect(third[0]!.t.buffer).toBe(second[0]!.t.buffer);
    expect([...third[0]!.t]).toEqual([T0 + 15_000, T0 + 30_000]);
  });

  it("keeps a series' mirror across a chunk cut and a flush, and answers from it alone", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(2);
    // The last samples before a block boundary, then a selection, then samples past it (a cut).
    for (let i = 0; i < 20; i++) s.append(T0 + BLOCK - 20 * 15_000 + i * 15_000, i, BLOCK);
    expect(plain(cachedSelect(cache, [s], T0, T0 + 2 * BLOCK)[0]!)).toEqual(reference(s, T0, T0 + 2 * BLOCK));
    const mirror = mirrorOf(s);
    for (let i = 0; i < 20; i++) s.append(T0 + BLOCK + i * 15_000, 100 + i, BLOCK);
    expect(s.sealed).toHaveLength(1);
    s.recent = s.takeUnflushed();
    for (let i = 20; i < 30; i++) s.append(T0 + BLOCK + i * 15_000, 100 + i, BLOCK);
    expect(mirrorOf(s)).toBe(mirror);
    const got = cachedSelect(cache, [s], T0, T0 + 2 * BLOCK);
    expect(plain(got[0]!)).toEqual(reference(s, T0, T0 + 2 * BLOCK));
    expect(got[0]!.t.length).toBe(50);
    expect(got[0]!.t.buffer).toBe(mirror!.t.buffer); // three chunks underneath, one view
  });

  it("builds a mirror from several chunks, and answers an older range from the chunks instead", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(3);
    for (let i = 0; i < 60; i++) s.append(T0 + BLOCK - 30 * 60_000 + i * 60_000, i, BLOCK); // crosses the boundary
    const from = T0 + BLOCK - 10 * 60_000;
    const got = cachedSelect(cache, [s], from, T0 + 2 * BLOCK);
    expect(plain(got[0]!)).toEqual(reference(s, from, T0 + 2 * BLOCK));
    expect(mirrorOf(s)!.startT).toBe(from);
    expect(mirrorOf(s)!.n).toBe(40);
    // Older than the mirror: read from the chunks (sealed one cached), then a wider mirror.
    const older = cachedSelect(cache, [s], T0, T0 + 2 * BLOCK);
    expect(plain(older[0]!)).toEqual(reference(s, T0, T0 + 2 * BLOCK));
    expect(mirrorOf(s)!.startT).toBe(T0);
    // A range that ends before the newest sample but inside the open chunk (a dashboard's
    // step-aligned end, a rule's evaluation time) reads that chunk whole: it builds a mirror
    // reaching the newest sample, which answers the same select again and a later one.
    const s2 = newSeries(4);
    for (let i = 0; i < 60; i++) s2.append(T0 + BLOCK - 30 * 60_000 + i * 60_000, -i, BLOCK);
    const mid = [T0 + BLOCK - 20 * 60_000, T0 + BLOCK + 10 * 60_000] as const;
    const h1 = cachedSelect(cache, [s2], ...mid);
    expect(plain(h1[0]!)).toEqual(reference(s2, ...mid));
    const m2 = mirrorOf(s2)!;
    expect(m2.startT).toBe(mid[0]);
    expect(m2.n).toBe(50); // from 20 minutes before the block boundary to the newest sample, 29 after it
    expect(m2.t[m2.n - 1]).toBe(s2.lastT);
    const h2 = cachedSelect(cache, [s2], ...mid);
    expect(plain(h2[0]!)).toEqual(reference(s2, ...mid));
    expect(h2[0]!.t.buffer).toBe(m2.t.buffer); // a view of the mirror
    s2.append(s2.lastT + 60_000, 7, BLOCK);
    const later = [mid[0] + 60_000, mid[1] + 60_000] as const;
    expect(plain(cachedSelect(cache, [s2], ...later)[0]!)).toEqual(reference(s2, ...later));
    // A range that ends before the open chunk starts builds none; repeated, its chunks
    // come from the cache and stay exact.
    const s3 = newSeries(6);
    for (let i = 0; i < 60; i++) s3.append(T0 + BLOCK - 30 * 60_000 + i * 60_000, i * 2, BLOCK);
    const past = [T0 + BLOCK - 20 * 60_000, T0 + BLOCK - 60_000] as const;
    expect(plain(cachedSelect(cache, [s3], ...past)[0]!)).toEqual(reference(s3, ...past));
    expect(plain(cachedSelect(cache, [s3], ...past)[0]!)).toEqual(reference(s3, ...past));
    expect(s3.mirror).toBeNull();
  });

  it("keeps only what selects asked for when a mirror regrows", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(5);
    for (let i = 0; i < 200; i++) s.append(T0 + i * 15_000, i, BLOCK);
    cachedSelect(cache, [s], T0, T0 + BLOCK); // a 200-sample mirror with room for 50 more
    const m = mirrorOf(s)!;
    // Only the last 10 minutes are asked for from now on: the first regrowth still keeps
    // what the first select asked for, the second only what was asked for since.
    let t = T0 + 200 * 15_000;
    let i = 0;
    for (; i < 1000 && m.startT === T0; i++, t += 15_000) {
      s.append(t, i, BLOCK);
      expect(plain(cachedSelect(cache, [s], t - 10 * 60_000, t)[0]!)).toEqual(reference(s, t - 10 * 60_000, t));
    }
    expect(mirrorOf(s)).toBe(m);
    expect(m.startT).toBeGreaterThan(T0);
    expect(m.n).toBeLessThan(250);
    const lastMint = t - 10 * 60_000;
    expect(plain(cachedSelect(cache, [s], lastMint, t)[0]!)).toEqual(reference(s, lastMint, t));
    // Nobody reads it any more: trimmed once to that last read, then it keeps growing
    // untrimmed, until the budget evicts it.
    for (let i = 0; i < 400; i++) s.append((t += 15_000), i, BLOCK);
    expect(mirrorOf(s)).toBe(m);
    const startT = m.startT;
    // (the loop's last select, a step earlier, asked from 15 s before lastMint)
    expect(startT).toBe(lastMint - 15_000);
    expect(m.n).toBeGreaterThan(400);
    expect(plain(cachedSelect(cache, [s], startT, t)[0]!)).toEqual(reference(s, startT, t));
  });

  it("stays within a small budget by evicting the least recently used, with identical results", () => {
    const series = Array.from({ length: 40 }, (_, i) => newSeries(100 + i));
    const budget = 12_000; // a few series' worth of decoded samples
    const cache = new ReadCache(budget);
    const r = rng(7);
    let t = T0;
    for (let round = 0; round < 60; round++) {
      t += 1 + Math.floor(r() * 4 * 60_000);
      for (const s of series) if (r() < 0.7) s.append(t, r() < 0.05 ? STALE_NAN : r() * 100, BLOCK);
      if (round % 10 === 9) for (const s of series) if (r() < 0.3) s.recent = s.takeUnflushed();
      const mint = T0 + Math.floor(r() * (t - T0));
      const maxt = r() < 0.5 ? t + 1000 : mint + Math.floor(r() * (t - mint + 1));
      const picked = series.filter(() => r() < 0.5);
      const got = cachedSelect(cache, picked, mint, maxt);
      const want = picked.map((s) => reference(s, mint, maxt)).filter((x) => x.t.length > 0);
      expect(got.map(plain)).toEqual(want);
      expect(cache.bytes).toBeLessThanOrEqual(budget);
    }
    expect(cache.size).toBeGreaterThan(0);
    // Evicted mirrors are let go by their series.
    const mirrors = series.filter((s) => s.mirror !== null).length;
    expect(mirrors).toBeLessThan(series.length);
  });

  it("never serves a mirror a sample bypassed, and forgets a deleted series", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(6);
    for (let i = 0; i < 5; i++) s.append(T0 + i, i, BLOCK);
    cachedSelect(cache, [s], T0, T0 + H);
    expect(s.mirror).not.toBeNull();
    // A sample that reaches the head without MemSeries.append (as a future code path might).
    s.open!.append(T0 + 5, 5);
    s.lastT = T0 + 5;
    expect(plain(cachedSelect(cache, [s], T0, T0 + H)[0]!)).toEqual(reference(s, T0, T0 + H));
    cache.forget(s);
    expect(s.mirror).toBeNull();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it("drops mirrors reaching before a retention cutoff, and builds none from a select that began before it", () => {
    const cache = new ReadCache(1 << 20);
    const a = newSeries(7);
    const b = newSeries(8);
    for (let i = 0; i < 50; i++) {
      a.append(T0 + i * 60_000, i, BLOCK);
      b.append(T0 + 20 * 60_000 + i * 60_000, i, BLOCK);
    }
    cachedSelect(cache, [a], T0, T0 + H);
    cachedSelect(cache, [b], T0 + 30 * 60_000, T0 + 2 * H);
    cache.retain(T0 + 10 * 60_000);
    expect(a.mirror).toBeNull();
    expect(b.mirror).not.toBeNull();
    // A select under way across a retention run answers, but keeps nothing.
    const c = newSeries(9);
    for (let i = 0; i < 50; i++) c.append(T0 + i * 60_000, i, BLOCK);
    const epoch = cache.retentionEpoch;
    const parts: ReadPart[] = [];
    cache.memParts(c, T0, T0 + H, parts);
    cache.retain(T0);
    const got = cache.assemble([{ s: c, parts, lastT: c.lastT, mirrored: false }], T0, T0 + H, epoch);
    expect(plain(got[0]!)).toEqual(reference(c, T0, T0 + H));
    expect(c.mirror).toBeNull();
  });

  it("mirrors a series whose samples in range are one flushed chunk without writing into the chunk's entry", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(12);
    for (let i = 0; i < 30; i++) s.append(T0 + i * 60_000, i, BLOCK);
    s.recent = s.takeUnflushed(); // the series is all in one immutable chunk now
    const first = cachedSelect(cache, [s], T0 + 10 * 60_000, T0 + H);
    expect(plain(first[0]!)).toEqual(reference(s, T0 + 10 * 60_000, T0 + H));
    const m = mirrorOf(s)!;
    expect(m.startT).toBe(T0);
    const shared = m.t;
    const before = [...shared];
    for (let i = 30; i < 40; i++) s.append(T0 + i * 60_000, i, BLOCK);
    expect(mirrorOf(s)).toBe(m);
    expect(m.t).not.toBe(shared);
    expect([...shared]).toEqual(before);
    // The chunk's entry still answers a range that ends before the newest sample.
    expect(plain(cachedSelect(cache, [s], T0, T0 + 20 * 60_000)[0]!)).toEqual(reference(s, T0, T0 + 20 * 60_000));
    expect(plain(cachedSelect(cache, [s], T0, T0 + H)[0]!)).toEqual(reference(s, T0, T0 + H));
  });

  it("keeps the wider mirror when two selects of the same series overlap", () => {
    const cache = new ReadCache(1 << 20);
    const s = newSeries(11);
    for (let i = 0; i < 100; i++) s.append(T0 + BLOCK - 50 * 60_000 + i * 60_000, i, BLOCK); // two chunks
    const gather = (mint: number): ReadItem => {
      const parts: ReadPart[] = [];
      cache.memParts(s, mint, T0 + 2 * BLOCK, parts);
      return { s, parts, lastT: s.lastT, mirrored: false };
    };
    const wide = T0 + BLOCK - 40 * 60_000;
    const narrow = T0 + BLOCK - 10 * 60_000;
    // Both gathered before either is assembled, as two selects awaiting the database.
    const a = gather(wide);
    const b = gather(narrow);
    const ra = cache.assemble([a], wide, T0 + 2 * BLOCK, cache.retentionEpoch);
    const rb = cache.assemble([b], narrow, T0 + 2 * BLOCK, cache.retentionEpoch);
    expect(plain(ra[0]!)).toEqual(reference(s, wide, T0 + 2 * BLOCK));
    expect(plain(rb[0]!)).toEqual(reference(s, narrow, T0 + 2 * BLOCK));
    expect(mirrorOf(s)!.startT).toBe(wide);
    // A narrower one does not replace it; a still older range does.
    const c = gather(narrow - 1);
    const d = gather(wide - 1);
    cache.assemble([c], narrow - 1, T0 + 2 * BLOCK, cache.retentionEpoch);
    cache.assemble([d], wide - 1, T0 + 2 * BLOCK, cache.retentionEpoch);
    expect(mirrorOf(s)!.startT).toBe(wide - 1);
  });

  it("does not cache what exceeds the budget on its own, and still answers", () => {
    const cache = new ReadCache(1000);
    const s = newSeries(10);
    for (let i = 0; i < 200; i++) s.append(T0 + i * 1000, i, BLOCK);
    expect(plain(cachedSelect(cache, [s], T0, T0 + H)[0]!)).toEqual(reference(s, T0, T0 + H));
    expect(s.mirror).toBeNull();
    expect(cache.bytes).toBe(0);
  });
});
