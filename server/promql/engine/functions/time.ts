// time(), the calendar functions, and the experimental start()/end()/step()/range().

import type { FunctionImpl } from "./index";
import { elementwiseImpl, type ElementMapper } from "./math";

/** Go's int64(f) conversion as used by time.Unix(int64(v), 0): truncation; NaN/overflow → min int64. */
function goInt64(f: number): number {
  if (Number.isNaN(f) || f >= 9223372036854775807 || f < -9223372036854775808) return -9223372036854775808;
  return Math.trunc(f);
}

function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start) / 86400000) + 1;
}

/** The calendar functions: the part of a UTC date each returns. */
const DATE_PARTS: Record<string, (d: Date) => number> = {
  day_of_month: (d) => d.getUTCDate(),
  day_of_week: (d) => d.getUTCDay(),
  day_of_year: dayOfYear,
  days_in_month: (d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

/** The calendar functions over an instant vector (each value a Unix time in seconds), element by element. */
export const TIME_ELEMENTWISE: Record<string, ElementMapper> = Object.fromEntries(
  Object.entries(DATE_PARTS).map(([name, part]) => [name, () => (v: number) => part(new Date(goInt64(v) * 1000))]),
);

/** A calendar function: of the evaluation time without an argument, else of each element. */
function dateFunction(name: string): FunctionImpl {
  const part = DATE_PARTS[name];
  const each = elementwiseImpl(TIME_ELEMENTWISE[name]);
  return (args, call, enh) => {
    if (args.length === 0) return [{ metric: [], t: enh.ts, f: part(new Date(Math.floor(enh.ts / 1000) * 1000)) }];
    return each(args, call, enh);
  };
}

export const TIME_FUNCTIONS: Record<string, FunctionImpl> = {
  // time() → scalar
  time: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ts / 1000 }],
  // day_of_month(v=vector(time()) instant-vector) → instant-vector, and the other calendar functions
  ...Object.fromEntries(Object.keys(DATE_PARTS).map((name) => [name, dateFunction(name)])),
  // start() → scalar: the query's start time in seconds
  start: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ev.queryStart / 1000 }],
  end: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ev.queryEnd / 1000 }],
  // step() → scalar: the query's step in seconds (0 for instant queries)
  step: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ev.queryStep / 1000 }],
  range: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: (enh.ev.queryEnd - enh.ev.queryStart) / 1000 }],
};
