// Aggregation operators (Prometheus's rangeEvalAgg, aggregation,
// aggregationK and aggregationCountValues).

import type { AggregateExpr } from "../parser/ast";
import { exprType } from "../parser/ast";
import { formatFloatF, formatFloatG } from "../parser/go-format";
import { isValidUtf8LabelName, type Labels } from "../../storage/labels/labels";
import { unwrapParens, type EvalRange, type Evaluator } from "./evaluator";
import type { Sample } from "./value";
import { countPoints, newStepSeries, numSteps, type StepMatrix, type StepSeries } from "./range-eval";
import { deleteLabels, keepLabels, labelsHash, METRIC_NAME, setLabel } from "./labels";
import { labelsXXHash } from "./xxhash";
import { invalidQuantileWarning } from "./functions/math-util";

interface Group {
  seen: boolean;
  floatValue: number;
  floatMean: number;
  kahanC: number;
  groupCount: number;
  incrementalMean: boolean;
  dropName: boolean;
  heap: Sample[];
}

function groupingKey(metric: Labels, grouping: Set<string>, without: boolean): string {
  let key = "";
  if (without) {
    for (const l of metric) if (!grouping.has(l.name) && l.name !== METRIC_NAME) key += l.name + "\xff" + l.value + "\xfe";
  } else if (grouping.size === 1) {
    // `by` one label (by job, by le, ...): its value alone identifies the
    // group (labels never have empty values, so "" means absent), and a
    // plain value looks up faster than a concatenated key.
    for (const l of metric) if (grouping.has(l.name)) return l.value;
  } else {
    for (const l of metric) if (grouping.has(l.name)) key += l.name + "\xff" + l.value + "\xfe";
  }
  return key;
}

function groupingLabels(metric: Labels, grouping: Set<string>, without: boolean): Labels {
  if (without) {
    const del = new Set(grouping);
    del.add(METRIC_NAME);
    return deleteLabels(metric, del);
  }
  if (grouping.size > 0) return keepLabels(metric, grouping);
  return [];
}

/** One output series of count_values: a group's labels with one value. */
interface ValueCount {
  base: number;
  value: string;
  series: StepSeries | null;
  /** The step `count` is for. */
  step: number;
  count: number;
}

/**
 * count_values(label, v): at each step, the number of series per group and
 * value, as Go's aggregationCountValues. A series' output labels are its
 * group's labels without the value label (worked out once per series, not
 * per point) plus the value label; each distinct value is formatted once
 * per query. Output series come in the order they first appear, step by
 * step, as rangeEval makes them.
 */
function countValues(ev: Evaluator, e: AggregateExpr, r: EvalRange, valueLabel: string, grouping: Set<string>): StepMatrix {
  const input = ev.evalSteps(e.expr, r);
  const n = numSteps(r);
  // Go sets the value label, then keeps or drops the grouping labels, then
  // (with `without`) sets the value label again: the same as the group's
  // labels without the value label, plus it.
  const drop = new Set([...grouping, METRIC_NAME, valueLabel]);
  const keep = new Set([...grouping].filter((l) => l !== valueLabel));
  const baseIds = new Map<string, number>();
  const bases: Labels[] = [];
  const counts: Map<string, ValueCount>[] = [];
  const seriesBase = new Int32Array(input.length);
  for (let si = 0; si < input.length; si++) {
    const m = input[si].metric;
    const base = e.without ? deleteLabels(m, drop) : keepLabels(m, keep);
    const key = labelsHash(base);
    let id = baseIds.get(key);
    if (id === undefined) {
      id = bases.length;
      baseIds.set(key, id);
      bases.push(base);
      counts.push(new Map());
    }
    seriesBase[si] = id;
  }
  // A Map does not tell -0 from 0 (formatted "-0" and "0"): zeros are formatted each time.
  const formatted = new Map<number, string>();
  const out: StepMatrix = [];
  const atStep: ValueCount[] = [];
  for (let step = 0; step < n; step++) {
    ev.checkContext();
    atStep.length = 0;
    for (let si = 0; si < input.length; si++) {
      const s = input[si];
      if (!s.has[step]) continue;
      const v = s.f[step];
      let value = v === 0 ? formatFloatF(v) : formatted.get(v);
      if (value === undefined) {
        value = formatFloatF(v);
        formatted.set(v, value);
      }
      const byValue = counts[seriesBase[si]];
      let c = byValue.get(value);
      if (c === undefined) {
        c = { base: seriesBase[si], value, series: null, step: -1, count: 0 };
        byValue.set(value, c);
      }
      if (c.step !== step) {
        c.step = step;
        c.count = 0;
        atStep.push(c);
      }
      c.count++;
    }
    ev.addSamples(atStep.length);
    for (const c of atStep) {
      if (c.series === null) {
        c.series = newStepSeries(setLabel(bases[c.base], valueLabel, c.value), n);
        out.push(c.series);
      }
      c.series.f[step] = c.count;
      c.series.has[step] = 1;
    }
  }
  return out;
}

