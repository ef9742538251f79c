import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SqlClient } from "@/db/client";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { labelsFromRecord, type Labels } from "./labels/labels";
import { newMatcher } from "./labels/matcher";
import { storageMetrics } from "./metrics";
import { AppendError, SeriesStore, type AppendBatch } from "./store";

const backends = await testBackends();

/** Prometheus's staleness marker: a NaN with a specific payload. */
const STALE_NAN = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

function bitsOf(x: number): bigint {
  // Not `new Float64Array([x])`: an array literal would canonicalize the NaN payload.
  const f = new Float64Array(1);
  f[0] = x;
  return new BigUint64Array(f.buffer)[0]!;
}

function ls(rec: Record<string, string>): Labels {
  return labelsFromRecord(rec);
}

/**
 * Samples of one series. Values live in a Float64Array: V8 canonicalizes NaN
 * payloads stored in plain arrays, which would turn a staleness marker into an
 * ordinary NaN before it ever reaches the store.
 */
interface Entry {
  labels: Labels;
  t: number[];
  v: Float64Array;
}

function entry(labels: Labels, samples: [number, number][]): Entry {
  return { labels, t: samples.map((x) => x[0]), v: Float64Array.from(samples, (x) => x[1]) };
}

/** A batch with one entry per series. */
function batch(entries: (Entry | { labels: Labels; samples: [number, number][] })[]): AppendBatch {
  const es = entries.map((e) => ("samples" in e ? entry(e.labels, e.samples) : e));
  const offsets = [0];
  const t: number[] = [];
  const v = new Float64Array(es.reduce((n, e) => n + e.t.length, 0));
  for (const e of es) {
    v.set(e.v, t.length);
    t.push(...e.t);
    offsets.push(t.length);
  }
  return { entries: es.map((e) => e.labels), offsets, t, v };
}

function asPlain(res: { labels: Labels; t: Iterable<number>; v: Float64Array }[]) {
  return res.map((s) => ({
    labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])),
    samples: [...s.t].map((t, i) => [t, bitsOf(s.v[i]!)] as const),
  }));
}

const H = 3600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * H)); // aligned to a 2 h window
const all = () => [newMatcher("=~", "__name__", ".+")];

