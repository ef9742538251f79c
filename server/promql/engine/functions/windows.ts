// Where each step's window lies in a series' samples, for the all-steps
// kernels (rate.ts, over-time.ts): the window (ref - range, ref] slides
// forward with two pointers, ref being firstRef + step * refStep (refStep is
// 0 under `@`). Worked out in one place, once per series (or once per
// distinct timestamp array where series share them).

/** Scratch bounds for one series at a time (the kernels run one after another). */
let scratchLo = new Int32Array(0);
let scratchHi = new Int32Array(0);

/**
 * Per step, the window's samples as t[lo[step]..hi[step]) (ms timestamps,
 * ascending). Returns the samples the windows hold, summed over the steps
 * (the query's sample count).
 */
export function windowBounds(t: Float64Array, firstRef: number, refStep: number, n: number, rangeMs: number, lo: Int32Array, hi: Int32Array): number {
  const len = t.length;
  let a = 0;
  let b = 0;
  let sampled = 0;
  for (let step = 0; step < n; step++) {
    const ref = firstRef + step * refStep;
    const mint = ref - rangeMs;
    while (a < len && t[a] <= mint) a++;
    if (b < a) b = a;
    while (b < len && t[b] <= ref) b++;
    lo[step] = a;
    hi[step] = b;
    sampled += b - a;
  }
  return sampled;
}

/**
 * windowBounds into arrays shared by every call: valid until the next call
 * (for a kernel over one series, which reads them right away).
 */
export function scratchWindowBounds(t: Float64Array, firstRef: number, refStep: number, n: number, rangeMs: number): { lo: Int32Array; hi: Int32Array; sampled: number } {
  if (scratchLo.length < n) {
    scratchLo = new Int32Array(n);
    scratchHi = new Int32Array(n);
  }
  const sampled = windowBounds(t, firstRef, refStep, n, rangeMs, scratchLo, scratchHi);
  return { lo: scratchLo, hi: scratchHi, sampled };
}