/** Go's convertibleToInt64. */
function convertibleToInt64(v: number): boolean {
  return v <= 9223372036854775807 && v >= -9223372036854775808;
}

export function evalAggregation(ev: Evaluator, e: AggregateExpr, r: EvalRange): StepMatrix {
  const grouping = new Set(e.grouping);
  if (e.op === "count_values") {
    const param = unwrapParens(e.param!);
    const valueLabel = param.type === "stringLiteral" ? param.val : "";
    if (!isValidUtf8LabelName(valueLabel)) ev.error(`invalid label name ${JSON.stringify(valueLabel)}`);
    return countValues(ev, e, r, valueLabel, grouping);
  }

  // Parameter values per step.
  const n = numSteps(r);
  let params: Float64Array | null = null;
  if (e.param && exprType(e.param) === "scalar") {
    const pm = ev.evalSteps(e.param, r);
    params = new Float64Array(n);
    for (let i = 0; i < n; i++) params[i] = pm.length > 0 && pm[0].has[i] ? pm[0].f[i] : NaN;
  }
  if (GROUPED_OPS.has(e.op)) {
    const acc = new GroupedAggregation(e.op, n, grouping, e.without);
    feed(ev, e, r, (s) => acc.add(s));
    return acc.finish(ev);
  }

  if (e.op === "topk" || e.op === "bottomk") {
    const acc = new TopK(e.op === "topk", n, params!, grouping, e.without);
    feed(ev, e, r, (s) => acc.add(s));
    if (!checkParams(ev, e, params)) return [];
    return acc.finish(ev);
  }

  const input = ev.evalSteps(e.expr, r);

  const isK = e.op === "limitk" || e.op === "limit_ratio";
  const groupIndex = new Map<string, number>();
  const seriesToGroup = new Int32Array(input.length);
  const result: StepSeries[] = [];
  let groupCount = 0;
  for (let si = 0; si < input.length; si++) {
    const key = groupingKey(input[si].metric, grouping, e.without);
    let idx = groupIndex.get(key);
    if (idx === undefined) {
      if (!isK) result.push(newStepSeries(groupingLabels(input[si].metric, grouping, e.without), n));
      idx = groupCount++;
      groupIndex.set(key, idx);
    }
    seriesToGroup[si] = idx;
  }

  if (!checkParams(ev, e, params)) return [];

  if (isK) return aggregateK(ev, e, r, n, params, input, seriesToGroup, groupCount);

  if (e.op === "quantile") return aggregateQuantile(ev, n, params, input, seriesToGroup, result, groupCount);

  return ev.error(`aggregation ${e.op} is not implemented`);
}

/**
 * Hands the aggregation's input to `add` series by series: straight from
 * the producer where it can stream (no intermediate step matrix), else from
 * the evaluated step matrix.
 */
function feed(ev: Evaluator, e: AggregateExpr, r: EvalRange, add: (s: StepSeries) => void): void {
  if (ev.streamSteps(e.expr, r, add)) return;
  const input = ev.evalSteps(e.expr, r);
  for (let si = 0; si < input.length; si++) {
    if ((si & 0xff) === 0) ev.checkContext();
    add(input[si]);
  }
}

