// Decimal delta-of-delta chunk codec: a denser encoding than XOR, for data at rest.
//
// Prometheus has no such encoding; its chunks are XOR only. We keep XOR for the in-memory
// head (byte-compatible with Prometheus) and compaction re-encodes closed windows with this
// codec when it applies and is smaller; chunk.ts picks per chunk and tags the bytes. These
// bytes are ours alone.
//
// Idea (as VictoriaMetrics does): most exporter values are decimals with few digits, so a
// chunk is stored as integers k_i with v_i = k_i / 10^e, for the smallest e in 0..12 that
// makes every value round-trip bit-exactly (`k / 10^e === v`). NaN with any payload (so the
// staleness marker), ±Inf, -0 and |k| > 2^53 - 1 make the codec inapplicable: encodeDod returns
// null and the chunk stays XOR. Both columns, the timestamps and the k_i, then go through one
// adaptive integer-sequence coder whose parameters are chosen per column and per chunk:
//
//   predictor  RAW: r_i = x_i.  DELTA: r_i = x_i - x_{i-1}.  DOD: r_i = d_i - d_{i-1}, the
//              delta of deltas.  LINEAR: r_i = x_i - x_0 - i*S, S the mean slope rounded.
//   mode       FOR (frame of reference): u = (r - base) / g, base = the smallest residual.
//              ZZ: u = zigzag(r / g). g is the GCD of the residuals (base-subtracted for
//              FOR): memory gauges move in whole 4 KiB pages, byte counters in whole blocks.
//   buckets    1 to 4 bit widths. Each u is written as a prefix naming its bucket (a
//              canonical Huffman code over the bucket counts, 0 to 3 bits) and then `width`
//              bits. The widths come from a search over the histogram of the u's bit lengths.
//
// What the synthetic fleet (bench/data/synthetic.ts, bench/xor-chunk.ts) showed:
// random-increment counters and random-walk gauges are cheapest as DELTA with FOR (a delta of
// deltas doubles their spread); a run of equal residuals costs 0 bits per sample, so
// on-schedule timestamps and constants cost only their header; scrape timestamps that are
// late by a few ms, without drift, are cheapest as LINEAR (the lateness itself, ~2 bits,
// where XOR's delta-of-delta buckets spend 16 bits per late scrape). Prometheus writes
// timestamps with fixed delta-of-delta buckets; we use the same adaptive coder for them.
//
// Layout (bit stream written most-significant bit first, zero-padded to a byte boundary;
// varints are Go's binary.Uvarint / zigzag binary.Varint, as 8-bit groups at any bit offset):
//   uvarint  n, the number of samples (0..65535, shortest form); nothing follows when n = 0
//   column   timestamps, ms
//   u8       e (0..12)
//   column   k_i = v_i * 10^e
// column:
//   u8       predictor << 6 | mode << 5 | (buckets - 1) << 3        (low 3 bits zero)
//            predictor 0 RAW, 1 DELTA, 2 DOD, 3 LINEAR; mode 1 FOR, 0 ZZ
//   seeds    predictor >= 1: varint x_0; then, when n >= 2, DOD: varint x_1 - x_0, LINEAR: varint S
//   if there are residuals (i from `first` = 0 RAW, 1 DELTA/LINEAR, 2 DOD, to n - 1):
//     uvarint g (>= 1); FOR only: varint base
//     u8 per bucket: codeLength << 6 | width       (codeLength 0 iff there is one bucket)
//     per residual: the bucket's canonical prefix (codes assigned in order of
//     (codeLength, bucket index)), then `width` bits of u
//
// The encoder keeps every residual, delta, RAW value, DOD's second seed and i*S below 2^52 in
// magnitude (else it tries another predictor, else returns null), so every intermediate of
// the decoder (u, u * g, zigzag, running sums) is an exact safe integer.
//
// There is no checksum: the decoders throw on structurally corrupt data (truncated, trailing
// bytes, invalid descriptors), but integrity is the store's job, as Prometheus keeps a CRC32
// beside each chunk rather than in it.

import { BitWriter, read32, TWO_POW_32 } from "./bits";
import { MAX_SAMPLES_PER_CHUNK, type XorSink } from "./xor";

/** Largest decimal exponent tried: values with up to 12 digits after the point. */
export const DOD_MAX_EXPONENT = 12;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];
const MAX_K = Number.MAX_SAFE_INTEGER;
/** Residuals, deltas, RAW values, DOD seeds and i*S stay strictly below this in magnitude (see the header). */
const LIMIT = 2 ** 52;
/** Widest bucket: every u is below 2^53. */
const MAX_WIDTH = 53;
const MAX_BUCKETS = 4;
/** When more distinct bit lengths occur, the bucket search considers this many of them. */
const MAX_CANDIDATES = 12;

const RAW = 0;
const DELTA = 1;
const DOD = 2;
const LINEAR = 3;
const MODE_ZZ = 0;
const MODE_FOR = 1;

/** Index of the first residual of a predictor (the samples before it are seeds). */
function firstResidual(pred: number): number {
  return pred === LINEAR ? 1 : pred;
}

/** Bits of the LEB128 varint of a non-negative integer. */
function uvarintBits(x: number): number {
  let bytes = 1;
  while (x >= 128) {
    x = Math.floor(x / 128);
    bytes++;
  }
  return bytes * 8;
}

/** Bits of the zigzag varint of a safe integer. */
function varintBits(x: number): number {
  return uvarintBits(x < 0 ? -2 * x - 1 : 2 * x);
}

