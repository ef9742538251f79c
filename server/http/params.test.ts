import { describe, expect, it } from "vitest";
import { Params, goParseFloat, parseDuration, parseDurationNs, parseLimitParam, parseTime, parseTimeParam, readParams, requiredTimeParam } from "./params";

describe("parseTime", () => {
  it.each([
    ["0", 0],
    ["1700000000", 1_700_000_000_000],
    ["1700000000.123", 1_700_000_000_123],
    ["1700000000.1234", 1_700_000_000_123],
    ["1700000000.1235", 1_700_000_000_124],
    ["1.5e9", 1_500_000_000_000],
    ["-1.5", -1500],
    ["2015-07-01T20:10:51.781Z", 1435781451781],
    ["2015-07-01T20:10:51Z", 1435781451000],
    ["2015-07-01T22:10:51.781+02:00", 1435781451781],
    ["2015-07-01T20:10:51.7819999Z", 1435781451781],
    ["-292273086-05-16T16:47:06Z", -9223309901257974000],
  ])("%s → %d ms", (s, ms) => {
    expect(parseTime(s)).toBe(ms);
  });

  it.each(["", "x", "2015-13-01T00:00:00Z", "2015-07-01 20:10:51Z", "1e400", "2015-02-30T00:00:00Z"])("refuses %j", (s) => {
    expect(() => parseTime(s)).toThrow(`cannot parse ${JSON.stringify(s)} to a valid timestamp`);
  });

  it("words parameter errors as Prometheus", () => {
    expect(() => requiredTimeParam(Params.fromQuery("start=x"), "start")).toThrow('invalid parameter "start": cannot parse "x" to a valid timestamp');
    expect(() => requiredTimeParam(Params.fromQuery(""), "end")).toThrow('invalid parameter "end": cannot parse "" to a valid timestamp');
    expect(() => parseTimeParam(Params.fromQuery("time=abc"), "time", 0)).toThrow(
      `invalid parameter "time": invalid time value for 'time': cannot parse "abc" to a valid timestamp`,
    );
    expect(parseTimeParam(Params.fromQuery(""), "time", 42)).toBe(42);
  });
});

describe("parseDuration", () => {
  it.each([
    ["15s", 15_000],
    ["1h30m", 5_400_000],
    ["15", 15_000],
    ["0.5", 500],
    ["1e1", 10_000],
    ["0.0001", 0],
    ["-1", -1000],
  ])("%s → %d ms", (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it("keeps sub-millisecond steps positive in nanoseconds", () => {
    expect(parseDurationNs("0.0001")).toBe(100_000);
  });

  it("words errors as Prometheus", () => {
    expect(() => parseDuration("x")).toThrow('cannot parse "x" to a valid duration');
    expect(() => parseDuration("")).toThrow('cannot parse "" to a valid duration');
    expect(() => parseDuration("1e300")).toThrow('cannot parse "1e300" to a valid duration. It overflows int64');
  });
});

describe("goParseFloat", () => {
  it("accepts Go's decimal forms and refuses the rest", () => {
    expect(goParseFloat("+Inf")).toBe(Infinity);
    expect(goParseFloat("-inf")).toBe(-Infinity);
    expect(goParseFloat("NaN")).toBeNaN();
    expect(goParseFloat(".5")).toBe(0.5);
    expect(goParseFloat("5.")).toBe(5);
    expect(goParseFloat("")).toBeNull();
    expect(goParseFloat(" 1")).toBeNull();
    expect(goParseFloat("0x10")).toBeNull();
  });
});

describe("parseLimitParam", () => {
  it("is 0 when absent and refuses junk and negatives", () => {
    expect(parseLimitParam(Params.fromQuery(""))).toBe(0);
    expect(parseLimitParam(Params.fromQuery("limit=5"))).toBe(5);
    expect(() => parseLimitParam(Params.fromQuery("limit=x"))).toThrow('invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax');
    expect(() => parseLimitParam(Params.fromQuery("limit=-1"))).toThrow('invalid parameter "limit": limit must be non-negative');
  });
});

describe("readParams", () => {
  it("reads GET query strings", async () => {
    const p = await readParams(new Request("http://x/api/v1/series?match[]=up&match[]=a%7Bb%3D%22c%22%7D"));
    expect(p.getAll("match[]")).toEqual(["up", 'a{b="c"}']);
  });

  it("reads POST form bodies before URL values, as Go's r.Form", async () => {
    const req = new Request("http://x/api/v1/query?query=url&time=1", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" },
      body: "query=sum+by+(job)+(up)&match[]=a",
    });
    const p = await readParams(req);
    expect(p.get("query")).toBe("sum by (job) (up)");
    expect(p.get("time")).toBe("1");
    expect(p.getAll("query")).toEqual(["sum by (job) (up)", "url"]);
  });

  it("ignores bodies of other content types", async () => {
    const req = new Request("http://x/api/v1/query", { method: "POST", headers: { "content-type": "application/json" }, body: '{"query":"x"}' });
    expect((await readParams(req)).get("query")).toBe("");
  });
});