/**
 * Prometheus's checks of an aggregation's parameter over all steps: errors,
 * annotations, and false when no step can have a result.
 */
function checkParams(ev: Evaluator, e: AggregateExpr, params: Float64Array | null): boolean {
  if (params) {
    let max = -Infinity;
    let min = Infinity;
    let hasNaN = false;
    for (const p of params) {
      if (Number.isNaN(p)) hasNaN = true;
      else {
        if (p > max) max = p;
        if (p < min) min = p;
      }
    }
    if (e.op === "topk" || e.op === "bottomk" || e.op === "limitk") {
      if (hasNaN) ev.error("Parameter value is NaN");
      if (max < 1) return false;
    } else if (e.op === "limit_ratio") {
      if (hasNaN) ev.error("Ratio value is NaN");
      if (max === 0 && min === 0) return false;
      if (max > 1) ev.addAnnotation("warning", `ratio value should be between -1 and 1, got ${formatFloatG(max)}, capping to 1`, e.param);
      if (min < -1) ev.addAnnotation("warning", `ratio value should be between -1 and 1, got ${formatFloatG(min)}, capping to -1`, e.param);
    } else if (e.op === "quantile") {
      if (hasNaN) ev.addAnnotation("warning", invalidQuantileWarning(NaN), e.param);
      if (max > 1) ev.addAnnotation("warning", invalidQuantileWarning(max), e.param);
      if (min < 0) ev.addAnnotation("warning", invalidQuantileWarning(min), e.param);
    }
  }

  return true;
}

/** Aggregations computed by GroupedAggregation. */
const GROUPED_OPS: ReadonlySet<string> = new Set(["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar"]);

/**
 * sum, avg, count, min, max, group, stddev and stdvar (Go's
 * groupedAggregation): per-(group, step) state in flat typed arrays indexed
 * group * n + step, fed one input series at a time, so each series is read
 * sequentially and the operator is dispatched once per series. Groups are
 * numbered in order of first appearance and the arrays grow as groups
 * appear, so input can be streamed.
 */
class GroupedAggregation {
  private readonly groupIndex = new Map<string, number>();
  private readonly result: StepSeries[] = [];
  private cap = 0;
  private seen = new Uint8Array(0);
  private val = new Float64Array(0);
  /** Kahan compensation (sum, avg), or the running mean (stddev, stdvar). */
  private aux = new Float64Array(0);
  /** avg: the incremental mean once the sum would overflow. */
  private mean = new Float64Array(0);
  private cnt = new Float64Array(0);
  /** avg: whether the group switched to the incremental mean. */
  private incremental = new Uint8Array(0);

  constructor(
    private readonly op: string,
    private readonly n: number,
    private readonly grouping: Set<string>,
    private readonly without: boolean,
  ) {}

  private groupOf(metric: Labels): number {
    const key = groupingKey(metric, this.grouping, this.without);
    let g = this.groupIndex.get(key);
    if (g === undefined) {
      g = this.result.length;
      this.groupIndex.set(key, g);
      this.result.push(newStepSeries(groupingLabels(metric, this.grouping, this.without), this.n));
      if (g >= this.cap) this.grow(Math.max(16, 2 * this.cap));
    }
    return g;
  }

  private grow(cap: number): void {
    const size = cap * this.n;
    const grown = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    const f64 = (k: number) => new Float64Array(k);
    const u8 = (k: number) => new Uint8Array(k);
    this.seen = grown(this.seen, u8);
    this.val = grown(this.val, f64);
    this.aux = grown(this.aux, f64);
    if (this.op === "avg" || this.op === "count" || this.op === "stddev" || this.op === "stdvar") this.cnt = grown(this.cnt, f64);
    if (this.op === "avg") {
      this.mean = grown(this.mean, f64);
      this.incremental = grown(this.incremental, u8);
    }
    this.cap = cap;
  }

