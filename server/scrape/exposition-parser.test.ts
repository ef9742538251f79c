import { describe, expect, it } from "vitest";
import { labelsToRecord } from "@/server/storage/labels/labels";
import {
  ExpositionParseError,
  formatFromContentType,
  formatOpenMetricsFloat,
  parseExposition,
  parseExpositionStream,
  parsePromFloat,
  type ExpositionFormat,
} from "./exposition-parser";

const text = (s: string) => parseExposition(s, "prometheus-text");
const om = (s: string) => parseExposition(s, "openmetrics");
const flat = (r: ReturnType<typeof text>) =>
  r.samples.map((s) => ({ ...labelsToRecord(s.labels), _v: s.v, ...(s.t !== undefined ? { _t: s.t } : {}) }));
const err = (s: string, format: ExpositionFormat = "prometheus-text") => {
  try {
    parseExposition(s, format);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpositionParseError);
    return (e as Error).message;
  }
  throw new Error("expected a parse error");
};

describe("text format 0.0.4", () => {
  it("parses a typical page", () => {
    const r = text(`# HELP go_gc_duration_seconds A summary of the GC invocation durations.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 4.9351e-05
go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
go_gc_duration_seconds{quantile="1"} 0.000130713
go_gc_duration_seconds_sum 0.002
go_gc_duration_seconds_count 22
# A normal comment
#
# TYPE nohelp gauge
nohelp{a="b",c="d"} -3 1520879607789

  leading_blanks   12
http_requests_total{method="post",code="200"}	1027 1395066363000
`);
    expect(flat(r)).toEqual([
      { __name__: "go_gc_duration_seconds", quantile: "0.0", _v: 4.9351e-5 },
      { __name__: "go_gc_duration_seconds", quantile: "0.25", _v: 7.424100000000001e-5 },
      { __name__: "go_gc_duration_seconds", quantile: "1.0", _v: 0.000130713 },
      { __name__: "go_gc_duration_seconds_sum", _v: 0.002 },
      { __name__: "go_gc_duration_seconds_count", _v: 22 },
      { __name__: "nohelp", a: "b", c: "d", _v: -3, _t: 1520879607789 },
      { __name__: "leading_blanks", _v: 12 },
      { __name__: "http_requests_total", method: "post", code: "200", _v: 1027, _t: 1395066363000 },
    ]);
    expect(r.metadata).toEqual([
      { name: "go_gc_duration_seconds", type: "summary", help: "A summary of the GC invocation durations.", unit: "" },
      { name: "nohelp", type: "gauge", help: "", unit: "" },
    ]);
  });

  it("labels are sorted with __name__ in byte order", () => {
    const r = text(`m{z="1",A="2",a="3"} 1\n`);
    expect(r.samples[0].labels.map((l) => l.name)).toEqual(["A", "__name__", "a", "z"]);
  });

  it("unescapes label values and HELP", () => {
    const r = text(`# HELP m Help with \\\\ and \\n and \\x.
m{a="quote \\" backslash \\\\ newline \\n other \\t"} 1
`);
    expect(r.samples[0].labels.find((l) => l.name === "a")?.value).toBe('quote " backslash \\ newline \n other \\t');
    expect(r.metadata[0].help).toBe("Help with \\ and \n and \\x.");
  });

  it("quoted UTF-8 metric and label names", () => {
    const r = text(`# TYPE "my.metric" counter
# HELP "my.metric" dotted
{"my.metric", "label.name"="v", a="b"} 1
{"other.metric"} 2
m{"quoted"="x"} 3
`);
    expect(flat(r)).toEqual([
      { __name__: "my.metric", "label.name": "v", a: "b", _v: 1 },
      { __name__: "other.metric", _v: 2 },
      { __name__: "m", quoted: "x", _v: 3 },
    ]);
    expect(r.metadata[0]).toEqual({ name: "my.metric", type: "counter", help: "dotted", unit: "" });
  });

  it("special float values", () => {
    const r = text("a NaN\nb +Inf\nc -Inf\nd inf\ne Infinity\nf -0\ng 1e308\nh .5\ni 5.\nj +1E-3\n");
    const v = r.samples.map((s) => s.v);
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v.slice(1)).toEqual([Infinity, -Infinity, Infinity, Infinity, -0, 1e308, 0.5, 5, 0.001]);
  });

  it("normalizes le and quantile like Prometheus 3", () => {
    const r = text(`# TYPE h histogram
h_bucket{le="1"} 1
h_bucket{le="0.5"} 1
h_bucket{le="1000000"} 1
h_bucket{le="+Inf"} 2
h_bucket{le="garbage"} 2
# TYPE g gauge
g{le="1"} 1
`);
    expect(r.samples.map((s) => s.labels.find((l) => l.name === "le")?.value)).toEqual(["1.0", "0.5", "1e+06", "+Inf", "garbage", "1"]);
  });

  it("keeps blanks after the first as part of HELP text and rejects them in TYPE, as Prometheus", () => {
    expect(text("# HELP m  two\tblanks \nm 1\n").metadata[0].help).toBe(" two\tblanks ");
    expect(err("# TYPE m  gauge\n")).toContain('line 1: invalid metric type " gauge"');
    expect(err("# TYPE m gauge \n")).toContain('line 1: invalid metric type "gauge "');
  });

  it("accepts label pairs without a comma between them, as Prometheus's text parser does", () => {
    expect(flat(text(`m{a="1" b="2"} 1\n`))).toEqual([{ __name__: "m", a: "1", b: "2", _v: 1 }]);
    expect(err(`m{a="1" b="2"} 1\n# EOF\n`, "openmetrics")).toContain('expected "," or "}" after label value');
  });

  it("accepts trailing commas, blanks inside braces and no blank after }", () => {
    expect(flat(text(`m { a = "1" , b="2", } 1\nn{a="1"}2\n`))).toEqual([
      { __name__: "m", a: "1", b: "2", _v: 1 },
      { __name__: "n", a: "1", _v: 2 },
    ]);
    expect(flat(om(`m{a="1",} 1\n# HELP m \n# UNIT m \n# EOF\n`))).toEqual([{ __name__: "m", a: "1", _v: 1 }]);
  });

  it("empty label values mean absent", () => {
    expect(flat(text(`m{a="",b="x"} 1\n`))).toEqual([{ __name__: "m", b: "x", _v: 1 }]);
  });

  it("accepts a missing final newline and a BOM", () => {
    expect(flat(text("\ufeffm 1"))).toEqual([{ __name__: "m", _v: 1 }]);
  });

  it("accepts bytes and rejects invalid UTF-8 with the line", () => {
    const ok = parseExposition(new TextEncoder().encode('m{a="é"} 1\n'), "prometheus-text");
    expect(labelsToRecord(ok.samples[0].labels)).toEqual({ __name__: "m", a: "é" });
    const bad = new Uint8Array([...new TextEncoder().encode("a 1\nb{x=\""), 0xff, ...new TextEncoder().encode('"} 1\n')]);
    expect(() => parseExposition(bad, "prometheus-text")).toThrow("line 2: invalid UTF-8");
  });

  it("reports each sample's family for metadata lookups", () => {
    const fams: string[] = [];
    parseExpositionStream(
      `# TYPE h histogram
h_bucket{le="1"} 1
h_sum 1
h_count 1
other 1
# HELP c_total x
c_total 1
`,
      "prometheus-text",
      { onSample: (_s, _v, _t, ctx) => fams.push(ctx.family) },
    );
    expect(fams).toEqual(["h", "h", "h", "other", "c_total"]);
  });

  it("streams the raw series text for caching", () => {
    const seen: string[] = [];
    parseExpositionStream(`a{x="1"} 1\nb 2 3\n{"c.d"} 4\n`, "prometheus-text", { onSample: (series) => seen.push(series) });
    expect(seen).toEqual(['a{x="1"}', "b", '{"c.d"}']);
  });

  it.each([
    ["m\n", "line 1: expected value after metric, got end of line"],
    ["m{a=\"b\"}\n", "line 1: expected value after metric, got end of line"],
    ["m abc\n", 'line 1: invalid value "abc"'],
    ["m 1_000\n", 'line 1: invalid value "1_000"'],
    ["m 0x1p3\n", 'line 1: invalid value "0x1p3"'],
    ["m 1e400\n", 'line 1: invalid value "1e400"'],
    ["m 1 1.5\n", 'line 1: invalid timestamp "1.5": expected integer milliseconds'],
    ["m 1 2 3\n", 'line 1: unexpected "3" after timestamp'],
    ["ok 1\nm{a=b} 1\n", 'line 2: expected quoted label value for "a", got "b} 1"'],
    ["m{a=\"b\" 1\n", 'line 1: expected "," or "}" after label value, got "1"'],
    ["m{a=\"b} 1\n", "line 1: unterminated quoted label value"],
    ["m{1a=\"b\"} 1\n", 'line 1: expected label name, got "1a=\\"b\\"} 1"'],
    ["1m 1\n", 'line 1: expected metric name, got "1m 1"'],
    ["m{a=\"1\",a=\"2\"} 1\n", 'line 1: label name "a" is not unique'],
    ["{a=\"1\"} 1\n", "line 1: metric name is missing"],
    ["# TYPE m fancy\n", 'line 1: invalid metric type "fancy"'],
    ["# TYPE m\n", "line 1: missing metric type in TYPE line"],
    ["m 1\r\n", 'line 1: invalid value "1\\r"'],
    ["m 1 # {a=\"b\"} 1\n", "line 1: invalid timestamp"],
    ["m 1 -5\n", 'line 1: invalid timestamp "-5": expected integer milliseconds'],
  ])("rejects %j", (input, message) => {
    expect(err(input)).toContain(message);
  });
});

