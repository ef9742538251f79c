// Request parameters as Prometheus reads them (Go's `r.FormValue` /
// `r.Form`): GET query strings and POST application/x-www-form-urlencoded
// bodies alike, and the parsers for times, durations and limits with
// Prometheus's exact error texts (web/api/v1/api.go).

import { parseDuration as parsePromDuration } from "../promql/parser";
import { goQuote } from "../promql/parser/go-format";
import { invalidParamError } from "./errors";

/** Form values of a request: body values first, then URL query values (Go's `r.Form` order). */
export class Params {
  constructor(private readonly entries: readonly (readonly [string, string])[]) {}

  /** From a URL-encoded string (tests, GET). */
  static fromQuery(qs: string | URLSearchParams | Record<string, string | string[]>): Params {
    if (typeof qs === "string" || qs instanceof URLSearchParams) return new Params([...new URLSearchParams(qs)]);
    const out: [string, string][] = [];
    for (const [k, v] of Object.entries(qs)) for (const x of Array.isArray(v) ? v : [v]) out.push([k, x]);
    return new Params(out);
  }

  /** The first value of `name`, or "" (Go's `FormValue`). */
  get(name: string): string {
    for (const [k, v] of this.entries) if (k === name) return v;
    return "";
  }

  /** Every value of `name` (Go's `r.Form[name]`). */
  getAll(name: string): string[] {
    return this.entries.filter(([k]) => k === name).map(([, v]) => v);
  }
}

/** Reads the parameters of a GET or POST request. */
export async function readParams(req: Request): Promise<Params> {
  const url = new URL(req.url);
  const entries: [string, string][] = [];
  const ct = req.headers.get("content-type") ?? "";
  if ((req.method === "POST" || req.method === "PUT" || req.method === "PATCH") && /^application\/x-www-form-urlencoded\b/i.test(ct.trim())) {
    entries.push(...new URLSearchParams(await req.text()));
  }
  entries.push(...url.searchParams);
  return new Params(entries);
}

// ---------------------------------------------------------------------------
// Numbers

const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_NAN_RE = /^(?:[+-]?(?:inf|infinity)|nan)$/i;

