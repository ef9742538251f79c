// sort/sort_desc over a range pass the series through in the order sorting
// step by step leaves: by the step they first appear at, then as the sort
// orders them at that step.
import { describe, expect, it } from "vitest";
import { Engine, ALL_FEATURES } from "./engine";
import { MemoryQuerier } from "../promqltest/memory-querier";
import { labelsFromRecord } from "../../storage/labels/labels";

const STEP = 60_000;

function data(): MemoryQuerier {
  const q = new MemoryQuerier();
  // Inserted (selected) in the order a..e. At step 0: b=5, d=1, e=NaN; at step 2 a=3 and c=9 appear.
  const add = (k: string, from: number, values: number[]) =>
    q.add(labelsFromRecord({ __name__: "s", k }), values.map((_, i) => (from + i) * STEP), Float64Array.from(values));
  add("a", 2, [3, 3, 3]);
  add("b", 0, [5, 5, 5, 5, 5]);
  add("c", 2, [9, 9, 9]);
  add("d", 0, [1, 1, 1, 1, 1]);
  add("e", 0, [NaN, NaN, NaN, NaN, NaN]);
  return q;
}

describe("sort over a range", () => {
  it("keeps the order of step-by-step sorting, values and annotations unchanged", async () => {
    const engine = new Engine(data(), { ...ALL_FEATURES, lookbackDelta: 30_000 });
    // An instant query's subquery result is not re-sorted: it shows the inner order.
    const order = async (expr: string) => {
      const r = await engine.instantQuery(`${expr}[4m:1m]`, 4 * STEP);
      return r.value.type === "matrix" ? r.value.value.map((s) => s.metric.find((l) => l.name === "k")!.value) : [];
    };
    expect(await order("sort(s)")).toEqual(["d", "b", "e", "a", "c"]);
    expect(await order("sort_desc(s)")).toEqual(["b", "d", "e", "c", "a"]);
    expect(await order('sort_by_label_desc(s, "k")')).toEqual(["e", "d", "b", "c", "a"]);
    const range = await engine.rangeQuery("sort_desc(s)", 0, 4 * STEP, STEP);
    expect(range.annotations.infos.concat(range.annotations.warnings).join()).toContain("sort is ineffective for range queries");
    expect(range.value.type === "matrix" && range.value.value.map((s) => [s.metric.find((l) => l.name === "k")!.value, [...s.t], [...s.f]])).toEqual([
      ["a", [2 * STEP, 3 * STEP, 4 * STEP], [3, 3, 3]],
      ["b", [0, STEP, 2 * STEP, 3 * STEP, 4 * STEP], [5, 5, 5, 5, 5]],
      ["c", [2 * STEP, 3 * STEP, 4 * STEP], [9, 9, 9]],
      ["d", [0, STEP, 2 * STEP, 3 * STEP, 4 * STEP], [1, 1, 1, 1, 1]],
      ["e", [0, STEP, 2 * STEP, 3 * STEP, 4 * STEP], [NaN, NaN, NaN, NaN, NaN]],
    ]);
  });
});