describe("OpenMetrics 1.0", () => {
  it("parses families, units, timestamps in seconds, exemplars and _created", () => {
    const r = om(`# TYPE foo counter
# HELP foo A "counter" with \\"escapes\\".
# UNIT foo_seconds seconds
foo_total 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
foo_created 1520430000.123
# TYPE bar histogram
bar_bucket{le="0.01"} 0
bar_bucket{le="+Inf"} 17 # {trace_id="x"} 9.8 1520879607.7
bar_count 17
bar_sum 324789.3
bar_created 1520430000
# TYPE g gauge
g_created 5
# EOF
`);
    expect(flat(r)).toEqual([
      { __name__: "foo_total", _v: 17, _t: 1520879607789 },
      { __name__: "foo_created", _v: 1520430000.123 },
      { __name__: "bar_bucket", le: "0.01", _v: 0 },
      { __name__: "bar_bucket", le: "+Inf", _v: 17 },
      { __name__: "bar_count", _v: 17 },
      { __name__: "bar_sum", _v: 324789.3 },
      { __name__: "bar_created", _v: 1520430000 },
      { __name__: "g_created", _v: 5 },
    ]);
    expect(r.samples.map((s) => !!s.created)).toEqual([false, true, false, false, false, false, true, false]);
    expect(r.samples[0].exemplar).toEqual({ labels: [{ name: "trace_id", value: "KOO5S4vxi0o" }], v: 0.67 });
    expect(r.samples[3].exemplar).toEqual({ labels: [{ name: "trace_id", value: "x" }], v: 9.8, t: 1520879607700 });
    expect(r.metadata).toEqual([
      { name: "foo", type: "counter", help: 'A "counter" with "escapes".', unit: "" },
      { name: "foo_seconds", type: "unknown", help: "", unit: "seconds" },
      { name: "bar", type: "histogram", help: "", unit: "" },
      { name: "g", type: "gauge", help: "", unit: "" },
    ]);
  });

  it("all OpenMetrics types, empty exemplar labels, # EOF without newline", () => {
    const r = om(`# TYPE a info
a_info{v="1"} 1
# TYPE s stateset
s{s="x"} 1
# TYPE gh gaugehistogram
gh_bucket{le="1"} 1
gh_gcount 1
gh_gsum 1
# TYPE u unknown
u 1 # {} 1
# EOF`);
    expect(r.samples).toHaveLength(6);
    expect(r.samples[5].exemplar).toEqual({ labels: [], v: 1 });
  });

  it("timestamps: truncation toward zero as Prometheus's int64(ts*1000)", () => {
    const r = om("a 1 1.0009\nb 1 -1.0009\n# EOF\n");
    expect(r.samples.map((s) => s.t)).toEqual([1000, -1000]);
  });

  it.each([
    ["a 1\n", "data does not end with # EOF"],
    ["a 1\n# EOF\nb 1\n", "line 3: unexpected data after # EOF"],
    ["a 1\n# EOF\n\n", "line 3: unexpected data after # EOF"],
    ["a 1\n\n# EOF\n", "line 2: unexpected empty line"],
    ["a  1\n# EOF\n", "line 1: expected value after a single space"],
    ["a\t1\n# EOF\n", 'line 1: expected a single space before value, got "\\t1"'],
    ["# random comment\n# EOF\n", "line 1: invalid comment or metadata line"],
    ["# TYPE a untyped\n# EOF\n", 'line 1: invalid metric type "untyped"'],
    ["# UNIT a_bytes seconds\n# EOF\n", 'line 1: unit "seconds" not a suffix of metric "a_bytes"'],
    ["# HELP a\n# EOF\n", "line 1: expected text in HELP"],
    ["# TYPE a\n# EOF\n", "line 1: expected text in TYPE"],
    ["a{b=\"c\"} 1\n# EOF extra\n", "line 2: invalid comment or metadata line"],
    ["a{b=\"c\"}1\n# EOF\n", "line 1: expected a single space before value"],
    ["a 1 NaN\n# EOF\n", 'line 1: invalid timestamp "NaN"'],
    ["a 1 # x\n# EOF\n", 'line 1: invalid exemplar "# x": expected "# {"'],
    ["a 1 # {a=\"b\"}\n# EOF\n", "line 1: expected exemplar value, got end of line"],
    ["a 1 # {a=\"b\"} 1 2 3\n# EOF\n", 'line 1: unexpected " 3" after exemplar'],
    ["a 1 \n# EOF\n", "line 1: expected timestamp after a single space"],
  ])("rejects %j", (input, message) => {
    expect(err(input, "openmetrics")).toContain(message);
  });
});

