// Binary operators: scalar/scalar, vector/scalar and vector/vector with
// one-to-one, many-to-one and one-to-many matching, the set operators, and the
// experimental fill() modifiers (Prometheus's VectorBinop, VectorAnd, ...).

import type { BinaryExpr, BinaryOp, VectorMatching } from "../parser/ast";
import { exprType, isComparisonOp } from "../parser/ast";
import { compareLabels, labelsString, type Labels } from "../../storage/labels/labels";
import type { EvalRange, Evaluator } from "./evaluator";
import { countPoints, newStepSeries, numSteps, type StepMatrix, type StepSeries } from "./range-eval";
import { DistinctLabelSets, deleteLabels, dropMetricName, getLabel, keepLabels, labelsHash, METRIC_NAME, setLabel, signatureFunc } from "./labels";

/** Go's math.Pow, which differs from `**` for a few special cases. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if ((x === -1) && (y === Infinity || y === -Infinity)) return 1;
  return x ** y;
}

/** Arithmetic and comparison on two floats: [value, keep]. */
export function vectorElemBinop(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case "+":
      return [l + r, true];
    case "-":
      return [l - r, true];
    case "*":
      return [l * r, true];
    case "/":
      return [l / r, true];
    case "^":
      return [goPow(l, r), true];
    case "%":
      return [l % r, true];
    case "atan2":
      return [Math.atan2(l, r), true];
    case "==":
      return [l, l === r];
    case "!=":
      return [l, l !== r];
    case ">":
      return [l, l > r];
    case "<":
      return [l, l < r];
    case ">=":
      return [l, l >= r];
    case "<=":
      return [l, l <= r];
  }
  throw new Error(`operator "${op}" not allowed for float operations`);
}

/** An arithmetic operator on two floats. */
export function arithOp(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return l / r;
    case "^":
      return goPow(l, r);
    case "%":
      return l % r;
    case "atan2":
      return Math.atan2(l, r);
  }
  throw new Error(`operator "${op}" not allowed for float operations`);
}

/** A comparison operator on two floats. */
export function compareOp(op: BinaryOp, l: number, r: number): boolean {
  switch (op) {
    case "==":
      return l === r;
    case "!=":
      return l !== r;
    case ">":
      return l > r;
    case "<":
      return l < r;
    case ">=":
      return l >= r;
    case "<=":
      return l <= r;
  }
  throw new Error(`operator "${op}" is not a comparison`);
}

function scalarBinop(op: BinaryOp, l: number, r: number): number {
  if (isComparisonOp(op)) {
    const [, keep] = vectorElemBinop(op, l, r);
    return keep ? 1 : 0;
  }
  return vectorElemBinop(op, l, r)[0];
}

/** Whether the operator drops the metric name (arithmetic, as Go's shouldDropMetricName). */
function shouldDropMetricName(op: BinaryOp): boolean {
  return !isComparisonOp(op) && op !== "and" && op !== "or" && op !== "unless";
}

/**
 * `l op r` at every step where both sides have a value (a null presence
 * array: a value at every step), into outF/outHas; returns the number of
 * points. A comparison keeps the left value, or the right one with
 * keepRight (a scalar on the left of a vector), or gives 0/1 with bool.
 * The operator is dispatched once per series, not per step.
 */
function binopSteps(
  op: BinaryOp,
  returnBool: boolean,
  keepRight: boolean,
  lF: Float64Array,
  lHas: Uint8Array | null,
  rF: Float64Array,
  rHas: Uint8Array | null,
  outF: Float64Array,
  outHas: Uint8Array,
  n: number,
): number {
  let points = 0;
  if (!isComparisonOp(op)) {
    // The operator as a small integer, so the loop branches on a number.
    const code = op === "+" ? 0 : op === "-" ? 1 : op === "*" ? 2 : op === "/" ? 3 : 4;
    for (let i = 0; i < n; i++) {
      if ((lHas !== null && lHas[i] === 0) || (rHas !== null && rHas[i] === 0)) continue;
      const l = lF[i];
      const r = rF[i];
      outF[i] = code === 0 ? l + r : code === 1 ? l - r : code === 2 ? l * r : code === 3 ? l / r : arithOp(op, l, r);
      outHas[i] = 1;
      points++;
    }
    return points;
  }
  for (let i = 0; i < n; i++) {
    if ((lHas !== null && lHas[i] === 0) || (rHas !== null && rHas[i] === 0)) continue;
    const l = lF[i];
    const r = rF[i];
    const keep = compareOp(op, l, r);
    if (returnBool) outF[i] = keep ? 1 : 0;
    else if (!keep) continue;
    else outF[i] = keepRight ? r : l;
    outHas[i] = 1;
    points++;
  }
  return points;
}

