// time(), the calendar functions, and the experimental start()/end()/step()/range().

import type { FunctionImpl } from "./index";
import type { Vector } from "../value";
import { dropNameSample } from "./util";

/** Go's int64(f) conversion as used by time.Unix(int64(v), 0): truncation; NaN/overflow → min int64. */
function goInt64(f: number): number {
  if (Number.isNaN(f) || f >= 9223372036854775807 || f < -9223372036854775808) return -9223372036854775808;
  return Math.trunc(f);
}

function dateWrapper(f: (d: Date) => number): FunctionImpl {
  return (args, _call, enh) => {
    if (args.length === 0) {
      return [{ metric: [], t: enh.ts, f: f(new Date(Math.floor(enh.ts / 1000) * 1000)) }];
    }
    const out: Vector = [];
    for (const s of args[0] as Vector) {
      const secs = goInt64(s.f);
      out.push(dropNameSample(enh, s, f(new Date(secs * 1000))));
    }
    return out;
  };
}

function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.floor((d.getTime() - start) / 86400000) + 1;
}

export const TIME_FUNCTIONS: Record<string, FunctionImpl> = {
  // time() → scalar
  time: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ts / 1000 }],
  // day_of_month(v=vector(time()) instant-vector) → instant-vector
  day_of_month: dateWrapper((d) => d.getUTCDate()),
  day_of_week: dateWrapper((d) => d.getUTCDay()),
  day_of_year: dateWrapper(dayOfYear),
  days_in_month: dateWrapper((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  hour: dateWrapper((d) => d.getUTCHours()),
  minute: dateWrapper((d) => d.getUTCMinutes()),
  month: dateWrapper((d) => d.getUTCMonth() + 1),
  year: dateWrapper((d) => d.getUTCFullYear()),
  // start() → scalar: the query's start time in seconds
  start: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ev.queryStart / 1000 }],
  end: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ev.queryEnd / 1000 }],
  // step() → scalar: the query's step in seconds (0 for instant queries)
  step: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: enh.ev.queryStep / 1000 }],
  range: (_args, _call, enh) => [{ metric: [], t: enh.ts, f: (enh.ev.queryEnd - enh.ev.queryStart) / 1000 }],
};