describe("helpers", () => {
  it("content type negotiation", () => {
    expect(formatFromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8")).toBe("openmetrics");
    expect(formatFromContentType("text/plain; version=0.0.4; charset=utf-8")).toBe("prometheus-text");
    expect(() => formatFromContentType("")).toThrow("blank Content-Type");
    expect(() => formatFromContentType("application/json")).toThrow('received unsupported Content-Type "application/json"');
    expect(formatFromContentType("application/json", "prometheus-text")).toBe("prometheus-text");
  });

  it("float syntax", () => {
    expect(parsePromFloat("1")).toBe(1);
    expect(parsePromFloat("-1.5e-3")).toBe(-0.0015);
    expect(parsePromFloat("0x10")).toBeNull();
    expect(parsePromFloat("1e")).toBeNull();
    expect(parsePromFloat("")).toBeNull();
    expect(parsePromFloat("+NaN")).toBeNull();
    expect(parsePromFloat("INF")).toBe(Infinity);
    expect(parsePromFloat("1e-400")).toBe(0);
    expect(parsePromFloat("9007199254740993")).toBe(9007199254740992);
  });

  it("OpenMetrics float form", () => {
    expect([1, 0, -1, 0.25, 100, 1e6, 1e-5, Infinity].map(formatOpenMetricsFloat)).toEqual(["1.0", "0.0", "-1.0", "0.25", "100.0", "1e+06", "1e-05", "+Inf"]);
  });
});

describe("generated input", () => {
  // A small deterministic PRNG so failures reproduce.
  function rng(seed: number) {
    return () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
  }

  it("float fast path agrees with Number() on decimal spellings", () => {
    const r = rng(42);
    for (let i = 0; i < 20000; i++) {
      const x = (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
      const forms = [String(x), x.toExponential(Math.floor(r() * 17)), x.toFixed(Math.floor(r() * 20)), String(Math.round(x * 1000)), x.toPrecision(1 + Math.floor(r() * 20))];
      for (const f of forms) {
        const got = parsePromFloat(f);
        expect(Object.is(got, Number(f)), `${f}: ${got} vs ${Number(f)}`).toBe(true);
      }
    }
  });

  it("round-trips random label values, escapes and UTF-8 through both formats", () => {
    const r = rng(7);
    const alphabet = ["a", "Z", "0", " ", '"', "\\", "\n", "é", "😀", "{", "}", ",", "=", "#", "\t"];
    const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    const want: { labels: Record<string, string>; v: number }[] = [];
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      const labels: Record<string, string> = {};
      const n = Math.floor(r() * 4);
      for (let k = 0; k < n; k++) {
        let v = "";
        const len = 1 + Math.floor(r() * 8);
        for (let j = 0; j < len; j++) v += alphabet[Math.floor(r() * alphabet.length)];
        labels[`l${k}`] = v;
      }
      const v = Math.round((r() - 0.5) * 1e6) / 100;
      const quotedName = r() < 0.2;
      const name = quotedName ? `m.${i}` : `m_${i}`;
      const body = Object.entries(labels).map(([k, x]) => `${k}="${escape(x)}"`);
      lines.push(quotedName ? `{"${name}"${body.map((b) => "," + b).join("")}} ${v}` : `${name}{${body.join(",")}} ${v}`);
      want.push({ labels: { __name__: name, ...labels }, v });
    }
    for (const [format, page] of [
      ["prometheus-text", lines.join("\n") + "\n"],
      ["openmetrics", lines.join("\n") + "\n# EOF\n"],
    ] as const) {
      const got = parseExposition(new TextEncoder().encode(page), format).samples.map((s) => ({ labels: labelsToRecord(s.labels), v: s.v }));
      expect(got).toEqual(want);
    }
  });
});

describe("benchmark pages", () => {
  it("parse cleanly in both formats", async () => {
    const { nodeExporterLikePage, bigPage } = await import("./exposition-parser.bench");
    const text = parseExposition(nodeExporterLikePage(), "prometheus-text");
    const omr = parseExposition(nodeExporterLikePage(true), "openmetrics");
    expect(text.samples.length).toBe(omr.samples.length);
    expect(text.samples.length).toBeGreaterThan(1500);
    expect(text.metadata.find((m) => m.name === "node_cpu_seconds_total")?.type).toBe("counter");
    expect(parseExposition(bigPage(1000), "prometheus-text").samples).toHaveLength(1000);
  });
});