  add(s: StepSeries): void {
    const g = this.groupOf(s.metric);
    if (s.dropName) this.result[g].dropName = true;
    const n = this.n;
    const base = g * n;
    const sf = s.f;
    const sh = s.has;
    const seen = this.seen;
    const val = this.val;
    const aux = this.aux;
    const cnt = this.cnt;
    switch (this.op) {
      case "sum":
        for (let step = 0; step < n; step++) {
          if (!sh[step]) continue;
          const f = sf[step];
          const gi = base + step;
          if (!seen[gi]) {
            seen[gi] = 1;
            val[gi] = f;
            continue;
          }
          // Kahan–Neumaier summation (kahanSumInc, inlined).
          const sum = val[gi];
          const t = sum + f;
          if (t === Infinity || t === -Infinity) aux[gi] = 0;
          else if (Math.abs(sum) >= Math.abs(f)) aux[gi] += sum - t + f;
          else aux[gi] += f - t + sum;
          val[gi] = t;
        }
        return;
      case "max":
      case "min": {
        const max = this.op === "max";
        for (let step = 0; step < n; step++) {
          if (!sh[step]) continue;
          const f = sf[step];
          const gi = base + step;
          if (!seen[gi]) {
            seen[gi] = 1;
            val[gi] = f;
          } else if ((max ? val[gi] < f : val[gi] > f) || Number.isNaN(val[gi])) val[gi] = f;
        }
        return;
      }
      case "count":
      case "group":
        for (let step = 0; step < n; step++) {
          if (!sh[step]) continue;
          const gi = base + step;
          if (!seen[gi]) {
            seen[gi] = 1;
            val[gi] = 1;
            if (cnt.length > 0) cnt[gi] = 1;
          } else if (cnt.length > 0) cnt[gi]++;
        }
        return;
      case "stddev":
      case "stdvar":
        for (let step = 0; step < n; step++) {
          if (!sh[step]) continue;
          const f = sf[step];
          const gi = base + step;
          if (!seen[gi]) {
            seen[gi] = 1;
            cnt[gi] = 1;
            aux[gi] = f;
            val[gi] = Number.isFinite(f) ? 0 : NaN;
            continue;
          }
          cnt[gi]++;
          const delta = f - aux[gi];
          aux[gi] += delta / cnt[gi];
          val[gi] += delta * (f - aux[gi]);
        }
        return;
      case "avg": {
        const mean = this.mean;
        const incremental = this.incremental;
        for (let step = 0; step < n; step++) {
          if (!sh[step]) continue;
          const f = sf[step];
          const gi = base + step;
          if (!seen[gi]) {
            seen[gi] = 1;
            val[gi] = f;
            mean[gi] = f;
            cnt[gi] = 1;
            incremental[gi] = 0;
            continue;
          }
          cnt[gi]++;
          // kahanSumInc written out below (no [sum, c] array per sample).
          if (!incremental[gi]) {
            const sum = val[gi];
            const t = sum + f;
            if (t !== Infinity && t !== -Infinity) {
              aux[gi] += Math.abs(sum) >= Math.abs(f) ? sum - t + f : f - t + sum;
              val[gi] = t;
              continue;
            }
            // The sum would overflow: continue with an incremental mean.
            incremental[gi] = 1;
            mean[gi] = val[gi] / (cnt[gi] - 1);
            aux[gi] /= cnt[gi] - 1;
          }
          const q = (cnt[gi] - 1) / cnt[gi];
          const inc = f / cnt[gi];
          const m = q * mean[gi];
          const t = m + inc;
          if (t === Infinity || t === -Infinity) aux[gi] = 0;
          else aux[gi] = q * aux[gi] + (Math.abs(m) >= Math.abs(inc) ? m - t + inc : inc - t + m);
          mean[gi] = t;
        }
        return;
      }
    }
  }