export function evalBinary(ev: Evaluator, e: BinaryExpr, r: EvalRange): StepMatrix {
  const lt = exprType(e.lhs);
  const rt = exprType(e.rhs);
  if (lt === "scalar" && rt === "scalar") {
    return ev.rangeEval(r, (v) => [{ metric: [], t: 0, f: scalarBinop(e.op, v[0] as number, v[1] as number) }], [e.lhs, e.rhs]);
  }
  if (lt === "vector" && rt === "vector") {
    if (e.op === "and" || e.op === "or" || e.op === "unless") return evalSetOp(ev, e, r);
    return evalVectorBinop(ev, e, r);
  }
  return evalVectorScalar(ev, e, r, lt === "scalar");
}

/**
 * Collects output points into series keyed by their labels (as rangeEval
 * does): a second point for the same series at the same step is Prometheus's
 * duplicate-labelset error, whichever order the points come in, except in an
 * instant query with delayed name removal, where the check happens when names
 * are finally dropped.
 */
class OutputCollector {
  readonly out: StepMatrix = [];
  private readonly byKey = new Map<string, OutputSlot>();
  constructor(
    private readonly ev: Evaluator,
    private readonly n: number,
  ) {}

  /** The output series for a label set (look it up once, write to it per step). */
  slot(metric: Labels, dropName: boolean): OutputSlot {
    const key = dropName ? labelsHash(dropMetricName(metric)) : labelsHash(metric);
    let slot = this.byKey.get(key);
    if (!slot) {
      slot = { metric, dropName, series: null };
      this.byKey.set(key, slot);
    }
    return slot;
  }

  write(slot: OutputSlot, step: number, f: number): void {
    if (slot.series === null) {
      slot.series = newStepSeries(slot.metric, this.n, slot.dropName);
      this.out.push(slot.series);
    } else if (slot.series.has[step]) {
      if (this.n === 1 && this.ev.opts.enableDelayedNameRemoval) {
        // Kept apart until names are dropped at the end of the query.
        const s = newStepSeries(slot.metric, 1, slot.dropName);
        s.f[0] = f;
        s.has[0] = 1;
        this.out.push(s);
        return;
      }
      this.ev.error("vector cannot contain metrics with the same labelset");
    }
    slot.series.f[step] = f;
    slot.series.has[step] = 1;
  }

  add(metric: Labels, dropName: boolean, step: number, f: number): void {
    this.write(this.slot(metric, dropName), step, f);
  }
}

interface OutputSlot {
  metric: Labels;
  dropName: boolean;
  series: StepSeries | null;
}

/** Signature ids: the matching signature of every series, numbered. */
function signatureIds(sigf: (l: Labels) => string, ...ms: StepMatrix[]): { ids: Int32Array[]; count: number } {
  const byKey = new Map<string, number>();
  const ids = ms.map((m) =>
    Int32Array.from(m, (s) => {
      const k = sigf(s.metric);
      let id = byKey.get(k);
      if (id === undefined) {
        id = byKey.size;
        byKey.set(k, id);
      }
      return id;
    }),
  );
  return { ids, count: byKey.size };
}

function anyAt(m: StepMatrix, step: number): boolean {
  for (const s of m) if (s.has[step]) return true;
  return false;
}

