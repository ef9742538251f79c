import { describe, expect, it } from "vitest";
import { compareLabels, labelsFromRecord, type Labels } from "./labels/labels";
import { LabelOrder, type Ranked } from "./label-order";

function series(rec: Record<string, string>): Ranked {
  return { labels: labelsFromRecord(rec), rank: -1, deleted: false };
}

/** A deterministic pseudo-random sequence (xorshift). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("LabelOrder", () => {
  it("sorts selections by labels as compareLabels does, through additions and removals", () => {
    const order = new LabelOrder<Ranked>();
    const live: Ranked[] = [];
    const rand = rng(7);
    const byLabels = (a: Ranked, b: Ranked) => compareLabels(a.labels, b.labels);
    for (let round = 0; round < 20; round++) {
      // New series, some with names or values only UTF-8 byte order sorts right (astral and high-BMP characters).
      for (let i = 0; i < 30; i++) {
        const v = Math.floor(rand() * 1000);
        const s = series({ __name__: rand() < 0.5 ? "a" : "b", v: `${v}${rand() < 0.1 ? "\u{1F600}" : rand() < 0.1 ? "\uFF01" : ""}`, r: String(round), zz: String(i) });
        order.add(s);
        live.push(s);
      }
      // Remove a few.
      for (let i = 0; i < 5; i++) {
        const k = Math.floor(rand() * live.length);
        live[k]!.deleted = true;
        order.remove();
        live.splice(k, 1);
      }
      // A random selection, shuffled.
      const pick = live.filter(() => rand() < 0.6);
      for (let i = pick.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [pick[i], pick[j]] = [pick[j]!, pick[i]!];
      }
      const want = [...pick].sort(byLabels);
      order.sort(pick);
      expect(pick).toEqual(want);
    }
  });

  it("keeps an already ordered selection as it is and handles tiny ones", () => {
    const order = new LabelOrder<Ranked>();
    const [a, b] = [series({ x: "1" }), series({ x: "2" })];
    order.add(b);
    order.add(a);
    const one: Ranked[] = [b];
    order.sort(one);
    expect(one).toEqual([b]);
    const two: Ranked[] = [a, b];
    order.sort(two);
    expect(two.map((s) => s.labels)).toEqual<Labels[]>([a.labels, b.labels]);
    expect([a.rank, b.rank]).toEqual([0, 1]);
  });
});