/** Number of significant bits of a non-negative safe integer (0 for 0). */
function bitLen(u: number): number {
  return u < TWO_POW_32 ? 32 - Math.clz32(u) : 64 - Math.clz32(u / TWO_POW_32);
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

// ---------------------------------------------------------------------------------------
// Planning a column: predictor, mode, GCD and buckets.

/** Encoding parameters of one column, and its size. */
class ColumnPlan {
  pred = RAW;
  mode = MODE_FOR;
  /** LINEAR's slope. */
  slope = 0;
  g = 1;
  base = 0;
  buckets = 1;
  readonly widths = new Int32Array(MAX_BUCKETS);
  readonly codeLens = new Int32Array(MAX_BUCKETS);
  readonly codes = new Int32Array(MAX_BUCKETS);
  /** Bucket of each bit length 0..MAX_WIDTH. */
  readonly bucketOf = new Uint8Array(MAX_WIDTH + 1);
  /** Size of the residual codes, bits. */
  codeBits = 0;
  /** Size of the column header (descriptor, seeds, g, base, buckets), bits. */
  headerBits = 0;
  /** The u of each residual (at the residual's sample index), and its bit length. */
  u = new Float64Array(512);
  len = new Uint8Array(512);
}

// Scratch, grown on demand (encoding is synchronous, so sharing is safe).
let scratchD = new Float64Array(512); // deltas: DELTA's residuals
let scratchR = new Float64Array(512); // DOD's or LINEAR's residuals, once chosen
const histogram = new Int32Array(MAX_WIDTH + 1);
const histogram2 = new Int32Array(MAX_WIDTH + 1);
const searchCand = new Int32Array(MAX_WIDTH + 1);
const searchCum = new Float64Array(MAX_WIDTH + 1);

/** Per predictor, for the column being planned: whether its residuals stay below LIMIT, their minimum and maximum. */
const predOk = [false, false, false, false];
const predMin = new Float64Array(4);
const predMax = new Float64Array(4);

/** Bits of a column's seeds (see the layout). */
function seedBits(x: Float64Array, n: number, pred: number, slope: number): number {
  if (pred === RAW) return 0;
  let bits = varintBits(x[0]!);
  if (n >= 2 && pred === DOD) bits += varintBits(x[1]! - x[0]!);
  if (n >= 2 && pred === LINEAR) bits += varintBits(slope);
  return bits;
}

/** Resets `plan` to `pred` and `mode`, g 1, base 0, one bucket of width 0, header of descriptor and seeds. */
function resetPlan(plan: ColumnPlan, x: Float64Array, n: number, pred: number, mode: number, slope: number): void {
  plan.pred = pred;
  plan.mode = mode;
  plan.slope = slope;
  plan.g = 1;
  plan.base = 0;
  plan.buckets = 1;
  plan.widths[0] = 0;
  plan.codeLens[0] = 0;
  plan.codes[0] = 0;
  plan.bucketOf.fill(0);
  plan.codeBits = 0;
  plan.headerBits = 8 + seedBits(x, n, pred, slope);
}

/** Plans `pred` with FOR and every residual equal to `base`: no bits per residual. */
function planEqualResiduals(plan: ColumnPlan, x: Float64Array, n: number, pred: number, base: number): void {
  resetPlan(plan, x, n, pred, MODE_FOR, 0);
  plan.base = base;
  // g, base, bucket.
  if (n > firstResidual(pred)) plan.headerBits += 8 + varintBits(base) + 8;
}

/**
 * Fast path for the commonest columns, on-schedule timestamps and constants: when every
 * value, or every delta, is the same, plans RAW or DELTA with no residual bits and returns
 * true. The loops stop at the first difference, so other columns pay a few comparisons.
 */
function planSteady(x: Float64Array, n: number, plan: ColumnPlan): boolean {
  const x0 = x[0]!;
  let i = 1;
  while (i < n && x[i] === x0) i++;
  if (i === n && x0 > -LIMIT && x0 < LIMIT) {
    planEqualResiduals(plan, x, n, RAW, x0);
    return true;
  }
  if (n < 3) return false;
  const d = x[1]! - x0;
  if (!(d > -LIMIT && d < LIMIT)) return false;
  for (i = 2; i < n; i++) if (x[i]! - x[i - 1]! !== d) return false;
  planEqualResiduals(plan, x, n, DELTA, d);
  return true;
}

/**
 * Chooses how to encode the integer column x[0..n) (safe integers, n >= 1) and fills
 * `plan`. Returns false when no predictor keeps the residuals below 2^52 (the chunk is then
 * left to XOR).
 */
function planColumn(x: Float64Array, n: number, plan: ColumnPlan): boolean {
  if (planSteady(x, n, plan)) return true;
  if (scratchD.length < n) {
    scratchD = new Float64Array(n);
    scratchR = new Float64Array(n);
  }
  const D = scratchD;
  const x0 = x[0]!;
  const slope = n > 1 ? Math.round((x[n - 1]! - x0) / (n - 1)) : 0;
  // Pass 1: the deltas, and the residual ranges of all four predictors. DOD's and LINEAR's
  // residuals are computed again where needed, which is cheaper than storing them.
  let min0 = x0;
  let max0 = x0;
  let min1 = Infinity;
  let max1 = -Infinity;
  let min2 = Infinity;
  let max2 = -Infinity;
  let min3 = Infinity;
  let max3 = -Infinity;
  let prev = x0;
  let prevD = 0;
  let lin = x0;
  for (let i = 1; i < n; i++) {
    const xi = x[i]!;
    const d = xi - prev;
    lin += slope;
    const l = xi - lin;
    D[i] = d;
    // Math.min/max compile to branch-free minsd/maxsd.
    min0 = Math.min(min0, xi);
    max0 = Math.max(max0, xi);
    min1 = Math.min(min1, d);
    max1 = Math.max(max1, d);
    min3 = Math.min(min3, l);
    max3 = Math.max(max3, l);
    if (i >= 2) {
      const dd = d - prevD;
      min2 = Math.min(min2, dd);
      max2 = Math.max(max2, dd);
    }
    prev = xi;
    prevD = d;
  }
  const inRange = (lo: number, hi: number) => lo > -LIMIT && hi < LIMIT;
  const ok = predOk;
  ok[RAW] = inRange(min0, max0);
  ok[DELTA] = n < 2 || inRange(min1, max1);
  ok[DOD] = ok[DELTA] && (n < 3 || inRange(min2, max2));
  // x_0 + i*S is exact while |x| < 2^52 and |(n-1) * S| < 2^52.
  ok[LINEAR] = n >= 3 && ok[RAW] && Math.abs(slope) * (n - 1) < LIMIT && inRange(min3, max3);
  if (!ok[RAW] && !ok[DELTA]) return false;
  const mins = predMin;
  mins[RAW] = min0;
  mins[DELTA] = min1;
  mins[DOD] = min2;
  mins[LINEAR] = min3;
  predMax[RAW] = max0;
  predMax[DELTA] = max1;
  predMax[DOD] = max2;
  predMax[LINEAR] = max3;

  // Equal residuals (planSteady catches most): the simplest such predictor, no residual bits.
  const equal = ok[RAW] && min0 === max0 ? RAW : n >= 2 && ok[DELTA] && min1 === max1 ? DELTA : n >= 3 && ok[DOD] && min2 === max2 ? DOD : -1;
  if (equal >= 0) {
    planEqualResiduals(plan, x, n, equal, mins[equal]!);
    return true;
  }
  const c = pickCandidate(x, n, slope);
  const pred = CAND_PRED[c]!;
  const mode = CAND_MODE[c]!;
  const first = firstResidual(pred);
  resetPlan(plan, x, n, pred, mode, slope);
  if (n <= first) return true;
  let R = pred === RAW ? x : D;
  if (pred === DOD) {
    R = scratchR;
    for (let i = 2; i < n; i++) R[i] = D[i]! - D[i - 1]!;
  } else if (pred === LINEAR) {
    R = scratchR;
    for (let i = 1; i < n; i++) R[i] = x[i]! - (x0 + i * slope);
  }
  const base = mode === MODE_FOR ? mins[pred]! : 0;
  plan.base = base;
  // GCD of the (base-subtracted) residuals; most columns reach 1 within a few samples.
  // Below 2^31 the remainder is taken on int32s, which V8 compiles to an integer division
  // instead of a call to fmod.
  let g = 0;
  for (let i = first; i < n && g !== 1; i++) {
    const r = R[i]! - base;
    const a = r < 0 ? -r : r;
    if (a === 0) continue;
    if (g === 0) g = a;
    else if (a < 2147483648 && g < 2147483648 ? (a | 0) % (g | 0) !== 0 : a % g !== 0) g = gcd(a, g);
  }
  if (g === 0) g = 1;
  plan.g = g;
  // The u's, their bit lengths (kept for writeColumn) and the histogram of those.
  if (plan.u.length < n) {
    plan.u = new Float64Array(n);
    plan.len = new Uint8Array(n);
  }
  const U = plan.u;
  const L = plan.len;
  const h = histogram;
  h.fill(0);
  // Dividing costs more than the rest of the loop, so g = 1 skips it.
  const unit = g === 1;
  for (let i = first; i < n; i++) {
    let u: number;
    if (mode === MODE_FOR) {
      u = unit ? R[i]! - base : (R[i]! - base) / g;
    } else {
      const q = unit ? R[i]! : R[i]! / g;
      u = q < 0 ? -2 * q - 1 : 2 * q;
    }
    const len = bitLen(u);
    U[i] = u;
    L[i] = len;
    h[len]!++;
  }
  plan.headerBits += uvarintBits(g) + (mode === MODE_FOR ? varintBits(base) : 0);
  chooseBuckets(h, n - first, plan);
  plan.headerBits += 8 * plan.buckets;
  return true;
}

/** The order in which pickCandidate sizes predictors. */
const PRED_ORDER = [DELTA, LINEAR, DOD, RAW];

/** Candidate (predictor, mode) pairs. */
const CAND_PRED = [RAW, DELTA, DELTA, DOD, DOD, LINEAR];
const CAND_MODE = [MODE_FOR, MODE_FOR, MODE_ZZ, MODE_FOR, MODE_ZZ, MODE_FOR];

/**
 * Picks the (predictor, mode) candidate, as an index into CAND_PRED/CAND_MODE, with the
 * smallest estimated size: the bucket search run on a histogram of every 4th residual (all of
 * them in short columns), scaled up, plus the header. Measured on the synthetic fleet: within
 * 0.2% of sizing every candidate exactly, at a fraction of the time; the cheaper estimate "sum
 * of bit lengths" was 1.3% larger on the mix and 6% on float counters, because it cannot see
 * that a single bucket needs no prefix bits. The GCD is left out of the estimate. Skipped
 * without sizing: ZZ when no residual is negative (FOR is then never larger), predictors
 * whose residuals span 16 times the narrowest span, and the bucket search when the bit
 * lengths alone already cost more than the best so far.
 */
function pickCandidate(x: Float64Array, n: number, slope: number): number {
  const step = n >= 128 ? 4 : 1;
  const D = scratchD;
  const x0 = x[0]!;
  const ok = predOk;
  const min = predMin;
  const h = histogram;
  const hz = histogram2;
  // A predictor whose residuals span 16 times the narrowest span is not worth sizing.
  let narrowest = Infinity;
  for (let pred = RAW; pred <= LINEAR; pred++) {
    if (ok[pred] && n > firstResidual(pred)) narrowest = Math.min(narrowest, predMax[pred]! - min[pred]!);
  }
  let best = -1;
  let bestCost = Infinity;
  // DELTA first: it wins most often, and its size lets the others skip the bucket search
  // when even their bit lengths alone (a lower bound) cost more.
  for (const pred of PRED_ORDER) {
    const first = firstResidual(pred);
    if (!ok[pred] || n <= first || predMax[pred]! - min[pred]! > 16 * narrowest + 16) continue;
    const base = min[pred]!;
    const zz = pred === DELTA || pred === DOD ? base < 0 : false;
    h.fill(0);
    if (zz) hz.fill(0);
    let m = 0;
    let sum = 0;
    let sumZz = 0;
    for (let i = first; i < n; i += step, m++) {
      const r = pred === RAW ? x[i]! : pred === DELTA ? D[i]! : pred === DOD ? D[i]! - D[i - 1]! : x[i]! - (x0 + i * slope);
      const len = bitLen(r - base);
      h[len]!++;
      sum += len;
      if (zz) {
        const lenZz = bitLen(r < 0 ? -2 * r - 1 : 2 * r);
        hz[lenZz]!++;
        sumZz += lenZz;
      }
    }
    // Descriptor, g, one bucket byte on average, and seeds.
    const header = 24 + seedBits(x, n, pred, slope);
    const scale = (n - first) / m;
    const headerFor = header + varintBits(base);
    if (sum * scale + headerFor < bestCost) {
      const costFor = chooseBuckets(h, m, null) * scale + headerFor;
      if (costFor < bestCost) {
        bestCost = costFor;
        best = pred === RAW ? 0 : pred === DELTA ? 1 : pred === DOD ? 3 : 5;
      }
    }
    if (zz && sumZz * scale + header < bestCost) {
      const costZz = chooseBuckets(hz, m, null) * scale + header;
      if (costZz < bestCost) {
        bestCost = costZz;
        best = pred === DELTA ? 2 : 4;
      }
    }
  }
  // n = 1 and |x_0| >= 2^52: no candidate has residuals; DELTA stores x_0 as a seed.
  return best < 0 ? 1 : best;
}

/**
 * Chooses 1..4 bucket widths for a histogram `h` of bit lengths (`total` entries) that
 * minimize the code size, and returns that size in bits. With a plan, also assigns canonical
 * prefix codes and fills plan.{buckets, widths, codeLens, codes, bucketOf, codeBits}.
 * Thresholds worth trying are the bit lengths that occur, and the largest must be the last
 * bucket's width; with many distinct lengths, only the largest and the most frequent others
 * are tried.
 */
function chooseBuckets(h: Int32Array, total: number, plan: ColumnPlan | null): number {
  const cand = searchCand;
  let m = 0;
  let maxW = 0;
  for (let w = 0; w <= MAX_WIDTH; w++) {
    if (h[w]! > 0) {
      cand[m++] = w;
      maxW = w;
    }
  }
  if (m > MAX_CANDIDATES) {
    const others = Array.from(cand.subarray(0, m - 1)).sort((a, b) => h[b]! - h[a]! || b - a);
    const keep = others.slice(0, MAX_CANDIDATES - 1).sort((a, b) => a - b);
    for (let i = 0; i < keep.length; i++) cand[i] = keep[i]!;
    cand[keep.length] = maxW;
    m = keep.length + 1;
  }
  // cum[j]: how many lengths are <= cand[j].
  const cum = searchCum;
  for (let w = 0, c = 0, j = 0; w <= maxW; w++) {
    c += h[w]!;
    if (w === cand[j]) cum[j++] = c;
  }
  const N = total;
  const last = m - 1;
  let bestCost = N * maxW;
  let bk = 1;
  let ba = -1;
  let bb = -1;
  let bc = -1;
  for (let a = 0; a < last; a++) {
    const c0 = cum[a]!;
    const wa = cand[a]!;
    // Two buckets: 1-bit codes.
    const cost2 = N + c0 * wa + (N - c0) * maxW;
    if (cost2 < bestCost) {
      bestCost = cost2;
      bk = 2;
      ba = a;
    }
    for (let b = a + 1; b < last; b++) {
      const c1 = cum[b]! - c0;
      const wb = cand[b]!;
      const c2 = N - cum[b]!;
      // Three buckets: codes of 1, 2, 2 bits, the 1-bit one for the most frequent.
      const mx3 = c0 > c1 ? (c0 > c2 ? c0 : c2) : c1 > c2 ? c1 : c2;
      const cost3 = c0 * wa + c1 * wb + c2 * maxW + 2 * N - mx3;
      if (cost3 < bestCost) {
        bestCost = cost3;
        bk = 3;
        ba = a;
        bb = b;
      }
      const pre = c0 * wa + c1 * wb;
      for (let c = b + 1; c < last; c++) {
        const k2 = cum[c]! - cum[b]!;
        const k3 = N - cum[c]!;
        // Four buckets: Huffman gives lengths (2,2,2,2) or (1,2,3,3) by descending count,
        // the latter costing 3N - 2*first - second.
        let m1 = c0;
        let m2 = c1;
        if (m2 > m1) {
          m1 = c1;
          m2 = c0;
        }
        if (k2 > m1) {
          m2 = m1;
          m1 = k2;
        } else if (k2 > m2) m2 = k2;
        if (k3 > m1) {
          m2 = m1;
          m1 = k3;
        } else if (k3 > m2) m2 = k3;
        const prefix = 3 * N - 2 * m1 - m2;
        const cost4 = pre + k2 * cand[c]! + k3 * maxW + (prefix < 2 * N ? prefix : 2 * N);
        if (cost4 < bestCost) {
          bestCost = cost4;
          bk = 4;
          ba = a;
          bb = b;
          bc = c;
        }
      }
    }
  }
  if (plan === null) return bestCost;

  // Materialize: widths, counts, code lengths (as costed above), canonical codes.
  const widths = plan.widths;
  const counts = [0, 0, 0, 0];
  const thresholds = bk === 1 ? [last] : bk === 2 ? [ba, last] : bk === 3 ? [ba, bb, last] : [ba, bb, bc, last];
  for (let j = 0, prevCum = 0; j < bk; j++) {
    const ti = thresholds[j]!;
    widths[j] = cand[ti]!;
    counts[j] = cum[ti]! - prevCum;
    prevCum = cum[ti]!;
  }
  const lens = plan.codeLens;
  if (bk === 1) {
    lens[0] = 0;
  } else if (bk === 2) {
    lens[0] = 1;
    lens[1] = 1;
  } else {
    const byCount = Array.from({ length: bk }, (_, j) => j).sort((a, b) => counts[b]! - counts[a]! || a - b);
    const skewed = bk === 3 || 3 * N - 2 * counts[byCount[0]!]! - counts[byCount[1]!]! < 2 * N;
    const shape = bk === 3 ? [1, 2, 2] : skewed ? [1, 2, 3, 3] : [2, 2, 2, 2];
    for (let r = 0; r < bk; r++) lens[byCount[r]!] = shape[r]!;
  }
  plan.buckets = bk;
  canonicalCodes(lens, bk, plan.codes);
  for (let w = 0, j = 0; w <= MAX_WIDTH; w++) {
    while (j < bk - 1 && w > widths[j]!) j++;
    plan.bucketOf[w] = j;
  }
  plan.codeBits = bestCost;
  return bestCost;
}

/** Canonical prefix codes for code lengths lens[0..k): assigned in order of (length, index). */
function canonicalCodes(lens: Int32Array, k: number, codes: Int32Array): void {
  let code = 0;
  for (let len = 1; len <= 3; len++) {
    for (let j = 0; j < k; j++) {
      if (lens[j] === len) codes[j] = code++;
    }
    code <<= 1;
  }
  if (k === 1) codes[0] = 0;
}

function writeColumn(w: BitWriter, x: Float64Array, n: number, plan: ColumnPlan): void {
  const { pred, mode, g, base, buckets } = plan;
  w.write((pred << 6) | (mode << 5) | ((buckets - 1) << 3), 8);
  if (pred >= DELTA) w.writeVarint(x[0]!);
  if (n >= 2 && pred === DOD) w.writeVarint(x[1]! - x[0]!);
  if (n >= 2 && pred === LINEAR) w.writeVarint(plan.slope);
  const first = firstResidual(pred);
  if (n <= first) return;
  w.writeUvarint(g);
  if (mode === MODE_FOR) w.writeVarint(base);
  const { widths, codeLens, codes, bucketOf } = plan;
  for (let j = 0; j < buckets; j++) w.write((codeLens[j]! << 6) | widths[j]!, 8);
  if (buckets === 1 && widths[0] === 0) return;
  const U = plan.u;
  const L = plan.len;
  // BitWriter.write inlined on local copies of its state: the hottest loop of the encoder.
  const buf = w.buf;
  let { acc, nacc, pos } = w;
  for (let i = first; i < n; i++) {
    const u = U[i]!;
    const b = bucketOf[L[i]!]!;
    const k = codeLens[b]! + widths[b]!;
    if (k > 32) {
      w.acc = acc;
      w.nacc = nacc;
      w.pos = pos;
      w.write(codes[b]!, codeLens[b]!);
      w.writeWide(u, widths[b]!);
      ({ acc, nacc, pos } = w);
      continue;
    }
    // A 32-bit width has no code bits (k <= 32), and a shift by 32 would be a shift by 0.
    const v = widths[b] === 32 ? u | 0 : (codes[b]! << widths[b]!) | u;
    const free = 32 - nacc;
    if (k < free) {
      acc |= v << (free - k);
      nacc += k;
    } else {
      const spill = k - free;
      const word = acc | (v >>> spill);
      buf[pos] = word >>> 24;
      buf[pos + 1] = word >>> 16;
      buf[pos + 2] = word >>> 8;
      buf[pos + 3] = word;
      pos += 4;
      nacc = spill;
      acc = spill === 0 ? 0 : v << (32 - spill);
    }
  }
  w.acc = acc;
  w.nacc = nacc;
  w.pos = pos;
}

// ---------------------------------------------------------------------------------------
// Encoding.

const planT = new ColumnPlan();
const planK = new ColumnPlan();
let scratchK = new Float64Array(512);

/**
 * The smallest e in 0..12 such that every v[i] is k / 10^e for a safe integer k, bit-exactly,
 * with the k's in scratchK; -1 if there is none (NaN, ±Inf, -0, more than 12 decimals, more
 * than 2^53 - 1 units of the last decimal).
 */
function decimalExponent(v: Float64Array, n: number): number {
  if (scratchK.length < n) scratchK = new Float64Array(n);
  const K = scratchK;
  let e = 0;
  let p = 1;
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    let k = Math.round(x * p);
    // The range test rejects NaN and ±Inf; the reciprocal test rejects -0 (k = 0 gives +0).
    while (!(k / p === x && k <= MAX_K && k >= -MAX_K && (x !== 0 || 1 / x > 0))) {
      if (++e > DOD_MAX_EXPONENT) return -1;
      const scale = POW10[e]! / p;
      p = POW10[e]!;
      k = Math.round(x * p);
      // Earlier values scale exactly: k * 10^j / 10^(e+j) is the same rational as k / 10^e,
      // hence the same rounded double.
      for (let j = 0; j < i; j++) {
        const kj = K[j]! * scale;
        if (kj > MAX_K || kj < -MAX_K) return -1;
        K[j] = kj;
      }
    }
    K[i] = k;
  }
  return e;
}

