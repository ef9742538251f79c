// Element-wise functions over a range (elementwise-eval.ts, series by series)
// must give at every step what an instant query gives there (the step-by-step
// implementation), keep its series order (first step, then input order), and
// fall back to it where series collide once their names are dropped.
import { describe, expect, it } from "vitest";
import { Engine, ALL_FEATURES } from "./engine";
import { MATH_ELEMENTWISE } from "./functions/math";
import { TIME_ELEMENTWISE } from "./functions/time";
import { MemoryQuerier } from "../promqltest/memory-querier";
import { labelsFromRecord } from "../../storage/labels/labels";

const STEP = 60_000;
const STEPS = 20;

/** Series starting and ending at different steps, with gaps, NaN, ±Inf, negative and large values, in no label order. */
function data(): MemoryQuerier {
  const q = new MemoryQuerier();
  const special = [NaN, Infinity, -Infinity, -0, 0.5, -2.5, 1e300, 1.7e9, -1e-300];
  for (let i = 0; i < 12; i++) {
    const from = (i * 7) % 9;
    const to = STEPS - 1 - ((i * 5) % 4);
    const times: number[] = [];
    const values: number[] = [];
    for (let k = from; k <= to; k++) {
      if ((k + i) % 6 === 5) continue; // a gap (within the lookback, so still present)
      times.push(k * STEP);
      values.push(k % 4 === 0 ? special[(k + i) % special.length]! : (i - 6) * 1.37 + k * 0.61);
    }
    q.add(labelsFromRecord({ __name__: `m${i % 3}`, inst: `i${(i * 5) % 12}` }), times, Float64Array.from(values));
  }
  // The scalar arguments change from step to step (clamp's max below its min at some).
  const st: number[] = [];
  for (let k = 0; k < STEPS; k++) st.push(k * STEP);
  q.add(labelsFromRecord({ __name__: "lo" }), st, Float64Array.from(st, (t, k) => (k % 5) - 2));
  q.add(labelsFromRecord({ __name__: "hi" }), st, Float64Array.from(st, (t, k) => (k % 3) - 1));
  return q;
}

const CALLS = [
  ...Object.keys(MATH_ELEMENTWISE)
    .filter((f) => !f.startsWith("clamp") && f !== "round")
    .map((f) => `${f}({__name__=~"m.*"})`),
  'round({__name__=~"m.*"})',
  'round({__name__=~"m.*"}, 0.25)',
  'round({__name__=~"m.*"}, scalar(lo))',
  'clamp({__name__=~"m.*"}, scalar(lo), scalar(hi))',
  'clamp_max({__name__=~"m.*"}, scalar(hi))',
  'clamp_min({__name__=~"m.*"}, -1)',
  ...Object.keys(TIME_ELEMENTWISE).map((f) => `${f}({__name__=~"m.*"})`),
];

describe("element-wise functions over a range", () => {
  for (const [features, label] of [
    [{}, "names dropped at once"],
    [ALL_FEATURES, "delayed name removal"],
  ] as const) {
    it(`equal an instant query at every step (${label})`, async () => {
      const engine = new Engine(data(), features);
      for (const expr of CALLS) {
        const range = await engine.rangeQuery(expr, 0, (STEPS - 1) * STEP, STEP);
        if (range.value.type !== "matrix") throw new Error("not a matrix");
        const got = new Map<string, number>();
        for (const s of range.value.value) for (let i = 0; i < s.t.length; i++) got.set(`${s.t[i]} ${JSON.stringify(s.metric)}`, s.f[i]!);
        const want = new Map<string, number>();
        for (let k = 0; k < STEPS; k++) {
          const inst = await engine.instantQuery(expr, k * STEP);
          if (inst.value.type !== "vector") throw new Error("not a vector");
          for (const s of inst.value.value) want.set(`${k * STEP} ${JSON.stringify(s.metric)}`, s.f);
        }
        expect([...got.keys()].sort(), expr).toEqual([...want.keys()].sort());
        for (const [key, v] of want) if (!Object.is(got.get(key), v)) expect(got.get(key), `${expr} at ${key}`).toBe(v);
        expect(want.size, expr).toBeGreaterThan(50);
      }
    });
  }

  it("keeps the step-by-step order: by first step, then input order", async () => {
    const q = new MemoryQuerier();
    // Input (insertion) order a, b, c; b starts first, then c, then a.
    q.add(labelsFromRecord({ __name__: "s", k: "a" }), [4 * STEP, 5 * STEP], Float64Array.from([1, 2]));
    q.add(labelsFromRecord({ __name__: "s", k: "b" }), [0, STEP, 5 * STEP], Float64Array.from([3, 4, 5]));
    q.add(labelsFromRecord({ __name__: "s", k: "c" }), [2 * STEP, 5 * STEP], Float64Array.from([6, 7]));
    // An instant query's subquery result is not sorted: it shows the inner order.
    const r = await new Engine(q, { lookbackDelta: 30_000 }).instantQuery("abs(s)[5m:1m]", 5 * STEP);
    expect(r.value.type === "matrix" && r.value.value.map((s) => s.metric[0]!.value)).toEqual(["b", "c", "a"]);
  });

  it("reports series that collide once their names are dropped, or merges them where they never meet", async () => {
    const q = new MemoryQuerier();
    q.add(labelsFromRecord({ __name__: "y", a: "1" }), [0, STEP], Float64Array.from([1, 2]));
    q.add(labelsFromRecord({ __name__: "z", a: "1" }), [0, STEP], Float64Array.from([3, 4]));
    await expect(new Engine(q, {}).rangeQuery('abs({__name__=~"y|z"})', 0, STEP, STEP)).rejects.toThrow("vector cannot contain metrics with the same labelset");
    const apart = new MemoryQuerier();
    apart.add(labelsFromRecord({ __name__: "y", a: "1" }), [0], Float64Array.from([-1]));
    apart.add(labelsFromRecord({ __name__: "z", a: "1" }), [10 * STEP], Float64Array.from([-2]));
    const r = await new Engine(apart, {}).rangeQuery('abs({__name__=~"y|z"})', 0, 10 * STEP, 10 * STEP);
    expect(r.value.type === "matrix" && r.value.value.map((s) => [JSON.stringify(s.metric), [...s.f]])).toEqual([['[{"name":"a","value":"1"}]', [1, 2]]]);
  });
});
