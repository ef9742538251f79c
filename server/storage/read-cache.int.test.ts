import { afterEach, describe, expect, it } from "vitest";
import type { SqlClient } from "@/db/client";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { labelsFromRecord, type Labels } from "./labels/labels";
import { newMatcher, type Matcher } from "./labels/matcher";
import { AppendError, SeriesStore, type AppendBatch, type SeriesSamples } from "./store";
import { mulberry32 as rng } from "@/server/testing/random";

const backends = await testBackends();

const H = 3600_000;
const BLOCK = 2 * H;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % BLOCK);
const RETENTION = 6 * H;
/** Prometheus's staleness marker (a signalling NaN). */
const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

/** Results with values as bit patterns (NaN payloads compared exactly). */
function plain(res: SeriesSamples[]) {
  return res.map((s) => ({
    labels: s.labels.map((l) => `${l.name}=${l.value}`).join(","),
    t: [...s.t],
    v: [...new BigUint64Array(s.v.buffer, s.v.byteOffset, s.v.length)],
  }));
}

interface Variant {
  name: string;
  cacheBytes: number;
  db: TestDatabase;
  client: SqlClient;
  store: SeriesStore;
}

/**
 * The same random history (appends with staleness markers, refused out-of-order batches,
 * flushes, compactions, retention deleting rows and series, a restart) applied to three
 * stores: without the cache, with a roomy one, and with one small enough to evict on every
 * select. After every step, random selects must agree bit for bit, and agree with a model
 * of what was appended (for samples inside the retention window).
 */
