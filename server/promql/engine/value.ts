// PromQL result values, named as in Prometheus (promql/value.go).
//
// Times are integer milliseconds. Values are held in object fields (FPoint.f,
// Sample.f) or Float64Arrays, never in plain number[] arrays, so NaN payloads
// survive.

import type { Labels } from "../../storage/labels/labels";

/** A float point of a series. */
export interface FPoint {
  /** Timestamp, ms. */
  t: number;
  f: number;
}

/** One element of an instant vector. */
export interface Sample {
  metric: Labels;
  /** Timestamp, ms. */
  t: number;
  f: number;
  /** Delayed `__name__` removal (Prometheus 3): drop the name when the query finishes. */
  dropName?: boolean;
}

/** An instant vector. */
export type Vector = Sample[];

/**
 * A series of a range vector: point i is (t[i], f[i]). Prometheus keeps a
 * slice of FPoint structs; we keep the points columnar, as the querier's
 * series are, because one object per point costs a range query over 10,000
 * series millions of allocations (use seriesPoints() where objects are handy).
 * The arrays are read-only views: series of one result share buffers (all
 * series with a point at every step share one `t`).
 */
export interface Series {
  metric: Labels;
  /** Point timestamps, ms, ascending. */
  t: Float64Array;
  /** Point values. */
  f: Float64Array;
  dropName?: boolean;
}

/** The points of a series as FPoint objects. */
export function seriesPoints(s: Series): FPoint[] {
  const out: FPoint[] = new Array(s.t.length);
  for (let i = 0; i < s.t.length; i++) out[i] = { t: s.t[i], f: s.f[i] };
  return out;
}

/** A range vector (and the shape of every range-query result). */
export type Matrix = Series[];

export interface Scalar {
  /** Timestamp, ms. */
  t: number;
  v: number;
}

export interface StringValue {
  /** Timestamp, ms. */
  t: number;
  v: string;
}

/** A query result, tagged with its PromQL value type. */
export type QueryValue =
  | { type: "scalar"; value: Scalar }
  | { type: "string"; value: StringValue }
  | { type: "vector"; value: Vector }
  | { type: "matrix"; value: Matrix };

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Prometheus's staleness marker: a NaN with bit pattern 0x7ff0000000000002. */
export function makeStaleNaN(): Float64Array {
  const a = new Float64Array(1);
  const u = new Uint32Array(a.buffer);
  u[0] = 2;
  u[1] = 0x7ff00000;
  return a;
}

/** Whether the i-th value of a Float64Array is a staleness marker (checked by bits). */
export function isStaleAt(arr: Float64Array, i: number): boolean {
  // Reading a Float64Array element into a number may canonicalize the NaN,
  // so compare the raw words through a Uint32Array view of the same buffer.
  const words = new Uint32Array(arr.buffer, arr.byteOffset + i * 8, 2);
  return words[0] === 2 && words[1] === 0x7ff00000;
}

/** Whether a number is the staleness marker (only reliable straight out of a typed array). */
export function isStaleNaN(v: number): boolean {
  f64[0] = v;
  return u32[0] === 2 && u32[1] === 0x7ff00000;
}
