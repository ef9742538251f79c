// The engine's series-by-series fast paths (streamed rate into aggregations,
// vector matching and vector/scalar operators by series, topk/bottomk over
// step arrays) checked against the general paths and against references
// computed here, over data with counter resets, gaps and late-starting series.
import { describe, expect, it } from "vitest";
import { Engine, ALL_FEATURES } from "./engine";
import { QueryExecutionError } from "./errors";
import { makeStaleNaN, type Matrix } from "./value";
import { MemoryQuerier } from "../promqltest/memory-querier";
import { labelsFromRecord } from "../../storage/labels/labels";
import { mulberry32 as rng } from "@/server/testing/random";

const STEP = 15_000;

/** 40 counters `x` (4 jobs × 10 instances) over 1 h: resets, gaps, some starting late or ending early; `info` per instance. */
function data(): MemoryQuerier {
  const q = new MemoryQuerier();
  const rand = rng(42);
  for (let j = 0; j < 4; j++) {
    for (let i = 0; i < 10; i++) {
      const times: number[] = [];
      const values: number[] = [];
      const from = i === 3 ? 1200_000 : 0;
      const to = i === 7 ? 2400_000 : 3600_000;
      let c = rand() * 100;
      for (let t = from; t <= to; t += STEP) {
        if (rand() < 0.1) continue; // a missed scrape
        c = rand() < 0.02 ? rand() * 10 : c + rand() * 20; // occasionally a counter reset
        times.push(t);
        values.push(c);
      }
      q.add(labelsFromRecord({ __name__: "x_total", job: `j${j}`, instance: `i${i}` }), times, Float64Array.from(values));
    }
  }
  for (let i = 0; i < 10; i++) {
    const times = Array.from({ length: 241 }, (_, k) => k * STEP).filter((t) => i !== 5 || t < 1800_000);
    q.add(labelsFromRecord({ __name__: "info", instance: `i${i}`, version: `v${i % 3}` }), times, new Float64Array(times.length).fill(1));
  }
  return q;
}

async function range(engine: Engine, q: string): Promise<Matrix> {
  const r = await engine.rangeQuery(q, 600_000, 3600_000, STEP);
  if (r.value.type !== "matrix") throw new Error("expected a matrix");
  return r.value.value;
}

/** A matrix as plain data, so toEqual compares values exactly (NaN equals NaN). */
function plain(m: Matrix): { metric: string; t: number[]; f: number[] }[] {
  return m.map((s) => ({ metric: JSON.stringify(s.metric), t: [...s.t], f: [...s.f] }));
}

