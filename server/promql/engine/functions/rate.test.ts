// extrapolatedRateSteps (the all-steps kernel, which reuses each window
// shape's extrapolation factor) must give exactly extrapolate()'s value for
// every window: Prometheus's extrapolatedRate written out plainly.
import { describe, expect, it } from "vitest";
import { extrapolate, extrapolatedRateShared, extrapolatedRateSteps, sharedWindows } from "./rate";
import { mulberry32 as rng } from "@/server/testing/random";

interface Case {
  t: Float64Array;
  f: Float64Array;
}

/** Series of several kinds: regular scrapes, jitter, gaps, resets, small counters near zero, negative deltas. */
function cases(): Case[] {
  const rand = rng(7);
  const out: Case[] = [];
  for (let k = 0; k < 200; k++) {
    const kind = k % 5;
    const interval = [15_000, 10_000, 60_000, 15_000, 30_000][kind];
    const t: number[] = [];
    const f: number[] = [];
    let ts = Math.floor(rand() * interval);
    let v = kind === 3 ? rand() * 3 : rand() * 1e6;
    while (ts < 2 * 3600_000) {
      if (kind !== 0 && rand() < 0.08) ts += interval; // a missed scrape
      t.push(kind === 1 ? ts + Math.floor(rand() * 40) : ts);
      f.push(v);
      if (kind === 4) v += (rand() - 0.5) * 100;
      else if (rand() < 0.03) v = kind === 3 ? 0 : rand() * 10; // a reset (to zero, for small counters)
      else v += kind === 3 ? rand() * 2 : rand() * 1000;
      ts += interval;
    }
    out.push({ t: Float64Array.from(t), f: Float64Array.from(f) });
  }
  return out;
}

describe("extrapolatedRateSteps", () => {
  it("equals extrapolate() at every step, bit for bit", () => {
    const n = 400;
    const firstRef = 1800_000;
    let compared = 0;
    for (const { t, f } of cases()) {
      // Ranges shorter than the step too, where windows skip samples.
      for (const [step, rangeMs] of [
        [15_000, 60_000],
        [15_000, 300_000],
        [15_000, 3600_000],
        [15_000, 10_000],
        [60_000, 20_000],
      ]) {
        for (const [isCounter, isRate] of [
          [true, true],
          [true, false],
          [false, false],
        ]) {
          const outF = new Float64Array(n);
          const outHas = new Uint8Array(n);
          extrapolatedRateSteps(t, f, firstRef, step, n, rangeMs, isCounter, isRate, outF, outHas, new Float64Array(1));
          let lo = 0;
          let hi = 0;
          for (let i = 0; i < n; i++) {
            const ref = firstRef + i * step;
            while (lo < t.length && t[lo] <= ref - rangeMs) lo++;
            if (hi < lo) hi = lo;
            while (hi < t.length && t[hi] <= ref) hi++;
            const want = extrapolate(t, f, lo, hi, ref - rangeMs, ref, rangeMs, isCounter, isRate, null);
            const got = outHas[i] ? outF[i] : undefined;
            // One expect per mismatch only: 400,000 expect calls would take seconds.
            if (!Object.is(got, want)) expect(got, `step ${i} of ${step} ms, range ${rangeMs}, counter ${isCounter}, rate ${isRate}`).toBe(want);
            if (want !== undefined) compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100_000);
  });

  it("over shared windows, gives extrapolatedRateSteps's values bit for bit, or -1 for a series with a reset or a NaN", () => {
    const n = 400;
    const firstRef = 1800_000;
    let shared = 0;
    let refused = 0;
    const all = cases();
    // Counters without resets too, which the shortcut takes.
    for (const { t, f } of all.slice(0, 60)) {
      const g = Float64Array.from(f);
      for (let i = 1; i < g.length; i++) if (g[i]! < g[i - 1]!) g[i] = g[i - 1]! + (i % 3);
      all.push({ t, f: g });
    }
    const withNaN = all[3]!;
    const nf = Float64Array.from(withNaN.f);
    nf[nf.length >> 1] = NaN;
    all.push({ t: withNaN.t, f: nf });
    for (const { t, f } of all) {
      for (const [step, rangeMs] of [
        [15_000, 60_000],
        [15_000, 300_000],
        [37_000, 20_000],
      ]) {
        for (const [isCounter, isRate] of [
          [true, true],
          [true, false],
          [false, false],
        ]) {
          const want = new Float64Array(n);
          const wantHas = new Uint8Array(n);
          const wantStats = new Float64Array(2);
          const wantPoints = extrapolatedRateSteps(t, f, firstRef, step, n, rangeMs, isCounter, isRate, want, wantHas, wantStats);
          const got = new Float64Array(n);
          const gotHas = new Uint8Array(n);
          const gotStats = new Float64Array(2);
          // Windows worked out from a copy of the times: series share them by content.
          const w = sharedWindows(Float64Array.from(t), firstRef, step, n, rangeMs, isRate);
          const points = extrapolatedRateShared(w, f, n, rangeMs, isCounter, isRate, got, gotHas, gotStats);
          if (points < 0) {
            refused++;
            expect(gotHas.every((x) => x === 0)).toBe(true);
            expect(f.some((x, i) => Number.isNaN(x) || (isCounter && i > 0 && x < f[i - 1]!))).toBe(true);
            continue;
          }
          shared++;
          expect(points).toBe(wantPoints);
          expect(gotStats[0]).toBe(wantStats[0]);
          expect(gotHas).toEqual(wantHas);
          for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) expect(got[i], `step ${i}`).toBe(want[i]);
        }
      }
    }
    expect(shared).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(100);
  });
});
