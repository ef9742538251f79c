import { describe, expect, it } from "vitest";
import { toCsv, toGraphSeries } from "./graph-data";
import { formatSeries, formatValueShort, parseErrorPosition } from "./format";
import { labelCardinality, metadataFor } from "./metrics";

describe("toGraphSeries", () => {
  it("converts seconds to ms, breaks lines at NaN/Inf and at missing steps", () => {
    const [s] = toGraphSeries(
      [[{ metric: { __name__: "x", a: "1" }, values: [[100, "1"], [115, "NaN"], [130, "+Inf"], [145, "2"], [190, "3"]] }]],
      15_000,
    );
    expect(s!.name).toBe('x{a="1"}');
    expect(s!.points).toEqual([
      [100_000, 1],
      [115_000, null],
      [130_000, null],
      [145_000, 2],
      // 145 → 190 skips two steps: a null right after the last sample breaks the line.
      [160_000, null],
      [190_000, 3],
    ]);
  });

  it("numbers series by expression when a panel has several", () => {
    const out = toGraphSeries([[{ metric: { a: "1" }, values: [] }], [{ metric: { a: "1" }, values: [] }]], 1000);
    expect(out.map((s) => [s.name, s.label, s.exprIndex])).toEqual([
      ['#1 {a="1"}', '{a="1"}', 0],
      ['#2 {a="1"}', '{a="1"}', 1],
    ]);
    expect(new Set(out.map((s) => s.key)).size).toBe(2);
  });
});

describe("toCsv", () => {
  it("writes one row per timestamp, empty cells where a series has no value, quoted names", () => {
    const series = toGraphSeries(
      [
        [
          { metric: { __name__: "x", path: "/a,b" }, values: [[1, "1"], [2, "2"]] },
          { metric: { __name__: "y" }, values: [[2, "5"], [3, "NaN"]] },
        ],
      ],
      1000,
    );
    expect(toCsv(series)).toBe(
      ['time,"x{path=""/a,b""}",y', "1970-01-01T00:00:01.000Z,1,", "1970-01-01T00:00:02.000Z,2,5", ""].join("\n"),
    );
  });
});

describe("formatting", () => {
  it("writes series as Prometheus does", () => {
    expect(formatSeries({ __name__: "up", job: "a", instance: "b" })).toBe('up{instance="b", job="a"}');
    expect(formatSeries({ __name__: "up" })).toBe("up");
    expect(formatSeries({})).toBe("{}");
    expect(formatSeries({ a: 'q"x' })).toBe('{a="q\\"x"}');
  });

  it("shortens axis values", () => {
    expect(formatValueShort(1234567)).toBe("1.235M");
    expect(formatValueShort(0.25)).toBe("0.25");
    expect(formatValueShort(0.00001)).toBe("1.00e-5");
    expect(formatValueShort(Number.NaN)).toBe("NaN");
  });

  it("finds the position of a parse error in the API message", () => {
    expect(parseErrorPosition('invalid parameter "query": 1:15: parse error: unexpected <op:*>')).toEqual({ line: 1, column: 15 });
    expect(parseErrorPosition("2:3: parse error: unclosed left parenthesis")).toEqual({ line: 2, column: 3 });
    expect(parseErrorPosition("query timed out")).toBeNull();
  });
});

describe("metrics explorer", () => {
  const meta = {
    h: [{ type: "histogram", help: "A histogram.", unit: "" }],
    c: [{ type: "counter", help: "A counter.", unit: "" }],
    g: [{ type: "gauge", help: "A gauge.", unit: "" }],
  };

  it("finds family metadata for histogram and counter series", () => {
    expect(metadataFor("h_bucket", meta)?.type).toBe("histogram");
    expect(metadataFor("h_count", meta)?.help).toBe("A histogram.");
    expect(metadataFor("c_total", meta)?.type).toBe("counter");
    expect(metadataFor("g_total", meta)).toBeUndefined();
    expect(metadataFor("g_bucket", meta)).toBeUndefined();
    expect(metadataFor("g", meta)?.type).toBe("gauge");
    expect(metadataFor("nope", meta)).toBeUndefined();
  });

  it("counts distinct values per label and ranks the most common", () => {
    const series = [
      { __name__: "m", job: "a", code: "200" },
      { __name__: "m", job: "a", code: "500" },
      { __name__: "m", job: "b", code: "200" },
      { __name__: "m", job: "a", code: "404" },
    ];
    expect(labelCardinality(series, 2)).toEqual([
      { name: "code", cardinality: 3, top: [["200", 2], ["404", 1]] },
      { name: "job", cardinality: 2, top: [["a", 3], ["b", 1]] },
    ]);
  });
});
