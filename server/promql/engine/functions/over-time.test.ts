// overTimeSteps (the all-steps kernels for common window functions) must give
// exactly what the window functions give for every window.
import { describe, expect, it } from "vitest";
import type { Call } from "../../parser/ast";
import type { StepContext } from "../evaluator";
import { WINDOW_FUNCTIONS, type Window } from "./index";
import { overTimeSteps, STEP_KERNELS } from "./over-time";

/** A deterministic pseudo-random sequence (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Series with gaps, jitter, negative and huge values (sums that overflow), NaN and ±Inf. */
function cases(): { t: Float64Array; f: Float64Array }[] {
  const rand = rng(11);
  const out: { t: Float64Array; f: Float64Array }[] = [];
  for (let k = 0; k < 120; k++) {
    const t: number[] = [];
    const f: number[] = [];
    const interval = [15_000, 10_000, 60_000][k % 3];
    for (let ts = Math.floor(rand() * interval); ts < 2 * 3600_000; ts += interval) {
      if (rand() < 0.1) continue;
      t.push(ts + (k % 2 === 0 ? Math.floor(rand() * 50) : 0));
      const x = rand();
      f.push(
        k % 7 === 0 && x < 0.05 ? NaN
        : k % 11 === 0 && x < 0.05 ? (x < 0.025 ? Infinity : -Infinity)
        : k % 5 === 0 ? (rand() - 0.5) * 1.7e308
        : (rand() - 0.3) * 1000,
      );
    }
    out.push({ t: Float64Array.from(t), f: Float64Array.from(f) });
  }
  return out;
}

describe("overTimeSteps", () => {
  it("equals the window functions at every step, bit for bit", () => {
    const n = 400;
    const firstRef = 1800_000;
    const call = { args: [] } as unknown as Call;
    const enh = { ts: 0 } as unknown as StepContext;
    let compared = 0;
    for (const [name, kernel] of Object.entries(STEP_KERNELS)) {
      const fn = WINDOW_FUNCTIONS[name];
      for (const { t, f } of cases()) {
        for (const [step, rangeMs] of [
          [15_000, 60_000],
          [15_000, 300_000],
          [60_000, 20_000],
        ]) {
          const outF = new Float64Array(n);
          const outHas = new Uint8Array(n);
          overTimeSteps(kernel, t, f, firstRef, step, n, rangeMs, outF, outHas, new Float64Array(1));
          const w: Window = { metric: [], t, f, lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, range: rangeMs, node: call, anchored: false, smoothed: false, firstCall: true, cache: null };
          let lo = 0;
          let hi = 0;
          for (let i = 0; i < n; i++) {
            const ref = firstRef + i * step;
            while (lo < t.length && t[lo] <= ref - rangeMs) lo++;
            if (hi < lo) hi = lo;
            while (hi < t.length && t[hi] <= ref) hi++;
            w.lo = lo;
            w.hi = hi;
            w.rangeStart = ref - rangeMs;
            w.rangeEnd = ref;
            const want = hi > lo ? fn(w, [], call, enh) : undefined;
            const got = outHas[i] ? outF[i] : undefined;
            if (!Object.is(got, want)) expect(got, `${name} at step ${i} of ${step} ms, range ${rangeMs}`).toBe(want);
            if (want !== undefined) compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(200_000);
  });
});