/** Checks that t[0..n) are strictly increasing safe integers (as XorAppender requires). */
function checkTimestamps(t: Float64Array, n: number): void {
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const ti = t[i]!;
    if (!(ti > prev && ti <= MAX_K && ti >= -MAX_K && Math.floor(ti) === ti)) {
      throw new RangeError(`dod chunk: timestamp ${ti} at index ${i} is not a safe integer above ${prev}`);
    }
    prev = ti;
  }
}

/**
 * Encodes the samples (t[i] ms, v[i]) for i < n as a decimal delta-of-delta chunk, or returns
 * null when this codec does not apply: a value that is not a decimal with at most 12 digits
 * after the point and 2^53 - 1 units of the last one (NaN of any payload, ±Inf and -0
 * included), or residuals beyond 2^52 whichever way they are predicted (timestamps 2^52 ms
 * apart). Throws a RangeError when n is outside 0..65535 or the arrays, or the timestamps are
 * not strictly increasing safe integers.
 */
export function encodeDod(t: Float64Array, v: Float64Array, n: number): Uint8Array | null {
  if (!Number.isInteger(n) || n < 0 || n > MAX_SAMPLES_PER_CHUNK || n > t.length || n > v.length) {
    throw new RangeError(`dod chunk: bad sample count ${n}`);
  }
  if (n === 0) return Uint8Array.of(0);
  const reuse = sameAsLastTimestamps(t, n);
  if (!reuse) checkTimestamps(t, n);
  const e = decimalExponent(v, n);
  if (e < 0) return null;
  if (!reuse && !encodeTimestamps(t, n)) return null;
  if (!planColumn(scratchK, n, planK)) return null;
  const bits = 24 + lastTBits + 8 + planK.headerBits + planK.codeBits;
  // +4: the writer stores whole 32-bit words.
  const w = new BitWriter(((bits + 7) >>> 3) + 4);
  w.writeUvarint(n);
  w.copyBits(lastTColumn, lastTBits);
  w.write(e, 8);
  writeColumn(w, scratchK, n, planK);
  return w.finish();
}