  /** The groups' series, each with the steps it had input at. */
  finish(ev: Evaluator): StepMatrix {
    const n = this.n;
    const { seen, val, aux, cnt, mean, incremental } = this;
    const out: StepMatrix = [];
    let points = 0;
    for (let g = 0; g < this.result.length; g++) {
      const rs = this.result[g];
      let any = false;
      for (let step = 0; step < n; step++) {
        const gi = g * n + step;
        if (!seen[gi]) continue;
        let v = val[gi];
        switch (this.op) {
          case "avg":
            v = incremental[gi] ? mean[gi] + aux[gi] : val[gi] / cnt[gi] + aux[gi] / cnt[gi];
            break;
          case "count":
            v = cnt[gi];
            break;
          case "stdvar":
            v = val[gi] / cnt[gi];
            break;
          case "stddev":
            v = Math.sqrt(val[gi] / cnt[gi]);
            break;
          case "sum":
            v = val[gi] + aux[gi];
            break;
        }
        rs.f[step] = v;
        rs.has[step] = 1;
        any = true;
        points++;
      }
      if (any) out.push(rs);
    }
    ev.addSamples(points);
    return out;
  }
}

/** quantile: each group's values at each step, in its own slice of one buffer. */
function aggregateQuantile(
  ev: Evaluator,
  n: number,
  params: Float64Array | null,
  input: StepMatrix,
  seriesToGroup: Int32Array,
  result: StepSeries[],
  G: number,
): StepMatrix {
  const qBuf = new Float64Array(input.length);
  const qOff = new Int32Array(G);
  const qLen = new Int32Array(G);
  const sizes = new Int32Array(G);
  for (let si = 0; si < input.length; si++) sizes[seriesToGroup[si]]++;
  for (let g = 1; g < G; g++) qOff[g] = qOff[g - 1] + sizes[g - 1];
  for (let step = 0; step < n; step++) {
    ev.checkContext();
    qLen.fill(0);
    for (let si = 0; si < input.length; si++) {
      const s = input[si];
      if (!s.has[step]) continue;
      const g = seriesToGroup[si];
      if (s.dropName) result[g].dropName = true;
      qBuf[qOff[g] + qLen[g]++] = s.f[step];
    }
    for (let g = 0; g < G; g++) {
      if (qLen[g] === 0) continue;
      result[g].f[step] = quantile(params ? params[step] : NaN, qBuf.subarray(qOff[g], qOff[g] + qLen[g]));
      result[g].has[step] = 1;
    }
  }
  const out = result.filter((s) => s.has.some((h) => h === 1));
  ev.addSamples(countPoints(out));
  return out;
}

/** topk, bottomk, limitk, limit_ratio: per step, then assembled into series. */
function aggregateK(
  ev: Evaluator,
  e: AggregateExpr,
  r: EvalRange,
  n: number,
  params: Float64Array | null,
  input: StepMatrix,
  seriesToGroup: Int32Array,
  groupCount: number,
): StepMatrix {
  const groups: Group[] = [];
  for (let i = 0; i < groupCount; i++) {
    groups.push({ seen: false, floatValue: 0, floatMean: 0, kahanC: 0, groupCount: 0, incrementalMean: false, dropName: false, heap: [] });
  }
  const kSeries = new Map<string, StepSeries>();
  const out: StepMatrix = [];
  for (let step = 0; step < n; step++) {
    ev.checkContext();
    const ts = r.start + step * r.interval;
    for (const g of groups) g.seen = false;
    const res = aggregationK(ev, e, params ? params[step] : NaN, input, step, ts, seriesToGroup, groups);
    for (const s of res) {
      const k = labelsHash(s.metric);
      let ss = kSeries.get(k);
      if (!ss || n === 1) {
        ss = newStepSeries(s.metric, n, s.dropName ?? false);
        kSeries.set(k, ss);
        out.push(ss);
      }
      ss.f[step] = s.f;
      ss.has[step] = 1;
    }
  }
  return out;
}

