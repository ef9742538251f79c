import { describe, expect, it } from "vitest";
import { labelsFromStrings } from "../storage/labels/labels";
import { formatSampleValue, formatTimestamp, labelsJSON, queryResultJSON } from "./serialize";

describe("result serialization", () => {
  it("writes timestamps as Prometheus's marshalTimestamp", () => {
    expect(formatTimestamp(1_435_781_451_781)).toBe("1435781451.781");
    expect(formatTimestamp(1_500)).toBe("1.500");
    expect(formatTimestamp(1_005)).toBe("1.005");
    expect(formatTimestamp(2_000)).toBe("2");
    expect(formatTimestamp(-1_500)).toBe("-1.500");
    expect(formatTimestamp(0)).toBe("0");
  });

  it("writes sample values as Go's AppendFloat with Prometheus's format switch", () => {
    expect(formatSampleValue(NaN)).toBe("NaN");
    expect(formatSampleValue(Infinity)).toBe("+Inf");
    expect(formatSampleValue(-Infinity)).toBe("-Inf");
    expect(formatSampleValue(1)).toBe("1");
    expect(formatSampleValue(0.1)).toBe("0.1");
    expect(formatSampleValue(-0)).toBe("-0");
    expect(formatSampleValue(1e-6)).toBe("0.000001");
    expect(formatSampleValue(1e-7)).toBe("1e-07");
    expect(formatSampleValue(1.5e-10)).toBe("1.5e-10");
    expect(formatSampleValue(1e21)).toBe("1e+21");
    expect(formatSampleValue(123456789012345680000)).toBe("123456789012345680000");
    expect(formatSampleValue(1.7976931348623157e308)).toBe("1.7976931348623157e+308");
  });

  it("keeps label order even for numeric-looking names", () => {
    expect(labelsJSON(labelsFromStrings("1", "a", "__name__", "x<y", "job", "j"))).toBe('{"1":"a","__name__":"x\\u003cy","job":"j"}');
  });

  it("renders each result type", () => {
    const m = labelsFromStrings("__name__", "up", "job", "a");
    expect(queryResultJSON({ type: "scalar", value: { t: 1000, v: 2 } }).json).toBe('[1,"2"]');
    expect(queryResultJSON({ type: "string", value: { t: 1500, v: 'a"b' } }).json).toBe('[1.500,"a\\"b"]');
    expect(queryResultJSON({ type: "vector", value: [{ metric: m, t: 1000, f: NaN }] }).json).toBe(
      '[{"metric":{"__name__":"up","job":"a"},"value":[1,"NaN"]}]',
    );
    expect(
      queryResultJSON({
        type: "matrix",
        value: [
          {
            metric: m,
            t: new Float64Array([0, 15_000]),
            f: new Float64Array([1, -Infinity]),
          },
        ],
      }).json,
    ).toBe('[{"metric":{"__name__":"up","job":"a"},"values":[[0,"1"],[15,"-Inf"]]}]');
    expect(queryResultJSON({ type: "vector", value: [] }).json).toBe("[]");
  });
});