// The timestamps column of the last chunk encoded, as bits. Series of one target share their
// timestamps, and compaction visits them one after another (a scrape creates a target's
// series together, so they are numbered together), so the next chunk usually reuses it: one
// comparison per sample instead of planning the column again. Compared by content, never
// by identity, so a caller may reuse its arrays.
let lastN = 0;
let lastT = new Float64Array(512);
/** The column's bits, followed by zero bytes. */
let lastTColumn: Uint8Array = new Uint8Array(16);
let lastTBits = 0;

function sameAsLastTimestamps(t: Float64Array, n: number): boolean {
  if (n !== lastN) return false;
  const last = lastT;
  for (let i = 0; i < n; i++) if (t[i] !== last[i]) return false;
  return true;
}

/** Plans and writes the timestamps column into the last-column cache; false if it cannot be encoded. */
function encodeTimestamps(t: Float64Array, n: number): boolean {
  lastN = 0;
  if (!planColumn(t, n, planT)) return false;
  // +12: whole 32-bit words, and zero bytes for appendBits to read past the end.
  const w = new BitWriter(((planT.headerBits + planT.codeBits + 7) >>> 3) + 12);
  writeColumn(w, t, n, planT);
  lastTBits = w.bitLength;
  w.flush();
  lastTColumn = w.buf;
  if (lastT.length < n) lastT = new Float64Array(n);
  lastT.set(t.subarray(0, n));
  lastN = n;
  return true;
}

