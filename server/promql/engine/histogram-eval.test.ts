// histogram_quantile over a range (histogram-eval.ts, series by series) must
// give at every step exactly what an instant query at that step gives (the
// per-step implementation), warnings and infos included, over histograms with
// missing, duplicate, malformed and NaN bounds, non-monotonic counts, buckets
// that come and go, and a quantile that changes from step to step.
import { describe, expect, it } from "vitest";
import { Engine, ALL_FEATURES } from "./engine";
import { MemoryQuerier } from "../promqltest/memory-querier";
import { labelsFromRecord } from "../../storage/labels/labels";
import { mulberry32 as rng } from "@/server/testing/random";

const STEP = 60_000;
const STEPS = 30;

function data(): MemoryQuerier {
  const q = new MemoryQuerier();
  const rand = rng(11);
  const bounds = ["0.1", "0.5", "1", "1.0", "2.5", "10", "+Inf", "-1", "NaN", "bogus"];
  for (let h = 0; h < 40; h++) {
    // Which bounds this histogram has: some lack +Inf, some a NaN or malformed bound.
    const les = bounds.filter((le, i) => (i < 7 ? rand() < 0.85 : rand() < 0.12) || (le === "+Inf" && h % 5 !== 0));
    for (const name of h % 7 === 0 ? ["req_bucket", "other_bucket"] : ["req_bucket"]) {
      for (const le of les) {
        const times: number[] = [];
        const values: number[] = [];
        let c = rand() * 10;
        for (let i = 0; i < STEPS; i++) {
          if (rand() < 0.1) continue; // a missing sample: the bucket is absent at that step
          c += rand() < 0.05 ? -rand() * 5 : rand() * 3; // sometimes not monotonic
          times.push(i * STEP);
          values.push(le === "+Inf" ? c + 20 : le === "NaN" ? c / 2 : c * (1 - 1 / (1 + Number(le.replace("bogus", "3")))));
        }
        q.add(labelsFromRecord({ __name__: name, job: `j${h % 3}`, instance: `i${h}`, le }), times, Float64Array.from(values));
      }
    }
  }
  const qt: number[] = [];
  const qv: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    qt.push(i * STEP);
    qv.push([0.5, 0.9, 0.99, 1, 0, -0.5, 1.5, NaN][i % 8]!);
  }
  q.add(labelsFromRecord({ __name__: "phi" }), qt, Float64Array.from(qv));
  return q;
}

describe("histogram_quantile over a range", () => {
  for (const [features, label] of [
    [{}, "names dropped at once"],
    [ALL_FEATURES, "delayed name removal"],
  ] as const) {
    it(`equals an instant query at every step (${label})`, async () => {
      const engine = new Engine(data(), { ...features, lookbackDelta: 30_000 });
      let ran = 0;
      for (const expr of [
        "histogram_quantile(0.9, {__name__=~\".+_bucket\"})",
        "histogram_quantile(scalar(phi), {__name__=~\".+_bucket\"})",
        "histogram_quantile(0.5, sum by (job, le) (req_bucket))",
        "histogram_quantile(0.75, req_bucket offset 1m)",
        'histogram_quantile(0.9, rate({__name__=~".+_bucket"}[5m]))',
      ]) {
        const rangeOrError = await engine.rangeQuery(expr, 0, (STEPS - 1) * STEP, STEP).catch((e: Error) => e);
        if (rangeOrError instanceof Error) {
          // Then (names kept until the end, two of them in a histogram's labels) some step fails alike.
          const errors = await Promise.all(Array.from({ length: STEPS }, (_, i) => engine.instantQuery(expr, i * STEP).then(() => null, (e: Error) => e.message)));
          expect(errors, expr).toContain(rangeOrError.message);
          continue;
        }
        const range = rangeOrError;
        if (range.value.type !== "matrix") throw new Error("not a matrix");
        const byStep = new Map<number, Map<string, number>>();
        for (const s of range.value.value) {
          for (let i = 0; i < s.t.length; i++) {
            const at = byStep.get(s.t[i]!) ?? new Map<string, number>();
            at.set(JSON.stringify(s.metric), s.f[i]!);
            byStep.set(s.t[i]!, at);
          }
        }
        const warnings = new Set<string>();
        const infos = new Set<string>();
        let compared = 0;
        for (let i = 0; i < STEPS; i++) {
          const inst = await engine.instantQuery(expr, i * STEP);
          if (inst.value.type !== "vector") throw new Error("not a vector");
          for (const w of inst.annotations.warnings) warnings.add(w);
          for (const w of inst.annotations.infos) infos.add(w);
          const want = new Map(inst.value.value.map((s) => [JSON.stringify(s.metric), s.f]));
          const got = byStep.get(i * STEP) ?? new Map<string, number>();
          expect([...got.keys()].sort(), `${expr} at step ${i}`).toEqual([...want.keys()].sort());
          for (const [k, v] of want) {
            if (!Object.is(got.get(k), v)) expect(got.get(k), `${expr} at step ${i}: ${k}`).toBe(v);
            compared++;
          }
        }
        expect(new Set(range.annotations.warnings), expr).toEqual(warnings);
        expect(new Set(range.annotations.infos), expr).toEqual(infos);
        expect(compared, expr).toBeGreaterThan(50);
        ran++;
      }
      expect(ran).toBeGreaterThanOrEqual(2);
    });
  }

  it("fails like the per-step evaluation when series collide once the name is dropped", async () => {
    const q = new MemoryQuerier();
    for (const name of ["a_bucket", "b_bucket"])
      for (const le of ["1", "+Inf"]) q.add(labelsFromRecord({ __name__: name, le }), [0, 60_000], Float64Array.from([1, 2]));
    // Without delayed removal both names fall into one histogram (each bound twice): no error, one series.
    const r = await new Engine(q, {}).rangeQuery('histogram_quantile(0.5, {__name__=~"a_bucket|b_bucket"})', 0, 60_000, 60_000);
    expect(r.value.type === "matrix" && r.value.value.map((s) => [JSON.stringify(s.metric), [...s.f]])).toEqual([["[]", [0.5, 0.5]]]);
  });
});