// and / or / unless (many-to-many by construction).
function evalSetOp(ev: Evaluator, e: BinaryExpr, r: EvalRange): StepMatrix {
  const matching = e.matching as VectorMatching;
  const lhs = ev.evalSteps(e.lhs, r);
  const rhs = ev.evalSteps(e.rhs, r);
  const n = numSteps(r);
  const sigf = signatureFunc(matching.on, matching.matchingLabels);
  const { ids, count } = signatureIds(sigf, lhs, rhs);
  const [lsig, rsig] = ids;
  const stamp = new Int32Array(count).fill(-1);
  const out = new OutputCollector(ev, n);
  // Each series' output slot, looked up once (not per point).
  const lslots = lhs.map((s) => out.slot(s.metric, s.dropName));
  const rslots = e.op === "or" ? rhs.map((s) => out.slot(s.metric, s.dropName)) : [];
  for (let step = 0; step < n; step++) {
    ev.checkContext();
    const other = e.op === "or" ? lhs : rhs;
    const otherSig = e.op === "or" ? lsig : rsig;
    for (let i = 0; i < other.length; i++) if (other[i].has[step]) stamp[otherSig[i]] = step;
    if (e.op === "or") {
      for (let i = 0; i < lhs.length; i++) {
        const s = lhs[i];
        if (s.has[step]) out.write(lslots[i], step, s.f[step]);
      }
      for (let i = 0; i < rhs.length; i++) {
        const s = rhs[i];
        if (s.has[step] && stamp[rsig[i]] !== step) out.write(rslots[i], step, s.f[step]);
      }
    } else {
      const want = e.op === "and";
      for (let i = 0; i < lhs.length; i++) {
        const s = lhs[i];
        if (s.has[step] && (stamp[lsig[i]] === step) === want) out.write(lslots[i], step, s.f[step]);
      }
    }
  }
  ev.addSamples(countPoints(out.out));
  return out.out;
}

function evalVectorScalar(ev: Evaluator, e: BinaryExpr, r: EvalRange, swap: boolean): StepMatrix {
  const vec = ev.evalSteps(swap ? e.rhs : e.lhs, r);
  const sc = ev.evalSteps(swap ? e.lhs : e.rhs, r);
  const n = numSteps(r);
  const op = e.op;
  const cmp = isComparisonOp(op);
  const drop = shouldDropMetricName(op) || e.returnBool;
  const delayed = ev.opts.enableDelayedNameRemoval;
  const scalarF = new Float64Array(n).fill(NaN);
  if (sc.length > 0) for (let step = 0; step < n; step++) if (sc[0].has[step]) scalarF[step] = sc[0].f[step];
  const metrics = vec.map((s) => (drop && !delayed ? dropMetricName(s.metric) : s.metric));
  const dropNames = vec.map((s) => s.dropName || (drop && delayed));
  // Series by series when no two results share labels (then no step can collide).
  const distinct = new DistinctLabelSets();
  let unique = true;
  for (let i = 0; i < vec.length && unique; i++) unique = distinct.add(dropNames[i] ? dropMetricName(metrics[i]) : metrics[i]);
  if (unique) {
    const res: StepMatrix = [];
    let points = 0;
    for (let i = 0; i < vec.length; i++) {
      ev.checkContext();
      const s = vec[i];
      const o = newStepSeries(metrics[i], n, dropNames[i]);
      const p = swap
        ? binopSteps(op, e.returnBool, true, scalarF, null, s.f, s.has, o.f, o.has, n)
        : binopSteps(op, e.returnBool, false, s.f, s.has, scalarF, null, o.f, o.has, n);
      if (p === 0) continue;
      points += p;
      res.push(o);
    }
    ev.addSamples(points);
    return res;
  }
  const out = new OutputCollector(ev, n);
  for (let i = 0; i < vec.length; i++) {
    const s = vec[i];
    ev.checkContext();
    const metric = metrics[i];
    const dropName = dropNames[i];
    for (let step = 0; step < n; step++) {
      if (!s.has[step]) continue;
      const scalar = scalarF[step];
      let lf = s.f[step];
      let rf = scalar;
      if (swap) [lf, rf] = [rf, lf];
      let [f, keep] = vectorElemBinop(op, lf, rf);
      // With the scalar on the left of a comparison the vector's value is kept.
      if (cmp && swap) f = rf;
      if (e.returnBool) {
        f = keep ? 1 : 0;
        keep = true;
      }
      if (keep) out.add(metric, dropName, step, f);
    }
  }
  ev.addSamples(countPoints(out.out));
  return out.out;
}

/**
 * Arithmetic and comparison between two instant vectors, with one-to-one,
 * many-to-one and one-to-many matching and the fill() modifiers
 * (Prometheus's VectorBinop). Signatures and result labels are computed once
 * per series (pair), not per step.
 */