// ---------------------------------------------------------------------------------------
// Decoding. As in xor.ts, the input is copied into a buffer with 8 zero bytes of padding so
// that 32-bit reads at any bit offset need no bounds checks; each column checks at its end
// that it did not read past the real data.

let padScratch = new Uint8Array(4096);
// A view of padScratch for the hot loops: one unaligned big-endian 32-bit load (plus one
// byte) per read instead of five byte loads.
let padView = new DataView(padScratch.buffer);

function padded(data: Uint8Array): Uint8Array {
  const need = data.length + 8;
  if (padScratch.length < need) {
    padScratch = new Uint8Array(Math.max(need, padScratch.length * 2));
    padView = new DataView(padScratch.buffer);
  }
  const d = padScratch;
  d.set(data);
  d.fill(0, data.length, need);
  return d;
}

function corrupt(what: string): never {
  throw new Error(`dod chunk: corrupt data (${what})`);
}

// Result of readVarint: the value as uint32 halves.
let varHi = 0;
let varLo = 0;

/** Reads an unsigned LEB128 at bit `p` into varHi/varLo; returns the new position. */
function readVarint(d: Uint8Array, p: number): number {
  let lo = 0;
  let hi = 0;
  for (let shift = 0; ; shift += 7) {
    if (shift > 63) corrupt("varint too long");
    const b = read32(d, p) >>> 24;
    p += 8;
    const v = b & 0x7f;
    if (shift < 32) {
      lo |= v << shift;
      if (shift > 25) hi |= v >>> (32 - shift);
    } else {
      hi |= v << (shift - 32);
    }
    if ((b & 0x80) === 0) break;
  }
  varHi = hi >>> 0;
  varLo = lo >>> 0;
  return p;
}