describe.each(backends)("series store on $name", (backend) => {
  let db: TestDatabase;
  let client: SqlClient;
  let store: SeriesStore;
  let now = T0 + 3 * H;
  const clock = () => now;

  const reopen = async (opts: { flush?: boolean } = {}) => {
    if (opts.flush) await store.close();
    await client.close();
    client = await db.open();
    store = await SeriesStore.open(client, { now: clock });
  };

  beforeEach(async () => {
    now = T0 + 3 * H;
    db = await backend.create();
    client = await db.open();
    store = await SeriesStore.open(client, { now: clock });
  });
  afterEach(async () => {
    await client.close();
    await db.destroy();
  });
  afterAll(() => undefined);

  it("returns exactly what was appended, staleness markers bit-exact, across flush, compaction and restart", async () => {
    const a = ls({ __name__: "up", job: "node", instance: "a:9100" });
    const b = ls({ __name__: "up", job: "node", instance: "b:9100" });
    const c = ls({ __name__: "http_requests_total", job: "api", code: "200" });
    const n = 704;
    const eA: Entry = { labels: a, t: [], v: new Float64Array(n) };
    for (let i = 0; i < 700; i++) {
      eA.t.push(T0 + i * 15_000);
      eA.v[i] = i % 3 === 0 ? 1 : 0.5 + i;
    }
    eA.t.push(T0 + 700 * 15_000, T0 + 701 * 15_000, T0 + 702 * 15_000, T0 + 703 * 15_000);
    eA.v[700] = STALE_NAN;
    eA.v[701] = Number.NaN;
    eA.v[702] = -0;
    eA.v[703] = Number.POSITIVE_INFINITY;
    expect(bitsOf(eA.v[700]!)).toBe(0x7ff0000000000002n);
    const eB = entry(b, [[T0 + 5, 1e-300], [T0 + 6, -1.5], [T0 + 2 * H + 1, 42]]);
    const eC = entry(c, [[T0 - 1, 7]]);
    const res = await store.append(batch([eA, eB, eC]));
    expect(res).toMatchObject({ appended: n + 3 + 1, duplicates: 0, seriesCreated: 3 });

    const expected = asPlain([eC, eA, eB]);
    const sorted = (x: ReturnType<typeof asPlain>) => [...x].sort((p, q) => JSON.stringify(p.labels).localeCompare(JSON.stringify(q.labels)));
    const check = async () => {
      const got = asPlain(await store.select(all(), T0 - H, T0 + 10 * H));
      expect(sorted(got)).toEqual(sorted(expected));
      // The staleness marker stays distinct from an ordinary NaN.
      const gotA = got.find((s) => s.labels.instance === "a:9100")!;
      expect(gotA.samples[700]![1]).toBe(0x7ff0000000000002n);
      expect(gotA.samples[701]![1]).not.toBe(0x7ff0000000000002n);
    };
    await check(); // from the head
    await reopen(); // crash-like restart: WAL replay
    await check();
    expect(await store.flush()).toBeGreaterThan(0);
    await check(); // from chunk rows
    await store.compact({ all: true });
    await check();
    await reopen({ flush: true });
    await check();
    // Range restriction is inclusive on both ends.
    const part = await store.select([newMatcher("=", "instance", "a:9100")], T0 + 15_000, T0 + 30_000);
    expect([...part[0]!.t]).toEqual([T0 + 15_000, T0 + 30_000]);
  });

  it("applies Prometheus's out-of-order policy, counts rejections, and leaves the store unchanged", async () => {
    const s = ls({ __name__: "m", k: "v" });
    await store.append(batch([{ labels: s, samples: [[T0 + 1000, 1], [T0 + 2000, 2]] }]));
    const before = asPlain(await store.select(all(), 0, T0 + 10 * H));
    const rejected = async (reason: string) => (await storageMetrics.samplesRejected.get()).values.find((x) => x.labels.reason === reason)?.value ?? 0;

    const ooo0 = await rejected("out_of_order");
    const other = ls({ __name__: "m", k: "other" });
    await expect(store.append(batch([{ labels: other, samples: [[T0 + 5000, 1]] }, { labels: s, samples: [[T0 + 1500, 9]] }]))).rejects.toThrow(
      new AppendError("out_of_order", "out of order sample"),
    );
    expect(await rejected("out_of_order")).toBe(ooo0 + 1);

    const dup0 = await rejected("duplicate");
    await expect(store.append(batch([{ labels: s, samples: [[T0 + 2000, 3]] }]))).rejects.toThrow("duplicate sample for timestamp");
    expect(await rejected("duplicate")).toBe(dup0 + 1);

    const oob0 = await rejected("out_of_bounds");
    await expect(store.append(batch([{ labels: other, samples: [[now - 16 * 24 * H, 1]] }]))).rejects.toThrow(/out of bounds/);
    expect(await rejected("out_of_bounds")).toBe(oob0 + 1);

    // Inside one request, a series' samples must be in order too.
    await expect(store.append(batch([{ labels: other, samples: [[T0 + 9000, 1], [T0 + 8000, 1]] }]))).rejects.toThrow("out of order sample");

    expect(asPlain(await store.select(all(), 0, T0 + 10 * H))).toEqual(before);
    expect(store.series([newMatcher("=", "k", "other")])).toEqual([]);

    // An exact duplicate is ignored, also after a restart (the newest value survives in the chunk row).
    const dupRes = await store.append(batch([{ labels: s, samples: [[T0 + 2000, 2]] }]));
    expect(dupRes).toMatchObject({ appended: 0, duplicates: 1 });
    await store.flush();
    await reopen();
    expect(await store.append(batch([{ labels: s, samples: [[T0 + 2000, 2]] }]))).toMatchObject({ appended: 0, duplicates: 1 });
    await expect(store.append(batch([{ labels: s, samples: [[T0 + 2000, 5]] }]))).rejects.toThrow("duplicate sample for timestamp");
    expect(asPlain(await store.select(all(), 0, T0 + 10 * H))).toEqual(before);
  });

  it("selects with all four matcher types and Prometheus's empty-label semantics", async () => {
    await store.append(
      batch([
        { labels: ls({ __name__: "x", env: "prod", team: "a" }), samples: [[T0, 1]] },
        { labels: ls({ __name__: "x", env: "dev", team: "b" }), samples: [[T0, 2]] },
        { labels: ls({ __name__: "x", team: "c" }), samples: [[T0, 3]] },
        { labels: ls({ __name__: "y", env: "prod" }), samples: [[T0, 4]] },
      ]),
    );
    const values = async (...m: ReturnType<typeof newMatcher>[]) =>
      (await store.select(m, 0, T0 + H)).map((s) => s.v[0]).sort();
    expect(await values(newMatcher("=", "__name__", "x"), newMatcher("=", "env", "prod"))).toEqual([1]);
    expect(await values(newMatcher("=", "__name__", "x"), newMatcher("!=", "env", "prod"))).toEqual([2, 3]);
    expect(await values(newMatcher("=", "__name__", "x"), newMatcher("=", "env", ""))).toEqual([3]);
    expect(await values(newMatcher("=~", "env", "pro.*"))).toEqual([1, 4]);
    expect(await values(newMatcher("=~", "env", "pro"))).toEqual([]); // fully anchored
    expect(await values(newMatcher("=", "__name__", "x"), newMatcher("!~", "env", "prod|dev"))).toEqual([3]);
    expect(await values(newMatcher("=", "__name__", "x"), newMatcher("=~", "env", "dev|"))).toEqual([2, 3]);
    expect(() => newMatcher("=~", "env", "(a)\\1")).toThrow(/error parsing regexp/);
    expect(() => newMatcher("=~", "env", "(?=a)")).toThrow(/error parsing regexp/);
  });

  it("returns series ordered by labels, whatever their creation order, as series are added and removed", async () => {
    const names = (res: { labels: Labels }[]) => res.map((s) => s.labels.map((l) => `${l.name}=${l.value}`).join(","));
    const sortedNames = (res: { labels: Labels }[]) => [...names(res)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Created in an order far from label order: instance first in creation, code first in labels.
    const first: Entry[] = [];
    for (const instance of ["b", "a", "c"]) for (const code of ["500", "200", "404"]) first.push(entry(ls({ __name__: "x", code, instance }), [[T0, 1]]));
    await store.append(batch(first));
    const x = [newMatcher("=", "__name__", "x")];
    const got = await store.select(x, 0, T0 + H);
    expect(names(got)[0]).toBe("__name__=x,code=200,instance=a");
    expect(names(got)).toEqual(sortedNames(got));
    expect(names(store.series(x).map((labels) => ({ labels })))).toEqual(names(got));
    // Series created later fall into place, between and around the old ones.
    await store.append(
      batch([
        { labels: ls({ __name__: "x", code: "300", instance: "z" }), samples: [[T0 + 15_000, 1]] },
        { labels: ls({ __name__: "x", code: "100", instance: "a" }), samples: [[T0 + 15_000, 1]] },
        { labels: ls({ __name__: "x", code: "999" }), samples: [[T0 + 15_000, 1]] },
      ]),
    );
    const more = await store.select(x, 0, T0 + H);
    expect(more).toHaveLength(12);
    expect(names(more)).toEqual(sortedNames(more));
    expect(names(more)[0]).toBe("__name__=x,code=100,instance=a");
    // Removed series leave the order; it stays right after a restart.
    await store.flush();
    await store.append(batch([{ labels: ls({ __name__: "x", code: "250", instance: "q" }), samples: [[T0 + 5 * H, 1]] }]));
    now = T0 + 5 * H + 15 * 24 * H - 1;
    expect((await store.applyRetention()).deletedSeries).toBe(12);
    await store.append(batch([{ labels: ls({ __name__: "x", code: "050", instance: "q" }), samples: [[T0 + 5 * H + 1, 1]] }]));
    expect(names(await store.select(x, 0, now))).toEqual(["__name__=x,code=050,instance=q", "__name__=x,code=250,instance=q"]);
    await reopen({ flush: true });
    expect(names(await store.select(x, 0, now))).toEqual(["__name__=x,code=050,instance=q", "__name__=x,code=250,instance=q"]);
  });

  it("lists label names and values, restricted by matchers and time, and series with a limit", async () => {
    await store.append(
      batch([
        { labels: ls({ __name__: "a", job: "j1", zone: "z1" }), samples: [[T0, 1]] },
        { labels: ls({ __name__: "b", job: "j2" }), samples: [[T0 + 2 * H, 1]] },
      ]),
    );
    expect(store.labelNames()).toEqual(["__name__", "job", "zone"]);
    expect(store.labelNames([newMatcher("=", "__name__", "b")])).toEqual(["__name__", "job"]);
    expect(store.labelValues("job")).toEqual(["j1", "j2"]);
    expect(store.labelValues("job", [], T0 + H, T0 + 3 * H)).toEqual(["j2"]);
    expect(store.labelValues("job", [newMatcher("=", "zone", "z1")])).toEqual(["j1"]);
    expect(store.series([newMatcher("=~", "job", ".+")], undefined, undefined, 1)).toHaveLength(1);
  });

  it("merges flushed pieces into one row per series and 2 h window", async () => {
    const s = ls({ __name__: "g" });
    for (let k = 0; k < 4; k++) {
      await store.append(batch([{ labels: s, samples: [[T0 + k * 60_000, k], [T0 + k * 60_000 + 30_000, k + 0.5]] }]));
      await store.flush();
    }
    await store.append(batch([{ labels: s, samples: [[T0 + 2 * H + 1, 9]] }]));
    await store.flush();
    const rows = async () => (await client.query<{ n: number }>("SELECT count(*)::int4 AS n FROM chunks"))[0]!.n;
    expect(await rows()).toBe(5);
    const before = asPlain(await store.select(all(), 0, T0 + 10 * H));
    // Only windows before now's window by default; `all` merges the open one too.
    now = T0 + 2 * H + 10;
    const first = await store.compact();
    expect(first).toEqual({ merged: 1, rowsBefore: 4 });
    expect(await rows()).toBe(2);
    expect(asPlain(await store.select(all(), 0, T0 + 10 * H))).toEqual(before);
    // Compaction converges: a second run finds nothing to do.
    expect(await store.compact()).toEqual({ merged: 0, rowsBefore: 0 });
    // A closed window whose values only XOR can hold (a staleness marker) is kept as XOR, once.
    const st = ls({ __name__: "stale" });
    const v = new Float64Array(2);
    v[0] = 1;
    new BigUint64Array(v.buffer)[1] = 0x7ff0000000000002n;
    await store.append(batch([{ labels: st, t: [T0 + 1, T0 + 2], v }]));
    await store.flush();
    expect((await store.compact()).merged).toBe(1);
    expect(await store.compact()).toEqual({ merged: 0, rowsBefore: 0 });
    const got = await store.select([newMatcher("=", "__name__", "stale")], 0, T0 + H);
    expect(bitsOf(got[0]!.v[1]!)).toBe(0x7ff0000000000002n);
  });

  it("removes whole chunk rows past retention and never anything inside the window", async () => {
    const s = ls({ __name__: "r" });
    const old = ls({ __name__: "r_old" });
    await store.append(batch([{ labels: old, samples: [[T0, 1]] }, { labels: s, samples: [[T0, 1], [T0 + 4 * H, 2]] }]));
    await store.flush();
    now = T0 + 4 * H + 15 * 24 * H - 1; // T0 + 4h is still inside the 15 d window
    const res = await store.applyRetention();
    // r_old's row and r's first-window row end before the cutoff; r's second row is inside.
    expect(res).toEqual({ deletedChunks: 2, deletedSeries: 1 });
    const got = asPlain(await store.select(all(), 0, now));
    expect(got.map((x) => x.labels.__name__)).toEqual(["r"]);
    expect(got[0]!.samples.map((x) => x[0])).toEqual([T0 + 4 * H]);
    expect(store.series([newMatcher("=", "__name__", "r_old")])).toEqual([]);
    await reopen();
    expect(store.series([newMatcher("=", "__name__", "r_old")])).toEqual([]);
    expect(asPlain(await store.select(all(), 0, now))).toEqual(got);
  });

  it("summarizes series, samples and cardinality for the TSDB status", async () => {
    await store.append(
      batch([
        { labels: ls({ __name__: "a", job: "x", i: "1" }), samples: [[T0, 1], [T0 + 1, 1]] },
        { labels: ls({ __name__: "a", job: "x", i: "2" }), samples: [[T0, 1]] },
        { labels: ls({ __name__: "b", job: "x" }), samples: [[T0, 1]] },
      ]),
    );
    await store.flush();
    await store.append(batch([{ labels: ls({ __name__: "b", job: "x" }), samples: [[T0 + 5, 1]] }]));
    const st = await store.status();
    expect(st.numSeries).toBe(3);
    expect(st.numSamples).toBe(5);
    expect(st.minTime).toBe(T0);
    expect(st.maxTime).toBe(T0 + 5);
    expect(st.seriesCountByMetricName[0]).toEqual({ name: "a", value: 2 });
    expect(st.seriesCountByLabelValuePair[0]).toEqual({ name: "job=x", value: 3 });
    expect(st.labelValueCountByLabelName.find((x) => x.name === "i")).toEqual({ name: "i", value: 2 });
  });
});
