// overTimeSteps (the all-steps kernels for common window functions) must give
// exactly what the window functions give for every window: sums, variances
// and regressions with the same rounding, quantile_over_time's sliding sorted
// window in the same order as quantile()'s stable sort (NaN first, ±0 in
// sample order).
import { describe, expect, it } from "vitest";
import type { Call } from "../../parser/ast";
import type { StepContext } from "../evaluator";
import { WINDOW_FUNCTIONS, type Window } from "./index";
import { overTimeSteps, PARAM_KERNELS, STEP_KERNELS, StepKernelScratch } from "./over-time";
import { mulberry32 as rng } from "@/server/testing/random";

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

/**
 * Series whose values repeat, with ±0, NaN and ±Inf among them (ties that
 * only a stable sort orders; constant stretches for the regression), regular
 * or jittered, with gaps as staleness-cleaned series have.
 */
function tieCases(): { t: Float64Array; f: Float64Array }[] {
  const rand = rng(23);
  // 1e308 repeated: sums that overflow over windows whose fit is still finite (constant).
  const pool = [0, -0, 1, -1, 2.5, 1e308, NaN, Infinity, -Infinity, 0, -0, 1, 1];
  const out: { t: Float64Array; f: Float64Array }[] = [];
  for (let k = 0; k < 60; k++) {
    const t: number[] = [];
    const f: number[] = [];
    if (k % 3 === 2) {
      // The times of the series before (as a target's series have), other values.
      const prev = out[k - 1].t;
      out.push({ t: Float64Array.from(prev), f: Float64Array.from(prev, () => pool[Math.floor(rand() * pool.length)]) });
      continue;
    }
    const interval = [15_000, 10_000, 30_000][k % 3];
    const kinds = k % 4 === 0 ? 3 : k % 4 === 1 ? 6 : pool.length;
    let ts = Math.floor(rand() * interval);
    while (ts < 2 * 3600_000) {
      // A stale stretch removed: a gap of a few minutes.
      if (rand() < 0.02) ts += Math.floor(rand() * 600_000);
      t.push(ts + (k % 2 === 0 ? Math.floor(rand() * 50) : 0));
      f.push(k % 8 === 5 && rand() < 0.9 ? 1e308 : pool[Math.floor(rand() * kinds)]);
      ts += interval;
    }
    out.push({ t: Float64Array.from(t), f: Float64Array.from(f) });
  }
  return out;
}

/** The scalar argument at each step: usual values, the edges, out-of-range and NaN. */
function params(name: string, n: number): Float64Array {
  const rand = rng(name.length);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = rand();
    if (name === "quantile_over_time") p[i] = x < 0.3 ? 0.9 : x < 0.4 ? 0 : x < 0.5 ? 1 : x < 0.53 ? NaN : x < 0.56 ? -0.5 : x < 0.59 ? 1.5 : rand();
    else p[i] = x < 0.5 ? 600 : x < 0.6 ? 0 : x < 0.63 ? NaN : x < 0.66 ? Infinity : (rand() - 0.5) * 7200;
  }
  return p;
}

describe("overTimeSteps", () => {
  const all = [...cases(), ...tieCases()];
  it.each(Object.entries(STEP_KERNELS))("%s equals the window function at every step, bit for bit", (name, kernel) => {
    const n = 400;
    let compared = 0;
    {
      const fn = WINDOW_FUNCTIONS[name];
      const withParam = PARAM_KERNELS.has(kernel);
      const param = withParam ? params(name, n) : null;
      const args = new Array(2);
      const call = { args: [{ posRange: { start: 0 } }] } as unknown as Call;
      const enh = { ts: 0, warn: () => {} } as unknown as StepContext;
      // One scratch per step/range, shared by the series as in a query.
      const scratches = new Map<string, StepKernelScratch>();
      for (const [k, { t, f }] of all.entries()) {
        // [step, range, `@` (refStep 0)?] with an offset of 30 s: windows
        // shorter than the scrape interval, as long as the step, sliding by
        // one sample, by many (quantile sorts those afresh), over an hour.
        for (const [step, rangeMs, at] of [
          [15_000, 60_000, 0],
          [15_000, 300_000, 0],
          [60_000, 20_000, 0],
          [15_000, 5_000, 0],
          [15_000, 3600_000, 0],
          [900_000, 1_200_000, 0],
          [60_000, 300_000, 1],
        ]) {
          // Long windows for the kernels that treat them differently, on some series.
          if (rangeMs > 300_000 && (name === "quantile_over_time" ? k % 3 !== 0 : !withParam && name !== "deriv" ? true : k % 6 !== 0)) continue;
          const firstTs = 1800_000;
          const firstRef = (at ? 3000_000 : firstTs) - 30_000;
          const refStep = at ? 0 : step;
          const outF = new Float64Array(n);
          const outHas = new Uint8Array(n);
          const sk = `${step},${rangeMs},${at}`;
          if (!scratches.has(sk)) scratches.set(sk, new StepKernelScratch());
          overTimeSteps(kernel, t, f, firstRef, refStep, n, rangeMs, outF, outHas, new Float64Array(1), param, firstTs, step, k % 5 === 4 ? null : scratches.get(sk)!);
          const w: Window = { metric: [], t, f, lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, range: rangeMs, node: call, anchored: false, smoothed: false, firstCall: true, cache: null };
          let lo = 0;
          let hi = 0;
          for (let i = 0; i < n; i++) {
            const ref = firstRef + i * refStep;
            while (lo < t.length && t[lo] <= ref - rangeMs) lo++;
            if (hi < lo) hi = lo;
            while (hi < t.length && t[hi] <= ref) hi++;
            w.lo = lo;
            w.hi = hi;
            w.rangeStart = ref - rangeMs;
            w.rangeEnd = ref;
            enh.ts = firstTs + i * step;
            if (name === "quantile_over_time") args[0] = param![i];
            else args[1] = param?.[i];
            args[name === "quantile_over_time" ? 1 : 0] = w;
            const want = hi > lo ? fn(w, args, call, enh) : undefined;
            const got = outHas[i] ? outF[i] : undefined;
            if (!Object.is(got, want)) expect(got, `${name} at step ${i} of ${step} ms, range ${rangeMs}, @ ${at}`).toBe(want);
            if (want !== undefined) compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100_000);
  });
});
