// A JSON writer that can splice pre-rendered fragments. Prometheus renders
// some numbers in ways JSON.stringify cannot (sample timestamps as
// "1700000000.500", int64 extremes), so serializers produce `RawJSON` pieces
// and `toJSON` inserts them verbatim.

const RAW = Symbol.for("vigil.rawJSON");

/** A pre-rendered, valid JSON fragment. */
export class RawJSON {
  /** Brand checked instead of `instanceof`, which fails across Next's module graphs. */
  readonly [RAW] = true;
  constructor(readonly json: string) {}
}

function isRaw(v: object): v is RawJSON {
  return (v as { [RAW]?: boolean })[RAW] === true;
}

// Go's encoding/json (and jsoniter's standard-compatible config) escape these
// for safe embedding in HTML; clients decode them identically either way.
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;
const HTML_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** A JSON string literal escaped as Go's encoding/json does. */
export function jsonString(s: string): string {
  return JSON.stringify(s).replace(HTML_UNSAFE, (c) => HTML_ESCAPES[c]!);
}

/** Serializes `v`; object keys keep insertion order, `undefined` fields are left out. */
export function toJSON(v: unknown): string {
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "string":
      return jsonString(v);
    case "number":
      return Number.isFinite(v) ? JSON.stringify(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "object":
      break;
    default:
      return "null";
  }
  if (isRaw(v)) return v.json;
  if (Array.isArray(v)) return "[" + v.map(toJSON).join(",") + "]";
  if (v instanceof Date) return jsonString(v.toISOString());
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined) continue;
    parts.push(jsonString(k) + ":" + toJSON(x));
  }
  return "{" + parts.join(",") + "}";
}