/** The varint just read as unsigned (exact below 2^53). */
function varUnsigned(): number {
  return varHi * TWO_POW_32 + varLo;
}

/** The varint just read, un-zigzagged (exact while |x| < 2^53). */
function varSigned(): number {
  const a = varHi * 2147483648 + (varLo >>> 1);
  return (varLo & 1) !== 0 ? -a - 1 : a;
}

/** Scratch for readColumn's residuals (grown on demand, never shrunk). */
let residuals = new Float64Array(1024);
/** Scratch for decodeDodRange's timestamps (grown on demand, never shrunk). */
let tScratch = new Float64Array(1024);

// Decoder tables, indexed by the next 3 bits of the stream: prefix length and bucket width.
const tabLen = new Int32Array(8);
const tabWidth = new Int32Array(8);

/**
 * Decodes a column of n integers at bit `p`, writing x_i / div to out[off + i - skip] for
 * skip <= i < min(limit, n) and reading no further. Returns the bit position after the last
 * bit read. `d` must be padScratch (the hot loop reads it through padView).
 */
function readColumn(
  d: Uint8Array,
  bitLength: number,
  p: number,
  n: number,
  limit: number,
  out: Float64Array,
  off: number,
  div: number,
  skip = 0,
): number {
  // Writes go to out[o + i]; samples before `skip` are decoded but not written.
  const o = off - skip;
  const desc = read32(d, p) >>> 24;
  p += 8;
  const pred = desc >>> 6;
  const mode = (desc >>> 5) & 1;
  const buckets = ((desc >>> 3) & 3) + 1;
  if ((desc & 7) !== 0) corrupt("column descriptor");
  let x = 0;
  // DOD: the last delta; LINEAR: the slope.
  let delta = 0;
  if (pred >= DELTA) {
    p = readVarint(d, p);
    x = varSigned();
    if (limit > 0 && skip === 0) out[o] = x / div;
    if (n >= 2 && pred >= DOD) {
      p = readVarint(d, p);
      delta = varSigned();
      if (pred === DOD) {
        x += delta;
        if (limit > 1 && skip <= 1) out[o + 1] = x / div;
      }
    }
  }
  const first = firstResidual(pred);
  if (n <= first) {
    if (p > bitLength) corrupt("truncated");
    return p;
  }
  p = readVarint(d, p);
  const g = varUnsigned();
  if (g < 1 || g > MAX_K) corrupt("gcd");
  let base = 0;
  if (mode === MODE_FOR) {
    p = readVarint(d, p);
    base = varSigned();
  }
  // Bucket descriptors -> lookup tables over the next 3 bits.
  const lens = [0, 0, 0, 0];
  const widths = [0, 0, 0, 0];
  let kraft = 0;
  for (let j = 0; j < buckets; j++) {
    const b = read32(d, p) >>> 24;
    p += 8;
    lens[j] = b >>> 6;
    widths[j] = b & 63;
    if (widths[j]! > MAX_WIDTH) corrupt("bucket width");
    kraft += 8 >>> lens[j]!;
  }
  // One bucket has an empty code; several form a complete prefix code (Kraft sum 1).
  if (buckets === 1 ? lens[0] !== 0 : lens.slice(0, buckets).includes(0) || kraft !== 8) corrupt("bucket codes");
  for (let len = buckets === 1 ? 0 : 1, code = 0; len <= 3; len++, code <<= 1) {
    for (let j = 0; j < buckets; j++) {
      if (lens[j] !== len) continue;
      const span = 8 >>> len;
      for (let s = code * span; s < (code + 1) * span; s++) {
        tabLen[s] = len;
        tabWidth[s] = widths[j]!;
      }
      code++;
    }
  }
  const end = limit < n ? limit : n;
  // Samples from `from` on are written; the ones before only advance the predictor.
  const from = skip > first ? (skip < end ? skip : end) : first;
  // LINEAR integrates x_0 + i*S in `lin`.
  let lin = x;
  if (buckets === 1 && widths[0] === 0) {
    // Every residual is the same and takes no bits (on-schedule timestamps, constants):
    // closed forms, no per-sample branches.
    const r = mode === MODE_FOR ? base : 0;
    const k = from - first; // residuals before the first written sample
    if (pred === RAW) {
      for (let i = from; i < end; i++) out[o + i] = r / div;
    } else if (pred === DELTA) {
      x += k * r;
      for (let i = from; i < end; i++) out[o + i] = (x += r) / div;
    } else if (pred === DOD) {
      // x_i = x_{i-1} + delta_i with delta growing by r per step.
      for (let i = first; i < from; i++) x += delta += r;
      for (let i = from; i < end; i++) out[o + i] = (x += delta += r) / div;
    } else {
      lin += k * delta;
      for (let i = from; i < end; i++) out[o + i] = ((lin += delta) + r) / div;
    }
  } else {
    // Three simple passes instead of one loop with per-sample branches on the
    // column's predictor and mode: read the codes, map them to residuals,
    // integrate. (Same arithmetic, in the same order.)
    if (residuals.length < end) residuals = new Float64Array(Math.max(end, residuals.length * 2));
    const res = residuals;
    const dv = padView;
    if (buckets === 1 && widths[0]! < 32) {
      // No prefixes: each residual is the next `wd` bits.
      const wd = widths[0]!;
      const sh = 31 - wd;
      for (let i = first; i < end; i++) {
        const b = p >>> 3;
        const bo = p & 7;
        const w = (dv.getInt32(b) << bo) | (d[b + 4]! >>> (8 - bo));
        res[i] = (w >>> 1) >>> sh;
        p += wd;
      }
    } else {
      for (let i = first; i < end; i++) {
        const b = p >>> 3;
        const bo = p & 7;
        const w = (dv.getInt32(b) << bo) | (d[b + 4]! >>> (8 - bo));
        const s = w >>> 29;
        const pl = tabLen[s]!;
        const wd = tabWidth[s]!;
        let u: number;
        if (pl + wd <= 32 && wd < 32) {
          // (y >>> 1) >>> (31 - wd) is y >>> (32 - wd), and 0 when wd = 0.
          u = ((w << pl) >>> 1) >>> (31 - wd);
        } else if (wd <= 32) {
          u = read32(d, p + pl) >>> (32 - wd);
        } else {
          u = (read32(d, p + pl) >>> (64 - wd)) * TWO_POW_32 + (read32(d, p + pl + wd - 32) >>> 0);
        }
        p += pl + wd;
        res[i] = u;
      }
    }
    if (mode === MODE_FOR) {
      for (let i = first; i < end; i++) res[i] = res[i]! * g + base;
    } else {
      // u & 1 is the parity of any safe integer (ToInt32 keeps the low bits).
      for (let i = first; i < end; i++) {
        const u = res[i]!;
        res[i] = ((u & 1) !== 0 ? -(u + 1) / 2 : u / 2) * g;
      }
    }
    if (pred === RAW) {
      for (let i = from; i < end; i++) out[o + i] = res[i]! / div;
    } else if (pred === DELTA) {
      for (let i = first; i < from; i++) x += res[i]!;
      for (let i = from; i < end; i++) {
        x += res[i]!;
        out[o + i] = x / div;
      }
    } else if (pred === DOD) {
      for (let i = first; i < from; i++) {
        delta += res[i]!;
        x += delta;
      }
      for (let i = from; i < end; i++) {
        delta += res[i]!;
        x += delta;
        out[o + i] = x / div;
      }
    } else {
      lin += (from - first) * delta;
      for (let i = from; i < end; i++) {
        lin += delta;
        x = lin + res[i]!;
        out[o + i] = x / div;
      }
    }
  }
  if (p > bitLength) corrupt("truncated");
  return p;
}

