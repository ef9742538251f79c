// count_values (which works out each series' output labels once and formats
// each distinct value once per query) against a reference written as Go's
// aggregationCountValues does it, point by point: set the value label, keep
// or drop the grouping labels, (without) set the value label again.
import { describe, expect, it } from "vitest";
import { Engine } from "./engine";
import type { Matrix } from "./value";
import { MemoryQuerier } from "../promqltest/memory-querier";
import { labelsFromRecord, type Labels } from "../../storage/labels/labels";
import { formatFloatF } from "../parser/go-format";
import { deleteLabels, keepLabels, labelsHash, METRIC_NAME, setLabel } from "./labels";
import { mulberry32 as rng } from "@/server/testing/random";

const STEP = 15_000;

/** 60 series `v` over 1 h with gaps, values from a small pool (0 and -0, NaN, ±Inf, large and tiny) so that values repeat. */
function data(): MemoryQuerier {
  const q = new MemoryQuerier();
  const rand = rng(5);
  const pool = [0, -0, 1, 2, 1.5, NaN, Infinity, -Infinity, 1e21, 5e-324, -3, 0.1];
  for (let i = 0; i < 60; i++) {
    const times: number[] = [];
    const values: number[] = [];
    for (let t = 0; t <= 3600_000; t += STEP) {
      if (rand() < 0.15) continue;
      times.push(t);
      values.push(pool[Math.floor(rand() * (i % 3 === 0 ? 3 : pool.length))]);
    }
    const labels: Record<string, string> = { __name__: "v", job: `j${i % 4}`, instance: `i${i}` };
    if (i % 5 === 0) labels.val = `old${i % 2}`;
    q.add(labelsFromRecord(labels), times, Float64Array.from(values));
  }
  return q;
}

/** The reference: count_values over the inner expression's points, step by step. */
function reference(inner: Matrix, label: string, grouping: string[], without: boolean, start: number, end: number): Map<string, { metric: Labels; t: number[]; f: number[] }> {
  const out = new Map<string, { metric: Labels; t: number[]; f: number[] }>();
  const g2 = new Set(grouping);
  if (!without) g2.add(label);
  const del = new Set([...grouping, METRIC_NAME]);
  for (let ts = start; ts <= end; ts += STEP) {
    const counts = new Map<string, { metric: Labels; count: number }>();
    for (const s of inner) {
      const k = s.t.indexOf(ts);
      if (k < 0) continue;
      const value = formatFloatF(s.f[k]);
      let m = setLabel(s.metric, label, value);
      m = without ? setLabel(deleteLabels(m, del), label, value) : keepLabels(m, g2);
      const key = labelsHash(m);
      const c = counts.get(key);
      if (c) c.count++;
      else counts.set(key, { metric: m, count: 1 });
    }
    for (const [key, c] of counts) {
      let o = out.get(key);
      if (!o) out.set(key, (o = { metric: c.metric, t: [], f: [] }));
      o.t.push(ts);
      o.f.push(c.count);
    }
  }
  return out;
}

function sorted(m: { metric: Labels; t: ArrayLike<number>; f: ArrayLike<number> }[]): { metric: string; t: number[]; f: number[] }[] {
  return m.map((s) => ({ metric: JSON.stringify(s.metric), t: Array.from(s.t), f: Array.from(s.f) })).sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
}

describe("count_values", () => {
  const engine = new Engine(data(), {});

  it("equals the point-by-point reference, grouped by, without, and with the value label among the series' labels", async () => {
    const start = 600_000;
    const end = 3600_000;
    let series = 0;
    for (const inner of ["v", "v * 2", "-v"]) {
      const r = await engine.rangeQuery(inner, start, end, STEP);
      if (r.value.type !== "matrix") throw new Error("expected a matrix");
      const innerM = r.value.value;
      for (const [label, grouping, without] of [
        ["val", [], false],
        ["val", ["job"], false],
        ["val", ["job", "val"], false],
        ["val", ["instance"], true],
        ["val", ["val"], true],
        ["job", [], false],
        ["job", ["job"], true],
        ["x", [], true],
      ] as [string, string[], boolean][]) {
        const mod = grouping.length > 0 || without ? ` ${without ? "without" : "by"} (${grouping.join(", ")})` : "";
        const q = `count_values${mod} ("${label}", ${inner})`;
        const got = await engine.rangeQuery(q, start, end, STEP);
        if (got.value.type !== "matrix") throw new Error("expected a matrix");
        const want = [...reference(innerM, label, grouping, without, start, end).values()];
        expect(sorted(got.value.value), q).toEqual(sorted(want));
        series += want.length;
        // An instant query: the same values at the last step.
        const inst = await engine.instantQuery(q, end);
        if (inst.value.type !== "vector") throw new Error("expected a vector");
        const wantAtEnd = want.filter((s) => s.t[s.t.length - 1] === end).map((s) => ({ metric: s.metric, t: [end], f: [s.f[s.f.length - 1]] }));
        expect(sorted(inst.value.value.map((s) => ({ metric: s.metric, t: [end], f: [s.f] }))), `${q} (instant)`).toEqual(sorted(wantAtEnd));
      }
    }
    expect(series).toBeGreaterThan(500);
  });
});