function evalVectorBinop(ev: Evaluator, e: BinaryExpr, r: EvalRange): StepMatrix {
  const matching = e.matching as VectorMatching;
  const op = e.op;
  const returnBool = e.returnBool;
  const lhs = ev.evalSteps(e.lhs, r);
  const rhs = ev.evalSteps(e.rhs, r);
  const n = numSteps(r);
  const delayed = ev.opts.enableDelayedNameRemoval;
  // fill_left() fills a missing "many" side, fill_right() a missing "one" side (after the swap below).
  const fillMany = matching.fillValues?.lhs ?? null;
  const fillOne = matching.fillValues?.rhs ?? null;
  // One-to-many: swap sides so the right-hand side is always the "one" side.
  const swapped = matching.card === "one-to-many";
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;
  const sigf = signatureFunc(matching.on, matching.matchingLabels);
  const { ids, count } = signatureIds(sigf, many, one);
  const [manySig, oneSig] = ids;
  if (fillMany === null && fillOne === null) {
    const bySeries = vectorBinopBySeries(ev, e, many, one, manySig, oneSig, count, n);
    if (bySeries !== null) return bySeries;
  }
  const oneAt = new Int32Array(count);
  const oneStamp = new Int32Array(count).fill(-1);
  const matchedStamp = new Int32Array(count).fill(-1);
  const usedStamp = new Int32Array(count).fill(-1);
  const out = new OutputCollector(ev, n);
  // Per (many, one) pair, computed once: result labels, output slot and the
  // id of (match group, result labels) for the many-to-one uniqueness check.
  // One index -1 = the one side was filled.
  const pairs = new Map<number, { slot: OutputSlot; insId: number }>();
  const insIds = new Map<string, number>();
  const insStamp: number[] = [];
  const oneCount = one.length + 1;

  // Most series keep matching the same partner: remember the last pair per many-side series.
  const lastOi = new Int32Array(many.length).fill(-2);
  const lastPair: ({ slot: OutputSlot; insId: number } | undefined)[] = new Array(many.length);
  const cmp = isComparisonOp(op);

  const emit = (mi: number, oi: number, sig: number, step: number, mf: number, of: number, checkDup: boolean) => {
    const lf = swapped ? of : mf;
    const rf = swapped ? mf : of;
    let pair = lastOi[mi] === oi ? lastPair[mi] : undefined;
    if (pair === undefined) {
      const pk = mi * oneCount + oi + 1;
      pair = pairs.get(pk);
      if (pair === undefined) {
        let metric = resultMetric(many[mi].metric, oi >= 0 ? one[oi].metric : [], op, matching);
        if (returnBool && !delayed) metric = dropMetricName(metric);
        const ik = sig + "\xff" + labelsHash(metric);
        let insId = insIds.get(ik);
        if (insId === undefined) {
          insId = insIds.size;
          insIds.set(ik, insId);
          insStamp.push(-1);
        }
        pair = { slot: out.slot(metric, returnBool || many[mi].dropName), insId };
        pairs.set(pk, pair);
      }
      lastOi[mi] = oi;
      lastPair[mi] = pair;
    }
    if (checkDup) {
      if (matching.card === "one-to-one") {
        if (matchedStamp[sig] === step) ev.error("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
        matchedStamp[sig] = step;
      } else {
        if (insStamp[pair.insId] === step) ev.error("multiple matches for labels: grouping labels must ensure unique matches");
        insStamp[pair.insId] = step;
      }
    }
    let f: number;
    if (cmp) {
      const keep = compareOp(op, lf, rf);
      if (returnBool) f = keep ? 1 : 0;
      else if (!keep) return;
      else f = lf;
    } else f = arithOp(op, lf, rf);
    out.write(pair.slot, step, f);
  };

  for (let step = 0; step < n; step++) {
    ev.checkContext();
    if ((fillMany === null && !anyAt(many, step)) || (fillOne === null && !anyAt(one, step))) continue;
    for (let oi = 0; oi < one.length; oi++) {
      if (!one[oi].has[step]) continue;
      const sig = oneSig[oi];
      if (oneStamp[sig] === step) {
        const other = one[oneAt[sig]].metric;
        const matched = matchLabels(one[oi].metric, matching.on, matching.matchingLabels);
        const pair = [one[oi].metric, other].sort(compareLabels);
        ev.error(
          `found duplicate series for the match group ${labelsString(matched)} on the ${swapped ? "left" : "right"} hand-side of the operation: [${labelsString(pair[0])}, ${labelsString(pair[1])}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      oneStamp[sig] = step;
      oneAt[sig] = oi;
    }
    for (let mi = 0; mi < many.length; mi++) {
      if (!many[mi].has[step]) continue;
      const sig = manySig[mi];
      if (oneStamp[sig] === step) {
        usedStamp[sig] = step;
        const oi = oneAt[sig];
        emit(mi, oi, sig, step, many[mi].f[step], one[oi].f[step], true);
      } else if (fillOne !== null) {
        emit(mi, -1, sig, step, many[mi].f[step], fillOne, false);
      }
    }
    if (fillMany !== null) {
      for (let oi = 0; oi < one.length; oi++) {
        if (!one[oi].has[step]) continue;
        const sig = oneSig[oi];
        if (usedStamp[sig] === step || oneAt[sig] !== oi) continue;
        // Only the "one" side exists: the result carries the match group's labels.
        let lf = fillMany;
        let rf = one[oi].f[step];
        if (swapped) [lf, rf] = [rf, lf];
        const [value, keep] = vectorElemBinop(op, lf, rf);
        let f = value;
        if (returnBool) f = keep ? 1 : 0;
        else if (!keep) continue;
        out.add(matchLabels(one[oi].metric, matching.on, matching.matchingLabels), returnBool, step, f);
      }
    }
  }
  ev.addSamples(countPoints(out.out));
  return out.out;
}

/**
 * Vector matching series by series, for the common case: every match group
 * has at most one series on the "one" side (and, one-to-one, at most one
 * matched series on the other), and every pair gives a different result
 * series. Then no step can raise a matching or duplicate-labelset error, and
 * each pair is computed over all steps in one loop, its result labels built
 * once. Returns null when that cannot be shown up front; the step-wise
 * evaluation then runs and raises the error at the step Prometheus would.
 */
function vectorBinopBySeries(
  ev: Evaluator,
  e: BinaryExpr,
  many: StepMatrix,
  one: StepMatrix,
  manySig: Int32Array,
  oneSig: Int32Array,
  sigCount: number,
  n: number,
): StepMatrix | null {
  const matching = e.matching as VectorMatching;
  const swapped = matching.card === "one-to-many";
  const delayed = ev.opts.enableDelayedNameRemoval;
  const oneOf = new Int32Array(sigCount).fill(-1);
  for (let oi = 0; oi < one.length; oi++) {
    if (oneOf[oneSig[oi]] !== -1) return null;
    oneOf[oneSig[oi]] = oi;
  }
  const manyUsed = matching.card === "one-to-one" ? new Uint8Array(sigCount) : null;
  const distinct = new DistinctLabelSets();
  const pairs: { mi: number; oi: number; metric: Labels; dropName: boolean }[] = [];
  for (let mi = 0; mi < many.length; mi++) {
    const oi = oneOf[manySig[mi]];
    if (oi === -1) continue;
    if (manyUsed !== null) {
      if (manyUsed[manySig[mi]]) return null;
      manyUsed[manySig[mi]] = 1;
    }
    let metric = resultMetric(many[mi].metric, one[oi].metric, e.op, matching);
    if (e.returnBool && !delayed) metric = dropMetricName(metric);
    const dropName = e.returnBool || many[mi].dropName;
    if (!distinct.add(dropName ? dropMetricName(metric) : metric)) return null;
    pairs.push({ mi, oi, metric, dropName });
  }
  const out: StepMatrix = [];
  let points = 0;
  for (const { mi, oi, metric, dropName } of pairs) {
    ev.checkContext();
    const l = swapped ? one[oi] : many[mi];
    const r = swapped ? many[mi] : one[oi];
    const s = newStepSeries(metric, n, dropName);
    const p = binopSteps(e.op, e.returnBool, false, l.f, l.has, r.f, r.has, s.f, s.has, n);
    if (p === 0) continue;
    points += p;
    out.push(s);
  }
  ev.addSamples(points);
  return out;
}

/** The labels of a vector/vector result element (Go's resultMetric). */
function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  let m = lhs;
  if (shouldDropMetricName(op)) m = dropMetricName(m);
  if (matching.card === "one-to-one") {
    if (matching.on) m = keepLabels(m, new Set(matching.matchingLabels));
    else m = deleteLabels(m, new Set(matching.matchingLabels));
  }
  for (const ln of matching.include) {
    // Labels of group_x(...) come from the "one" side.
    m = setLabel(m, ln, getLabel(rhs, ln));
  }
  return m;
}

function matchLabels(ls: Labels, on: boolean, names: string[]): Labels {
  const set = new Set(names);
  return ls.filter((l) => set.has(l.name) === on && (on || l.name !== METRIC_NAME));
}