/** Number of samples in an encoded chunk (its leading uvarint). */
export function dodNumSamples(data: Uint8Array): number {
  let n = 0;
  for (let i = 0; ; i++) {
    if (i >= data.length) corrupt("truncated sample count");
    if (i >= 3) corrupt("sample count");
    const b = data[i]!;
    n += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      // Only the shortest form is valid, so the count's length follows from its value.
      if (b === 0 && i > 0) corrupt("sample count");
      break;
    }
  }
  if (n > MAX_SAMPLES_PER_CHUNK) corrupt("sample count");
  return n;
}

/** Bits taken by the sample count n. */
function countBits(n: number): number {
  return n < 128 ? 8 : n < 16384 ? 16 : 24;
}

/** Reads the exponent byte at bit p; returns 10^e. */
function readDivisor(d: Uint8Array, p: number): number {
  const e = read32(d, p) >>> 24;
  if (e > DOD_MAX_EXPONENT) corrupt("decimal exponent");
  return POW10[e]!;
}

/**
 * Decodes all samples: timestamps (ms) and values. Both arrays are views of one ArrayBuffer
 * (t first), which halves the allocation cost; mind their byteOffset when viewing `.buffer`.
 */
export function decodeDod(data: Uint8Array): { t: Float64Array; v: Float64Array } {
  const n = dodNumSamples(data);
  // One backing store for both columns: allocating an ArrayBuffer is the costly part.
  const both = new ArrayBuffer(16 * n);
  const t = new Float64Array(both, 0, n);
  const v = new Float64Array(both, 8 * n, n);
  if (n === 0) {
    if (data.length !== 1) corrupt("trailing bytes");
    return { t, v };
  }
  const d = padded(data);
  const bitLength = data.length * 8;
  const p = readColumn(d, bitLength, countBits(n), n, n, t, 0, 1);
  const end = readColumn(d, bitLength, p + 8, n, n, v, 0, readDivisor(d, p));
  if ((end + 7) >>> 3 !== data.length) corrupt("trailing bytes");
  return { t, v };
}