/** Go's `strconv.ParseFloat(s, 64)`, decimal forms only; null when Go would return an error. */
export function goParseFloat(s: string): number | null {
  if (INF_NAN_RE.test(s)) {
    if (/nan/i.test(s)) return NaN;
    return s.startsWith("-") ? -Infinity : Infinity;
  }
  if (!FLOAT_RE.test(s)) return null;
  const v = Number(s);
  // Out of range: Go returns ±Inf with an error.
  if (!Number.isFinite(v)) return null;
  return v;
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

// ---------------------------------------------------------------------------
// Times

/** Prometheus's MinTime/MaxTime as RFC 3339, which Go cannot parse by itself but the API accepts. */
export const MIN_TIME_FORMATTED = "-292273086-05-16T16:47:06Z";
export const MAX_TIME_FORMATTED = "292277025-08-18T07:12:54.999999999Z";
/** The ms values of those (timestamp.FromTime of MinTime/MaxTime). */
export const MIN_TIME_MS = -9223309901257974000;
export const MAX_TIME_MS = 9223309901257974000;

const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

function parseRFC3339(s: string): number | null {
  const m = RFC3339_RE.exec(s);
  if (!m) return null;
  const [year, month, day, hour, min, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || min > 59 || sec > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return null;
  let ms = Date.UTC(year, month - 1, day, hour, min, sec);
  // Date.UTC maps years 0-99 to 1900-1999.
  if (year < 100) {
    const d = new Date(ms);
    d.setUTCFullYear(year);
    ms = d.getTime();
  }
  // timestamp.FromTime truncates nanoseconds to milliseconds.
  if (m[7]) ms += Number((m[7] + "00").slice(0, 3));
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    const off = (oh * 60 + om) * 60_000;
    ms += m[9] === "+" ? -off : off;
  }
  return ms;
}

/**
 * Prometheus's `parseTime`: Unix seconds as a float (rounded to the
 * millisecond) or RFC 3339. Returns Unix ms.
 * @throws Error `cannot parse "x" to a valid timestamp`
 */
export function parseTime(s: string): number {
  const f = goParseFloat(s);
  if (f !== null && Number.isFinite(f)) {
    // time.Unix(int64(sec), int64(round(frac*1000)/1000 * 1e9)), then FromTime.
    let sec = Math.trunc(f);
    const frac = goRound((f - sec) * 1000) / 1000;
    let nsec = Math.trunc(frac * 1e9);
    if (nsec < 0) {
      sec -= 1;
      nsec += 1e9;
    } else if (nsec >= 1e9) {
      sec += 1;
      nsec -= 1e9;
    }
    return sec * 1000 + Math.trunc(nsec / 1e6);
  }
  const t = parseRFC3339(s);
  if (t !== null) return t;
  if (s === MIN_TIME_FORMATTED) return MIN_TIME_MS;
  if (s === MAX_TIME_FORMATTED) return MAX_TIME_MS;
  throw new Error(`cannot parse ${goQuote(s)} to a valid timestamp`);
}

/**
 * Prometheus's `parseTimeParam`: the default when the parameter is absent.
 * @throws ApiError `invalid parameter "time": invalid time value for 'time': cannot parse …`
 */
export function parseTimeParam<D extends number | undefined>(p: Params, name: string, dflt: D): number | D {
  const v = p.get(name);
  if (v === "") return dflt;
  try {
    return parseTime(v);
  } catch (err) {
    throw invalidParamError(new Error(`invalid time value for '${name}': ${(err as Error).message}`), name);
  }
}

/**
 * A required time parameter read with `parseTime` (query_range's start/end).
 * @throws ApiError `invalid parameter "start": cannot parse "x" to a valid timestamp`
 */
export function requiredTimeParam(p: Params, name: string): number {
  try {
    return parseTime(p.get(name));
  } catch (err) {
    throw invalidParamError(err, name);
  }
}

// ---------------------------------------------------------------------------
// Durations

const MAX_INT64 = 9223372036854775807;

/**
 * Prometheus's `parseDuration`: float seconds or a Prometheus duration
 * string. Returns nanoseconds as a float, since the API compares steps in
 * nanoseconds (a 0.5 ms step is positive there, and 0 ms once converted).
 * @throws Error `cannot parse "x" to a valid duration`
 */
export function parseDurationNs(s: string): number {
  const f = goParseFloat(s);
  if (f !== null) {
    const ns = f * 1e9;
    if (ns > MAX_INT64 || ns < -MAX_INT64 - 1 || Number.isNaN(ns)) {
      throw new Error(`cannot parse ${goQuote(s)} to a valid duration. It overflows int64`);
    }
    return Math.trunc(ns);
  }
  try {
    return parsePromDuration(s) * 1e6;
  } catch {
    throw new Error(`cannot parse ${goQuote(s)} to a valid duration`);
  }
}

/** `parseDurationNs` in integer ms, truncated as Prometheus's durationMilliseconds does. */
export function parseDuration(s: string): number {
  return Math.trunc(parseDurationNs(s) / 1e6);
}

// ---------------------------------------------------------------------------
// Limits

/**
 * Prometheus's `parseLimitParam`: "" is 0 (no limit), negatives are refused.
 * @throws ApiError `invalid parameter "limit": …`
 */
export function parseLimitParam(p: Params, name = "limit"): number {
  const s = p.get(name);
  if (s === "") return 0;
  const n = goAtoi(s);
  if (n === null) throw invalidParamError(new Error(`strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`), name);
  if (n < 0) throw invalidParamError(new Error("limit must be non-negative"), name);
  return n;
}

/** Go's strconv.Atoi for the int range JavaScript holds exactly; null on syntax errors. */
export function goAtoi(s: string): number | null {
  if (!/^[+-]?\d+$/.test(s)) return null;
  return Number(s);
}
