// Query results rendered exactly as Prometheus's jsoniter encoders do
// (web/api/v1/json_codec.go): timestamps as float seconds written from the
// integer ms (`1700000000.5` is written "1700000000.500"), sample values as
// strings ("NaN", "+Inf", "-Inf", exponent form below 1e-6 and from 1e21).

import type { Labels } from "../storage/labels/labels";
import type { QueryValue } from "../promql";
import { RawJSON, jsonString } from "../http/json";

/** A timestamp in ms as Prometheus writes it: integer seconds, then "." and three ms digits when non-zero. */
export function formatTimestamp(ms: number): string {
  let t = Math.trunc(ms);
  let sign = "";
  if (t < 0) {
    sign = "-";
    t = -t;
  }
  const sec = Math.trunc(t / 1000);
  const frac = t - sec * 1000;
  if (frac === 0) return `${sign}${sec}`;
  return `${sign}${sec}.${String(frac).padStart(3, "0")}`;
}

/** A sample value as Prometheus writes it (without quotes). */
export function formatSampleValue(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const abs = Math.abs(f);
  if (abs < 1e-6 || abs >= 1e21) {
    // Go's 'e' format with shortest precision: at least two exponent digits.
    const [mant, exp] = f.toExponential().split("e") as [string, string];
    const sign = exp[0] === "-" ? "-" : "+";
    const digits = exp.replace(/^[+-]/, "");
    return `${mant}e${sign}${digits.length < 2 ? "0" + digits : digits}`;
  }
  // JavaScript writes fixed notation exactly in Go's 'f' range [1e-6, 1e21) with the shortest digits.
  return String(f);
}

/** A label set as a JSON object in label order. */
export function labelsJSON(ls: Labels): string {
  let s = "{";
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) s += ",";
    s += jsonString(ls[i]!.name) + ":" + jsonString(ls[i]!.value);
  }
  return s + "}";
}

function point(t: number, f: number): string {
  return `[${formatTimestamp(t)},"${formatSampleValue(f)}"]`;
}

/** The `result` of a query: vector, matrix, scalar or string. */
export function queryResultJSON(v: QueryValue): RawJSON {
  switch (v.type) {
    case "scalar":
      return new RawJSON(point(v.value.t, v.value.v));
    case "string":
      return new RawJSON(`[${formatTimestamp(v.value.t)},${jsonString(v.value.v)}]`);
    case "vector": {
      const parts = v.value.map((s) => `{"metric":${labelsJSON(s.metric)},"value":${point(s.t, s.f)}}`);
      return new RawJSON("[" + parts.join(",") + "]");
    }
    case "matrix": {
      const parts = v.value.map((s) => {
        const values: string[] = new Array(s.t.length);
        for (let i = 0; i < s.t.length; i++) values[i] = point(s.t[i]!, s.f[i]!);
        return `{"metric":${labelsJSON(s.metric)},"values":[${values.join(",")}]}`;
      });
      return new RawJSON("[" + parts.join(",") + "]");
    }
  }
}
