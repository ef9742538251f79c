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

/** Whether two timestamp arrays hold the same times. */
export function sameTimes(a: Float64Array, b: Float64Array): boolean {
  if (a === b) return true;
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What a kernel works out from a series' timestamps alone (its windows, say),
 * shared by the series of one evaluation that have the same times (all the
 * series of one target do): looked up by length and first and last time,
 * then compared element by element. At most MAX_GROUPS kinds of times are
 * tracked.
 */
export class WindowsByTimes<W> {
  private static readonly MAX_GROUPS = 4096;
  private readonly groups = new Map<string, { t: Float64Array; w: W | null }[]>();
  private count = 0;
  /** The last match: series of one target come one after another. */
  private last: { t: Float64Array; w: W | null } | null = null;

  constructor(private readonly build: (t: Float64Array) => W) {}

  /**
   * The windows of these times, or null. `eager`: worked out the first time
   * the times come (for a kernel that needs them anyway); otherwise only the
   * second time (a series with times of its own would pay for them and not
   * use them).
   */
  lookup(t: Float64Array, eager = false): W | null {
    const len = t.length;
    if (len < 2) return null;
    let g = this.last;
    if (g === null || !sameTimes(g.t, t)) {
      g = null;
      const key = `${len},${t[0]},${t[len - 1]}`;
      let list = this.groups.get(key);
      if (list) for (const x of list) if (sameTimes(x.t, t)) g = x;
      if (g === null) {
        if (this.count >= WindowsByTimes.MAX_GROUPS) return null;
        if (!list) this.groups.set(key, (list = []));
        g = { t, w: null };
        list.push(g);
        this.count++;
        if (!eager) {
          this.last = g;
          return null;
        }
      }
    }
    this.last = g;
    return (g.w ??= this.build(g.t));
  }
}