/**
 * topk and bottomk over step arrays. Each (group, step) keeps a binary heap
 * of (value, series number) in two parallel arrays, with exactly the
 * comparisons and heap moves of Prometheus's aggregationK, so ties resolve
 * the same way. Input comes series by series (each series' steps are
 * contiguous; reading step by step across 10,000 series misses the cache on
 * every sample), which feeds every step's heaps in the same series order as
 * Prometheus's per-step loop does, and lets the input be streamed.
 */
class TopK {
  private readonly less: (a: number, b: number) => boolean;
  /** k per step (0: no result at that step). */
  private readonly ks: Int32Array;
  /** The first step whose parameter does not fit an int64 (-1: none). */
  private readonly overflowStep: number;
  private readonly groupIndex = new Map<string, number>();
  /** Per group, per step: the heap's values and series numbers. */
  private readonly heapV: (number[] | undefined)[][] = [];
  private readonly heapI: number[][][] = [];
  /**
   * Per group, per step: the heap's root value once the heap is full (NaN
   * before), so that the usual case, a value that does not make the cut, is
   * decided from one typed array.
   */
  private readonly fullRoot: Float64Array[] = [];
  /** Labels and dropName of every series added, by series number. */
  private readonly metrics: Labels[] = [];
  private readonly dropNames: boolean[] = [];

  constructor(
    private readonly top: boolean,
    private readonly n: number,
    private readonly params: Float64Array,
    private readonly grouping: Set<string>,
    private readonly without: boolean,
  ) {
    // The heap's order: the root is the element to evict next.
    this.less = top ? (a, b) => Number.isNaN(a) || a < b : (a, b) => Number.isNaN(a) || a > b;
    this.ks = new Int32Array(n);
    let overflow = -1;
    for (let step = 0; step < n; step++) {
      const p = params[step];
      if (convertibleToInt64(p)) this.ks[step] = Math.max(0, Math.min(Math.trunc(p), 0x7fffffff));
      else if (overflow === -1) overflow = step;
    }
    this.overflowStep = overflow;
  }

  add(s: StepSeries): void {
    const si = this.metrics.length;
    this.metrics.push(s.metric);
    this.dropNames.push(s.dropName);
    const key = groupingKey(s.metric, this.grouping, this.without);
    let g = this.groupIndex.get(key);
    if (g === undefined) {
      g = this.heapV.length;
      this.groupIndex.set(key, g);
      this.heapV.push(new Array(this.n));
      this.heapI.push(new Array(this.n));
      this.fullRoot.push(new Float64Array(this.n).fill(NaN));
    }
    const heapV = this.heapV[g];
    const heapI = this.heapI[g];
    const fullRoot = this.fullRoot[g];
    const { ks, less, top, n } = this;
    const sf = s.f;
    const sh = s.has;
    for (let step = 0; step < n; step++) {
      if (!sh[step]) continue;
      const v = sf[step];
      // A full heap whose root v cannot replace (the test below, for a root that is not NaN).
      const root = fullRoot[step];
      if (top ? root >= v : root <= v) continue;
      const k = ks[step];
      if (k < 1) continue;
      const hv = heapV[step];
      if (hv === undefined) {
        heapV[step] = [v];
        heapI[step] = [si];
        continue;
      }
      const hi = heapI[step];
      if (hv.length < k) {
        hv.push(v);
        hi.push(si);
        siftUp(hv, hi, hv.length - 1, less);
      } else if (top ? hv[0] < v || (Number.isNaN(hv[0]) && !Number.isNaN(v)) : hv[0] > v || (Number.isNaN(hv[0]) && !Number.isNaN(v))) {
        hv[0] = v;
        hi[0] = si;
        if (k > 1 && !siftDown(hv, hi, 0, hv.length, less)) siftUp(hv, hi, 0, less);
      }
      if (hv.length >= k) fullRoot[step] = hv[0];
    }
  }