describe.each(backends)("read cache on $name", (backend) => {
  const variants: Variant[] = [];
  let now = T0;
  const clock = () => now;

  afterEach(async () => {
    for (const v of variants.splice(0)) {
      await v.client.close();
      await v.db.destroy();
    }
  });

  it("returns exactly what the store returns without it, through appends, flush, compaction, retention and restart", async () => {
    for (const [name, cacheBytes] of [
      ["off", 0],
      ["roomy", 64 << 20],
      ["tiny", 6_000],
    ] as const) {
      const db = await backend.create();
      const client = await db.open();
      const store = await SeriesStore.open(client, { now: clock, retentionMs: RETENTION, readCacheBytes: cacheBytes });
      variants.push({ name, cacheBytes, db, client, store });
    }
    const r = rng(20240611);
    const NUM = 24;
    const labelsOf = (i: number, gen: number): Labels =>
      labelsFromRecord({ __name__: i % 3 === 0 ? "b" : "a", i: String(i), job: `j${i % 4}`, gen: String(gen) });
    // Model: per series key, its samples (value bits), and the generation (a deleted series comes back as a new one).
    const gen = new Array<number>(NUM).fill(0);
    const model = new Map<string, { t: number[]; v: bigint[] }>();
    const lastT = new Array<number>(NUM).fill(Number.NEGATIVE_INFINITY);
    const key = (l: Labels) => l.map((x) => `${x.name}=${x.value}`).join(",");
    // Series 0..3 stop being written early, so retention deletes them (and they come back later).
    const quiet = (i: number, step: number) => i < 4 && step > 8 && step < 30;
    let cutoff = Number.NEGATIVE_INFINITY;

    const checkSelects = async (label: string) => {
      for (let q = 0; q < 6; q++) {
        const lo = T0 - H + Math.floor(r() * (now - T0 + 2 * H));
        const span = r() < 0.3 ? Math.floor(r() * 5 * 60_000) : Math.floor(r() * 8 * H);
        let mint = r() < 0.15 ? Number.NEGATIVE_INFINITY : lo;
        let maxt = r() < 0.15 ? Number.POSITIVE_INFINITY : lo + span;
        // What dashboards ask for: the last hours up to now, again and again (served by mirrors).
        if (q === 0) [mint, maxt] = [now - 2 * H, now];
        if (q === 1) [mint, maxt] = [now - 20 * 60_000, now + 1];
        const ms: Matcher[] =
          r() < 0.5 ? [newMatcher("=~", "__name__", ".+")] : [newMatcher("=", "__name__", r() < 0.5 ? "a" : "b"), newMatcher("!=", "job", "j1")];
        const results = [];
        for (const v of variants) results.push(plain(await v.store.select(ms, mint, maxt)));
        for (let k = 1; k < results.length; k++) {
          expect(results[k], `${label}: ${variants[k]!.name} vs off, [${mint}, ${maxt}]`).toEqual(results[0]);
        }
        // The model, for what retention cannot have touched.
        const from = Math.max(mint, cutoff);
        const want = [];
        for (const [k, s] of model) {
          if (!ms.every((m) => m.matches(k.split(",").find((p) => p.startsWith(`${m.name}=`))?.slice(m.name.length + 1) ?? ""))) continue;
          const idx = s.t.map((t, i) => (t >= from && t <= maxt ? i : -1)).filter((i) => i >= 0);
          if (idx.length > 0) want.push({ labels: k, t: idx.map((i) => s.t[i]!), v: idx.map((i) => s.v[i]!) });
        }
        const got = results[0]!
          .map((s) => {
            const idx = s.t.map((t, i) => (t >= from ? i : -1)).filter((i) => i >= 0);
            return { labels: s.labels, t: idx.map((i) => s.t[i]!), v: idx.map((i) => s.v[i]!) };
          })
          .filter((s) => s.t.length > 0);
        const byLabels = (x: { labels: string }, y: { labels: string }) => (x.labels < y.labels ? -1 : x.labels > y.labels ? 1 : 0);
        expect(got.sort(byLabels), `${label}: model, [${mint}, ${maxt}]`).toEqual(want.sort(byLabels));
      }
    };

    let t = T0;
    for (let step = 0; step < 40; step++) {
      // A batch: each series gets 0..6 new samples, some crossing block windows.
      const entries: Labels[] = [];
      const offsets = [0];
      const ts: number[] = [];
      const vs: number[] = [];
      const vb: bigint[] = [];
      const f = new Float64Array(1);
      const fb = new BigUint64Array(f.buffer);
      const start = t;
      for (let i = 0; i < NUM; i++) {
        if (quiet(i, step) || r() < 0.2) continue;
        const n = Math.floor(r() * 7);
        let ti = Math.max(start, lastT[i]!);
        for (let j = 0; j < n; j++) {
          ti += 1 + Math.floor(r() * 3 * 60_000);
          const x = r();
          f[0] = x < 0.08 ? STALE_NAN : x < 0.1 ? Number.NaN : x < 0.12 ? -0 : Math.round(r() * 1e6) / 100;
          ts.push(ti);
          vs.push(f[0]);
          vb.push(fb[0]!);
        }
        if (n === 0) continue;
        entries.push(labelsOf(i, gen[i]!));
        offsets.push(ts.length);
        lastT[i] = ti;
      }
      const v = new Float64Array(vs.length);
      new BigUint64Array(v.buffer).set(vb);
      const b: AppendBatch = { entries, offsets, t: ts, v };
      for (const x of variants) await x.store.append(b);
      for (let e = 0; e < entries.length; e++) {
        const k = key(entries[e]!);
        let m = model.get(k);
        if (!m) model.set(k, (m = { t: [], v: [] }));
        for (let j = offsets[e]!; j < offsets[e + 1]!; j++) {
          m.t.push(ts[j]!);
          m.v.push(vb[j]!);
        }
      }
      t = Math.max(t, ...ts.filter(Number.isFinite)) + 1;
      now = t;
      await checkSelects(`step ${step} append`);

      // An out-of-order sample in an otherwise valid batch: refused everywhere, nothing stored.
      if (step % 5 === 2 && entries.length > 1) {
        const late: AppendBatch = { entries: [entries[0]!, entries[1]!], offsets: [0, 1, 2], t: [now + 1000, ts[offsets[1]!]! - 1], v: new Float64Array([1, 2]) };
        for (const x of variants) await expect(x.store.append(late)).rejects.toBeInstanceOf(AppendError);
        await checkSelects(`step ${step} refused`);
      }
      if (step % 4 === 3) {
        for (const x of variants) await x.store.flush();
        await checkSelects(`step ${step} flush`);
      }
      if (step % 9 === 8) {
        for (const x of variants) await x.store.compact({ all: step % 18 === 17 });
        await checkSelects(`step ${step} compaction`);
      }
      if (step % 10 === 9) {
        const res = [];
        for (const x of variants) res.push(await x.store.applyRetention());
        expect(res[1]).toEqual(res[0]);
        expect(res[2]).toEqual(res[0]);
        cutoff = now - RETENTION;
        // Deleted series: the model forgets them and they come back under a new generation.
        for (let i = 0; i < NUM; i++) {
          const k = key(labelsOf(i, gen[i]!));
          if (variants[0]!.store.lookup(labelsOf(i, gen[i]!)) === undefined && model.has(k)) {
            model.delete(k);
            gen[i]!++;
            lastT[i] = Number.NEGATIVE_INFINITY;
          }
        }
        await checkSelects(`step ${step} retention`);
      }
      if (step === 25) {
        // A restart of the cached stores: the WAL replays into a head without mirrors.
        for (const x of variants) {
          await x.client.close();
          x.client = await x.db.open();
          x.store = await SeriesStore.open(x.client, { now: clock, retentionMs: RETENTION, readCacheBytes: x.cacheBytes });
        }
        await checkSelects(`step ${step} restart`);
      }
      // Time moves on, sometimes by more than a block window.
      t += Math.floor(r() * (r() < 0.15 ? 3 * H : 20 * 60_000));
    }
    // Retention did delete series along the way, and the tiny cache did evict.
    expect(gen.some((g) => g > 0)).toBe(true);
    expect(variants[2]!.store.readCache!.bytes).toBeLessThanOrEqual(6_000);
    expect(variants[1]!.store.readCache!.size).toBeGreaterThan(variants[2]!.store.readCache!.size);
  });
});