describe("engine fast paths", () => {
  const engine = new Engine(data(), ALL_FEATURES);
  const classic = new Engine(data(), {});

  it("streams rate into aggregations with the same result as from a step matrix", async () => {
    for (const op of ["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar"]) {
      for (const fn of ["rate", "increase", "delta"]) {
        // `* 1` makes the aggregation read a materialized step matrix.
        const streamed = await range(engine, `${op} by (job) (${fn}(x_total[5m]))`);
        const materialized = await range(engine, `${op} by (job) (${fn}(x_total[5m]) * 1)`);
        expect(plain(streamed), `${op}/${fn}`).toEqual(plain(materialized));
        expect(streamed.length).toBe(4);
      }
    }
  });

  it("reports rate results that only differ in the dropped name, as Prometheus does without delayed name removal", async () => {
    const q = data();
    const times = Array.from({ length: 41 }, (_, k) => k * STEP);
    q.add(labelsFromRecord({ __name__: "a_total", job: "j" }), times, Float64Array.from(times, (t) => t / 1000));
    q.add(labelsFromRecord({ __name__: "b_total", job: "j" }), times, Float64Array.from(times, (t) => t / 500));
    const e = new Engine(q, {});
    await expect(e.instantQuery('rate({__name__=~"a_total|b_total"}[5m])', 600_000)).rejects.toThrow(
      new QueryExecutionError("vector cannot contain metrics with the same labelset"),
    );
    await expect(e.instantQuery('sum(rate({__name__=~"a_total|b_total"}[5m]))', 600_000)).rejects.toThrow(
      new QueryExecutionError("vector cannot contain metrics with the same labelset"),
    );
    // With delayed name removal the names are still there while sum reads the series.
    const d = new Engine(q, ALL_FEATURES);
    const r = await d.instantQuery('sum(rate({__name__=~"a_total|b_total"}[5m]))', 600_000);
    expect(r.value.type === "vector" && r.value.value[0].f).toBeCloseTo(3, 10);
  });

  it("computes rate over staleness markers as over the series without them", async () => {
    const withMarkers = new MemoryQuerier();
    const without = new MemoryQuerier();
    const stale = makeStaleNaN();
    const rand = rng(3);
    for (let i = 0; i < 5; i++) {
      const times: number[] = [];
      const values = new Float64Array(241);
      const cleanTimes: number[] = [];
      const cleanValues: number[] = [];
      let c = 0;
      for (let k = 0; k < 241; k++) {
        times.push(k * STEP);
        if (i > 0 && rand() < 0.05) {
          values.set(stale, k); // a staleness marker (bit pattern kept)
          continue;
        }
        c += i === 4 && k === 100 ? NaN : rand() * 10; // series 4: a real NaN value from then on
        values[k] = c;
        cleanTimes.push(k * STEP);
        cleanValues.push(c);
      }
      withMarkers.add(labelsFromRecord({ __name__: "s_total", i: String(i) }), times, values);
      without.add(labelsFromRecord({ __name__: "s_total", i: String(i) }), cleanTimes, Float64Array.from(cleanValues));
    }
    for (const q of ["rate(s_total[1m])", "sum(increase(s_total[2m]))", "delta(s_total[5m])"]) {
      const a = await range(new Engine(withMarkers, {}), q);
      const b = await range(new Engine(without, {}), q);
      expect(plain(a), q).toEqual(plain(b));
    }
  });

  it("matches many-to-one series by series as step by step", async () => {
    for (const e of [engine, classic]) {
      const joined = await range(e, "rate(x_total[5m]) * on (instance) group_left (version) info");
      // The same join per step, from the two sides' own results.
      const rates = await range(e, "rate(x_total[5m])");
      const infos = await range(e, "info");
      const expected = new Map<string, Map<number, number>>();
      for (const s of rates) {
        const inst = s.metric.find((l) => l.name === "instance")!.value;
        const info = infos.find((i) => i.metric.some((l) => l.name === "instance" && l.value === inst))!;
        const version = info.metric.find((l) => l.name === "version")!.value;
        const byT = new Map<number, number>();
        for (let k = 0; k < s.t.length; k++) {
          const at = info.t.indexOf(s.t[k]);
          if (at >= 0) byT.set(s.t[k], s.f[k] * info.f[at]);
        }
        const labels = [...s.metric.filter((l) => l.name !== "__name__"), { name: "version", value: version }].sort((a, b) => (a.name < b.name ? -1 : 1));
        if (byT.size > 0) expected.set(JSON.stringify(labels), byT);
      }
      expect(joined.length).toBe(expected.size);
      for (const s of joined) {
        const want = expected.get(JSON.stringify(s.metric));
        expect(want, JSON.stringify(s.metric)).toBeDefined();
        expect([...s.t]).toEqual([...want!.keys()]);
        expect([...s.f]).toEqual([...want!.values()]);
      }
    }
  });

  it("matches from either hand alike, and as with a materialized many side", async () => {
    for (const e of [engine, classic]) {
      const left = await range(e, "rate(x_total[5m]) * on (instance) group_left (version) info");
      const right = await range(e, "info * on (instance) group_right (version) rate(x_total[5m])");
      expect(plain(right)).toEqual(plain(left));
      const materialized = await range(e, "(rate(x_total[5m]) * 1) * on (instance) group_left (version) info");
      expect(plain(materialized)).toEqual(plain(left));
    }
  });

  it("falls back to step-wise matching where a match group has several series on the one side", async () => {
    const q = new MemoryQuerier();
    const times = Array.from({ length: 241 }, (_, k) => k * STEP);
    q.add(labelsFromRecord({ __name__: "m", instance: "a" }), times, new Float64Array(241).fill(2));
    // Two "one" series for instance a, never present at the same step (the
    // first one lasts 5 min of lookback beyond its last sample): fine.
    q.add(labelsFromRecord({ __name__: "o", instance: "a", v: "1" }), times.slice(0, 100), new Float64Array(100).fill(3));
    q.add(labelsFromRecord({ __name__: "o", instance: "a", v: "2" }), times.slice(150), new Float64Array(91).fill(5));
    const e = new Engine(q, {});
    const r = await e.rangeQuery("m * on (instance) group_left (v) o", 0, 3600_000, STEP);
    if (r.value.type !== "matrix") throw new Error("expected a matrix");
    expect(r.value.value.map((s) => [JSON.stringify(s.metric), s.t.length, s.f[0]])).toEqual([
      ['[{"name":"instance","value":"a"},{"name":"v","value":"1"}]', 119, 6],
      ['[{"name":"instance","value":"a"},{"name":"v","value":"2"}]', 91, 10],
    ]);
    // Overlapping in time (with the lookback), it is Prometheus's error at that step.
    q.add(labelsFromRecord({ __name__: "o", instance: "a", v: "3" }), times.slice(50, 60), new Float64Array(10).fill(7));
    await expect(e.rangeQuery("m * on (instance) group_left (v) o", 0, 3600_000, STEP)).rejects.toThrow(/found duplicate series for the match group/);
  });

  it("computes vector/scalar operators by series and still reports collisions", async () => {
    const streamed = await range(engine, "rate(x_total[5m]) > bool 1");
    const perStep = await range(engine, "rate(x_total[5m])");
    expect(streamed.length).toBe(perStep.length);
    for (let i = 0; i < streamed.length; i++) expect([...streamed[i].f]).toEqual([...perStep[i].f].map((v) => (v > 1 ? 1 : 0)));
    const q = data();
    q.add(labelsFromRecord({ __name__: "y", a: "1" }), [0], new Float64Array([1]));
    q.add(labelsFromRecord({ __name__: "z", a: "1" }), [0], new Float64Array([2]));
    await expect(new Engine(q, {}).instantQuery('{__name__=~"y|z"} * 2', 0)).rejects.toThrow("vector cannot contain metrics with the same labelset");
    // In a range query too, where the second series' points come after all of the first's
    // (found by comparing with a real Prometheus: one series silently overwrote the other).
    const rq = new MemoryQuerier();
    for (const [name, base] of [["y", 1], ["z", 4]] as const) rq.add(labelsFromRecord({ __name__: name, a: "1" }), [0, 60_000, 120_000], Float64Array.from([0, 1, 2], (i) => base + i));
    for (const expr of ['{__name__=~"y|z"} * 2', '1 - {__name__=~"y|z"}', '{__name__=~"y|z"} > bool 1', 'timestamp({__name__=~"y|z"})']) {
      await expect(new Engine(rq, {}).rangeQuery(expr, 0, 120_000, 60_000), expr).rejects.toThrow("vector cannot contain metrics with the same labelset");
    }
    // Series that only meet at different steps merge, as Prometheus's rangeEval merges them.
    const apart = new MemoryQuerier();
    apart.add(labelsFromRecord({ __name__: "y", a: "1" }), [0], new Float64Array([1]));
    apart.add(labelsFromRecord({ __name__: "z", a: "1" }), [600_000], new Float64Array([2]));
    for (const expr of ['{__name__=~"y|z"} * 2', 'timestamp({__name__=~"y|z"})']) {
      const r = await new Engine(apart, {}).rangeQuery(expr, 0, 600_000, 600_000);
      expect(r.value.type === "matrix" && r.value.value.map((s) => [JSON.stringify(s.metric), [...s.t]]), expr).toEqual([['[{"name":"a","value":"1"}]', [0, 600_000]]]);
    }
  });

  it("checks a subquery result for series that only differ in the dropped name", async () => {
    const q = new MemoryQuerier();
    const times = [0, 60_000, 120_000];
    q.add(labelsFromRecord({ __name__: "a", job: "j" }), times, new Float64Array([1, 2, 3]));
    q.add(labelsFromRecord({ __name__: "b", job: "j" }), times, new Float64Array([4, 5, 6]));
    const e = new Engine(q, ALL_FEATURES);
    await expect(e.instantQuery('(-{__name__=~"a|b"})[2m:1m]', 120_000)).rejects.toThrow("vector cannot contain metrics with the same labelset");
    const r = await e.instantQuery('(-{__name__=~"a"})[2m:1m]', 120_000);
    expect(r.value.type === "matrix" && r.value.value.map((s) => [JSON.stringify(s.metric), [...s.f]])).toEqual([['[{"name":"job","value":"j"}]', [-2, -3]]]);
  });

  it("selects topk and bottomk per step as a sort would", async () => {
    const rates = await range(engine, "rate(x_total[5m])");
    for (const [op, k] of [["topk", 3], ["bottomk", 5], ["topk", 1]] as const) {
      const got = await range(engine, `${op}(${k}, rate(x_total[5m]))`);
      const picked = new Map<number, string[]>();
      for (const s of got) for (const t of s.t) picked.set(t, [...(picked.get(t) ?? []), JSON.stringify(s.metric)]);
      for (let t = 600_000; t <= 3600_000; t += STEP) {
        const at = rates
          .map((s) => ({ m: JSON.stringify(s.metric), i: s.t.indexOf(t), s }))
          .filter((x) => x.i >= 0)
          .map((x) => ({ m: x.m, v: x.s.f[x.i] }))
          .sort((a, b) => (op === "topk" ? b.v - a.v : a.v - b.v));
        expect((picked.get(t) ?? []).sort(), `${op} at ${t}`).toEqual(at.slice(0, k).map((x) => x.m).sort());
      }
    }
  });
});
