import { describe, expect, it } from "vitest";
import {
  compareLabels,
  compareStrings,
  formatSeries,
  getLabel,
  isValidLegacyLabelName,
  isValidLegacyMetricName,
  isValidUtf8LabelName,
  labelsEqual,
  labelsFromRecord,
  labelsFromStrings,
  labelsKey,
  labelsString,
  labelsToRecord,
  quoteString,
  sortStrings,
  validateLabels,
  type Labels,
} from "./labels";

describe("ordering", () => {
  it("compares in UTF-8 byte order, also for astral characters", () => {
    // UTF-16 code units would put "😀" (D83D DE00) before "\uffff".
    expect("😀" < "\uffff").toBe(true);
    expect(compareStrings("😀", "\uffff")).toBeGreaterThan(0);
    expect(compareStrings("\uffff", "😀")).toBeLessThan(0);
    expect(compareStrings("a", "b")).toBeLessThan(0);
    expect(compareStrings("ab", "a")).toBeGreaterThan(0);
    expect(compareStrings("", "")).toBe(0);
    expect(compareStrings("\ud7ff", "\ue000")).toBeLessThan(0);
    const utf8Sorted = (xs: string[]) =>
      xs.slice().sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
    const xs = ["b", "a", "😀", "\uffff", "\ue000", "é", "Z", "", "😀a", "\ud7ff", "𝔸"];
    expect(sortStrings(xs.slice())).toEqual(utf8Sorted(xs));
    expect(sortStrings(["c", "a", "b"])).toEqual(["a", "b", "c"]);
  });

  it("compareLabels orders pair by pair, shorter prefix first", () => {
    const a = labelsFromStrings("a", "1");
    const b = labelsFromStrings("a", "1", "b", "1");
    const c = labelsFromStrings("a", "2");
    expect(compareLabels(a, b)).toBeLessThan(0);
    expect(compareLabels(b, c)).toBeLessThan(0);
    expect(compareLabels(a, a)).toBe(0);
    expect(labelsEqual(a, labelsFromRecord({ a: "1" }))).toBe(true);
    expect(labelsEqual(a, b)).toBe(false);
  });
});

describe("construction and access", () => {
  it("builds sorted sets and drops empty values", () => {
    const ls = labelsFromRecord({ job: "x", __name__: "up", empty: "", "😀": "1", z: "2" });
    expect(ls).toEqual([
      { name: "__name__", value: "up" },
      { name: "job", value: "x" },
      { name: "z", value: "2" },
      { name: "😀", value: "1" },
    ]);
    expect(labelsToRecord(ls)).toEqual({ __name__: "up", job: "x", z: "2", "😀": "1" });
    expect(getLabel(ls, "job")).toBe("x");
    expect(getLabel(ls, "nope")).toBe("");
    expect(labelsFromStrings("b", "1", "a", "2", "b", "3")).toEqual([
      { name: "a", value: "2" },
      { name: "b", value: "3" },
    ]);
  });

  it("handles a label named __proto__", () => {
    const rec = labelsToRecord(labelsFromStrings("__proto__", "x"));
    expect(Object.keys(rec)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(rec)).toBe(Object.prototype);
    expect(labelsFromRecord(rec)).toEqual([{ name: "__proto__", value: "x" }]);
  });

  it("getLabel uses binary search on large sets", () => {
    const rec: Record<string, string> = {};
    for (let i = 0; i < 100; i++) rec[`l${String(i).padStart(3, "0")}`] = String(i);
    const ls = labelsFromRecord(rec);
    for (let i = 0; i < 100; i++) expect(getLabel(ls, `l${String(i).padStart(3, "0")}`)).toBe(String(i));
    expect(getLabel(ls, "l1000")).toBe("");
  });

  it("labelsKey is unambiguous", () => {
    const k = (...xs: string[]) => labelsKey(labelsFromStrings(...xs));
    expect(k("a", "b")).toBe(k("a", "b"));
    expect(k("a", "bc")).not.toBe(k("ab", "c"));
    expect(k("a", "1:b1:c")).not.toBe(k("a", "1", "b", "c"));
    expect(k("a", "1", "b", "2")).not.toBe(k("a", "1b2"));
  });
});

