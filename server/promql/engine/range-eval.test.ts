import { describe, expect, it } from "vitest";
import { newStepSeries, withStepArena } from "./range-eval";

describe("withStepArena", () => {
  it("recycles step arrays zeroed, and nests", () => {
    const first = withStepArena(() => {
      const s = newStepSeries([], 100);
      s.f.fill(5);
      s.has.fill(1);
      // A nested arena is the outer one: nothing is recycled before the outer call ends.
      withStepArena(() => newStepSeries([], 100).f.fill(7));
      expect([...s.f.subarray(0, 3)]).toEqual([5, 5, 5]);
      return s.f.buffer;
    });
    const again = withStepArena(() => {
      const s = newStepSeries([], 100);
      expect(s.f.buffer).toBe(first); // the same slab, back from the pool
      expect(s.f.every((x) => x === 0) && s.has.every((x) => x === 0)).toBe(true);
      const t = newStepSeries([], 100);
      expect(t.f.every((x) => x === 0)).toBe(true);
      return s.f.buffer;
    });
    expect(again).toBe(first);
  });

  it("recycles after an exception too", () => {
    let buf: ArrayBufferLike | null = null;
    expect(() =>
      withStepArena(() => {
        const s = newStepSeries([], 10);
        s.has.fill(1);
        buf = s.has.buffer;
        throw new Error("boom");
      }),
    ).toThrow("boom");
    withStepArena(() => {
      const s = newStepSeries([], 10);
      expect(s.has.buffer).toBe(buf);
      expect(s.has.every((x) => x === 0)).toBe(true);
    });
  });
});