  /** Each step's selection, sorted as Prometheus sorts it, as series (one per selected input series). */
  finish(ev: Evaluator): StepMatrix {
    if (this.overflowStep >= 0) ev.error(`Scalar value ${formatFloatG(this.params[this.overflowStep])} overflows int64`);
    const n = this.n;
    const less = this.less;
    const outOf = new Int32Array(this.metrics.length).fill(-1);
    const byKey = new Map<string, number>();
    const out: StepMatrix = [];
    let points = 0;
    for (let step = 0; step < n; step++) {
      for (let g = 0; g < this.heapV.length; g++) {
        const hv = this.heapV[g][step];
        if (hv === undefined) continue;
        const hi = this.heapI[g][step];
        if (hv.length > 1) sortPairs(hv, hi, (a, b) => less(b, a));
        for (let j = 0; j < hv.length; j++) {
          const si = hi[j];
          let oi = outOf[si];
          if (oi === -1 || n === 1) {
            // Series with equal labels share an output series (as they would in Prometheus's result map).
            const key = labelsHash(this.metrics[si]);
            const found = n === 1 ? undefined : byKey.get(key);
            if (found !== undefined) oi = found;
            else {
              oi = out.length;
              out.push(newStepSeries(this.metrics[si], n, this.dropNames[si]));
              byKey.set(key, oi);
            }
            outOf[si] = oi;
          }
          out[oi].f[step] = hv[j];
          out[oi].has[step] = 1;
          points++;
        }
      }
    }
    ev.addSamples(points);
    return out;
  }
}

function siftUp(hv: number[], hi: number[], j: number, less: (a: number, b: number) => boolean): void {
  for (;;) {
    const i = Math.floor((j - 1) / 2);
    if (i === j || j <= 0 || !less(hv[j], hv[i])) break;
    swapPairs(hv, hi, i, j);
    j = i;
  }
}

function siftDown(hv: number[], hi: number[], i0: number, n: number, less: (a: number, b: number) => boolean): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(hv[j2], hv[j1])) j = j2;
    if (!less(hv[j], hv[i])) break;
    swapPairs(hv, hi, i, j);
    i = j;
  }
  return i > i0;
}

function swapPairs(hv: number[], hi: number[], i: number, j: number): void {
  const v = hv[i];
  hv[i] = hv[j];
  hv[j] = v;
  const x = hi[i];
  hi[i] = hi[j];
  hi[j] = x;
}

/** goSort over parallel arrays: insertion sort for short slices, otherwise a stable sort. */
function sortPairs(hv: number[], hi: number[], less: (a: number, b: number) => boolean): void {
  if (hv.length <= 12) {
    for (let i = 1; i < hv.length; i++) {
      for (let j = i; j > 0 && less(hv[j], hv[j - 1]); j--) swapPairs(hv, hi, j, j - 1);
    }
    return;
  }
  const order = hv.map((_, i) => i);
  order.sort((a, b) => (less(hv[a], hv[b]) ? -1 : less(hv[b], hv[a]) ? 1 : a - b));
  const v = order.map((i) => hv[i]);
  const x = order.map((i) => hi[i]);
  for (let i = 0; i < order.length; i++) {
    hv[i] = v[i];
    hi[i] = x[i];
  }
}

/** Prometheus's quantile over a set of values (NaN sorts first). */
export function quantile(q: number, values: ArrayLike<number>): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const vs = Float64Array.from(values).sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const n = vs.length;
  const rank = q * (n - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(n - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  return vs[lowerIndex] * (1 - weight) + vs[upperIndex] * weight;
}

// --- Go's container/heap over a slice with a Less function ---

type Less = (a: Sample, b: Sample) => boolean;

function heapUp(h: Sample[], j: number, less: Less): void {
  for (;;) {
    const i = Math.floor((j - 1) / 2);
    if (i === j || j <= 0 || !less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    j = i;
  }
}

function heapDown(h: Sample[], i0: number, n: number, less: Less): boolean {
  let i = i0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= n || j1 < 0) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < n && less(h[j2], h[j1])) j = j2;
    if (!less(h[j], h[i])) break;
    [h[i], h[j]] = [h[j], h[i]];
    i = j;
  }
  return i > i0;
}

function heapPush(h: Sample[], s: Sample, less: Less): void {
  h.push(s);
  heapUp(h, h.length - 1, less);
}