describe("formatting", () => {
  it("quotes like Go's %q", () => {
    expect(quoteString("plain")).toBe('"plain"');
    expect(quoteString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteString("\n\t\r\x07\b\f\v")).toBe('"\\n\\t\\r\\a\\b\\f\\v"');
    expect(quoteString("\x00\x1f\x7f")).toBe('"\\x00\\x1f\\x7f"');
    expect(quoteString("héllo 😀 日本")).toBe('"héllo 😀 日本"');
    expect(quoteString("\u00a0\u200b\u2028")).toBe('"\\u00a0\\u200b\\u2028"');
    expect(quoteString("\u{e0001}")).toBe('"\\U000e0001"');
    expect(quoteString("\ud800")).toBe('"\\ufffd"');
  });

  it("prints label sets and series like Prometheus", () => {
    const ls = labelsFromRecord({ __name__: "up", job: "a\nb", "my.label": "x" });
    expect(labelsString(ls)).toBe('{__name__="up", job="a\\nb", "my.label"="x"}');
    expect(formatSeries(ls)).toBe('up{job="a\\nb", "my.label"="x"}');
    expect(formatSeries(labelsFromRecord({ __name__: "up" }))).toBe("up");
    expect(formatSeries(labelsFromRecord({ __name__: "my.metric", a: "b" }))).toBe('{"my.metric", a="b"}');
    expect(formatSeries(labelsFromRecord({ __name__: "my.metric" }))).toBe('{"my.metric"}');
    expect(formatSeries(labelsFromRecord({ a: "b" }))).toBe('{a="b"}');
    expect(formatSeries([])).toBe("{}");
    expect(labelsString([])).toBe("{}");
  });
});

describe("validation", () => {
  it("legacy and UTF-8 names", () => {
    expect(isValidLegacyLabelName("job_1")).toBe(true);
    expect(isValidLegacyLabelName("_x")).toBe(true);
    expect(isValidLegacyLabelName("1x")).toBe(false);
    expect(isValidLegacyLabelName("a:b")).toBe(false);
    expect(isValidLegacyLabelName("")).toBe(false);
    expect(isValidLegacyMetricName("a:b_c1")).toBe(true);
    expect(isValidLegacyMetricName(":a")).toBe(true);
    expect(isValidLegacyMetricName("a.b")).toBe(false);
    expect(isValidLegacyMetricName("1a")).toBe(false);
    expect(isValidUtf8LabelName("a.b 😀")).toBe(true);
    expect(isValidUtf8LabelName("")).toBe(false);
    expect(isValidUtf8LabelName("a\ud800")).toBe(false);
  });

  const ok = labelsFromRecord({ __name__: "up", job: "x" });
  const raw = (...pairs: [string, string][]): Labels => pairs.map(([name, value]) => ({ name, value }));
  it("accepts valid sets", () => {
    expect(validateLabels(ok)).toBeNull();
    expect(validateLabels(labelsFromRecord({ __name__: "my.metric", "a b": "😀" }))).toBeNull();
    expect(validateLabels(ok, "legacy")).toBeNull();
  });
  it("reports each problem with Prometheus's wording where it has one", () => {
    expect(validateLabels(raw(["job", "x"]))).toBe("missing metric name (__name__ label)");
    expect(validateLabels(raw(["", "x"], ["__name__", "up"]))).toBe(
      'invalid metric name or labels, got {""="x", __name__="up"}: label name must not be empty',
    );
    expect(validateLabels(raw(["__name__", "up"], ["a.b", "x"]), "legacy")).toBe(
      'invalid metric name or labels, got {__name__="up", "a.b"="x"}: "a.b" is not a valid label name',
    );
    expect(validateLabels(raw(["__name__", "up"], ["a\ud800", "x"]))).toMatch(/is not a valid label name$/);
    expect(validateLabels(raw(["__name__", "a.b"]), "legacy")).toBe(
      'invalid metric name or labels, got {__name__="a.b"}: "a.b" is not a valid metric name',
    );
    expect(validateLabels(raw(["__name__", "up"], ["job", ""]))).toBe(
      'invalid metric name or labels, got {__name__="up", job=""}: label "job" has an empty value',
    );
    expect(validateLabels(raw(["__name__", "up"], ["job", "a"], ["job", "b"]))).toBe(
      'invalid labels for series, labels {__name__="up", job="a", job="b"}, duplicated label job',
    );
    expect(validateLabels(raw(["__name__", "up"], ["job", "a"], ["instance", "b"]))).toBe(
      'invalid labels for series, labels {__name__="up", job="a", instance="b"}, label "instance" is out of order (after "job")',
    );
  });
});