/**
 * Decodes the samples with mint <= t <= maxt (ms, inclusive) and appends them to `out`.
 * Timestamps come first in the chunk and are all decoded; values only up to the last sample
 * in range. Returns the number of samples appended.
 */
export function decodeDodRange(data: Uint8Array, mint: number, maxt: number, out: XorSink): number {
  const n = dodNumSamples(data);
  if (n === 0) return 0;
  // Timestamps go to a scratch column first, so `out` only needs room for the samples in
  // range (select sizes its sink by an estimate of those, not by whole chunks).
  if (tScratch.length < n) tScratch = new Float64Array(Math.max(n, tScratch.length * 2));
  const ts = tScratch;
  const d = padded(data);
  const bitLength = data.length * 8;
  const p = readColumn(d, bitLength, countBits(n), n, n, ts, 0, 1);
  let lo = 0;
  while (lo < n && ts[lo]! < mint) lo++;
  let hi = lo;
  while (hi < n && ts[hi]! <= maxt) hi++;
  if (hi === lo) return 0;
  out.reserve(hi - lo);
  const off = out.length;
  // Values before lo are decoded (the predictors need them) but not written.
  const end = readColumn(d, bitLength, p + 8, n, hi, out.v, off, readDivisor(d, p), lo);
  if (hi === n && (end + 7) >>> 3 !== data.length) corrupt("trailing bytes");
  out.t.set(ts.subarray(lo, hi), off);
  out.length = off + hi - lo;
  return hi - lo;
}