function heapFix(h: Sample[], i: number, less: Less): void {
  if (!heapDown(h, i, h.length, less)) heapUp(h, i, less);
}

/** Go's sort.Sort (pdqsort): insertion sort for short slices, which is what matters for ties. */
function goSort(h: Sample[], less: Less): void {
  if (h.length <= 12) {
    for (let i = 1; i < h.length; i++) {
      for (let j = i; j > 0 && less(h[j], h[j - 1]); j--) [h[j], h[j - 1]] = [h[j - 1], h[j]];
    }
    return;
  }
  const idx = h.map((s, i) => ({ s, i }));
  idx.sort((a, b) => (less(a.s, b.s) ? -1 : less(b.s, a.s) ? 1 : a.i - b.i));
  for (let i = 0; i < h.length; i++) h[i] = idx[i].s;
}

const valueLess: Less = (a, b) => (Number.isNaN(a.f) ? true : a.f < b.f);
const reverseValueLess: Less = (a, b) => (Number.isNaN(a.f) ? true : a.f > b.f);

function aggregationK(
  ev: Evaluator,
  e: AggregateExpr,
  param: number,
  input: StepMatrix,
  step: number,
  ts: number,
  seriesToGroup: Int32Array,
  groups: Group[],
): Sample[] {
  let k = 0;
  let ratio = 0;
  if (e.op === "limit_ratio") {
    if (Number.isNaN(param)) ev.error("Ratio value is NaN");
    if (param === 0) return [];
    ratio = Math.max(-1, Math.min(1, param));
  } else {
    if (!convertibleToInt64(param)) ev.error(`Scalar value ${formatFloatG(param)} overflows int64`);
    k = Math.trunc(param);
    if (k > input.length) k = input.length;
    if (k < 1) return [];
  }
  for (let si = 0; si < input.length; si++) {
    if (!input[si].has[step]) continue;
    const s: Sample = { metric: input[si].metric, t: ts, f: input[si].f[step], dropName: input[si].dropName };
    const g = groups[seriesToGroup[si]];
    if (!g.seen) {
      g.seen = true;
      if (e.op === "limit_ratio") g.heap = addRatioSample(ratio, s) ? [s] : [];
      else g.heap = [s];
      continue;
    }
    switch (e.op) {
      case "topk":
        if (g.heap.length < k) heapPush(g.heap, s, valueLess);
        else if (g.heap[0].f < s.f || (Number.isNaN(g.heap[0].f) && !Number.isNaN(s.f))) {
          g.heap[0] = s;
          if (k > 1) heapFix(g.heap, 0, valueLess);
        }
        break;
      case "bottomk":
        if (g.heap.length < k) heapPush(g.heap, s, reverseValueLess);
        else if (g.heap[0].f > s.f || (Number.isNaN(g.heap[0].f) && !Number.isNaN(s.f))) {
          g.heap[0] = s;
          if (k > 1) heapFix(g.heap, 0, reverseValueLess);
        }
        break;
      case "limitk":
        if (g.heap.length < k) g.heap.push(s);
        break;
      case "limit_ratio":
        if (addRatioSample(ratio, s)) g.heap.push(s);
        break;
    }
  }
  const out: Sample[] = [];
  for (const g of groups) {
    if (!g.seen) continue;
    if (e.op === "topk" && g.heap.length > 1) goSort(g.heap, (a, b) => valueLess(b, a));
    if (e.op === "bottomk" && g.heap.length > 1) goSort(g.heap, (a, b) => reverseValueLess(b, a));
    for (const s of g.heap) out.push(s);
  }
  return out;
}

/** limit_ratio's deterministic sampling by the hash of the labels (Go's HashRatioSampler). */
function addRatioSample(ratioLimit: number, s: Sample): boolean {
  const offset = labelsXXHash(s.metric) / 18446744073709551615;
  return (ratioLimit >= 0 && offset < ratioLimit) || (ratioLimit < 0 && offset >= 1 + ratioLimit);
}

