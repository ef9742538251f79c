import { describe, expect, it } from "vitest";
import { labelsFromRecord, labelsToRecord } from "@/server/storage/labels/labels";
import { expandTemplate, hashmod, makeRelabelConfig, parseRelabelAction, relabel, relabelTrace, type RelabelConfigInput } from "./index";

const L = labelsFromRecord;
const rules = (...inputs: RelabelConfigInput[]) => inputs.map((i) => makeRelabelConfig(i));
const run = (input: Record<string, string>, ...inputs: RelabelConfigInput[]) => {
  const out = relabel(L(input), rules(...inputs));
  return out === null ? null : labelsToRecord(out);
};

// Cases follow Prometheus's model/relabel tests and the configuration docs.
describe("relabel actions", () => {
  it("replace with ${1} templates", () => {
    expect(run({ a: "foo", b: "bar", c: "baz" }, { sourceLabels: ["a"], regex: "f(.*)", targetLabel: "d", replacement: "ch${1}-ch${1}" })).toEqual({
      a: "foo",
      b: "bar",
      c: "baz",
      d: "choo-choo",
    });
  });

  it("chained replaces see earlier results and join with the separator", () => {
    expect(
      run(
        { a: "foo", b: "bar", c: "baz" },
        { sourceLabels: ["a", "b"], regex: "f(.*);(.*)r", targetLabel: "a", replacement: "b${1}${2}m" },
        { sourceLabels: ["c", "a"], regex: "(b).*b(.*)ba(.*)", targetLabel: "d", replacement: "$1$2$2$3" },
      ),
    ).toEqual({ a: "boobam", b: "bar", c: "baz", d: "boooom" });
  });

  it("drop stops processing", () => {
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: ".*o.*", action: "drop" }, { sourceLabels: ["a"], regex: "f(.*)", targetLabel: "d", replacement: "ch$1-ch$1" })).toBeNull();
    expect(run({ a: "foo", b: "bar" }, { sourceLabels: ["a"], regex: ".*o.*", action: "drop" })).toBeNull();
  });

  it("regexes are fully anchored", () => {
    expect(run({ a: "abc" }, { sourceLabels: ["a"], regex: ".*(b).*", targetLabel: "d", replacement: "$1" })).toEqual({ a: "abc", d: "b" });
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "no-match", action: "drop" })).toEqual({ a: "foo" });
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "f|o", action: "drop" })).toEqual({ a: "foo" });
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "no-match", action: "keep" })).toBeNull();
    expect(run({ a: "foo" }, { sourceLabels: ["a"], regex: "f.*", action: "keep" })).toEqual({ a: "foo" });
  });

  it("dot matches newline (Prometheus 3)", () => {
    expect(run({ a: "foo\nbar" }, { sourceLabels: ["a"], regex: "foo.bar", action: "keep" })).toEqual({ a: "foo\nbar" });
    expect(run({ a: "foo\nbar" }, { sourceLabels: ["a"], regex: "(?-s)foo.bar", action: "keep" })).toBeNull();
  });

  it("no replacement without a match", () => {
    expect(run({ a: "boo" }, { sourceLabels: ["a"], regex: "f", targetLabel: "b", replacement: "bar" })).toEqual({ a: "boo" });
  });

  it("hashmod: MD5, last 8 bytes big-endian, mod", () => {
    expect(run({ a: "foo", b: "bar", c: "baz" }, { sourceLabels: ["c"], targetLabel: "d", action: "hashmod", modulus: 1000 })).toEqual({
      a: "foo",
      b: "bar",
      c: "baz",
      d: "976",
    });
    expect(run({ a: "foo\nbar" }, { sourceLabels: ["a"], targetLabel: "b", action: "hashmod", modulus: 1000 })).toEqual({ a: "foo\nbar", b: "734" });
    // A modulus above 2^32 exercises the 64-bit arithmetic.
    expect(hashmod("baz", 2 ** 53 - 1)).toMatch(/^\d+$/);
  });

  it("labelmap", () => {
    expect(run({ a: "foo", b1: "bar", b2: "baz" }, { regex: "(b.*)", replacement: "bar_${1}", action: "labelmap" })).toEqual({
      a: "foo",
      b1: "bar",
      b2: "baz",
      bar_b1: "bar",
      bar_b2: "baz",
    });
    expect(
      run({ a: "foo", __meta_my_bar: "aaa", __meta_my_baz: "bbb", __meta_other: "ccc" }, { regex: "__meta_(my.*)", replacement: "${1}", action: "labelmap" }),
    ).toEqual({ a: "foo", __meta_my_bar: "aaa", __meta_my_baz: "bbb", __meta_other: "ccc", my_bar: "aaa", my_baz: "bbb" });
  });

  it("labelmap: the last label visited wins a shared target", () => {
    // Both map to "x"; base labels are visited in sorted order, so "b_x" wins.
    expect(run({ a_x: "1", b_x: "2" }, { regex: "[ab]_(.*)", replacement: "$1", action: "labelmap" })).toEqual({ a_x: "1", b_x: "2", x: "2" });
  });

  it("templated target labels", () => {
    expect(run({ a: "some-name-value" }, { sourceLabels: ["a"], regex: "some-([^-]+)-([^,]+)", replacement: "${2}", targetLabel: "${1}" })).toEqual({
      a: "some-name-value",
      name: "value",
    });
    // Empty replacement deletes the (templated) target; here "name" is absent anyway.
    expect(run({ a: "some-name-value" }, { sourceLabels: ["a"], regex: "some-([^-]+)-([^,]+)", replacement: "${3}", targetLabel: "${1}" })).toEqual({
      a: "some-name-value",
    });
    // A target that expands to "" is skipped.
    expect(run({ a: "some-name-0" }, { sourceLabels: ["a"], regex: "some-([^-]+)-([^,]+)", replacement: "${1}", targetLabel: "${3}" })).toEqual({
      a: "some-name-0",
    });
  });

  it("real-life tag parsing", () => {
    const tags = "path:/secret,job:some-job,label:foo=bar";
    expect(
      run(
        { __meta_sd_tags: tags },
        { sourceLabels: ["__meta_sd_tags"], regex: "(?:.+,|^)path:(/[^,]+).*", replacement: "${1}", targetLabel: "__metrics_path__" },
        { sourceLabels: ["__meta_sd_tags"], regex: "(?:.+,|^)job:([^,]+).*", replacement: "${1}", targetLabel: "job" },
        { sourceLabels: ["__meta_sd_tags"], regex: "(?:.+,|^)label:([^=]+)=([^,]+).*", replacement: "${2}", targetLabel: "${1}" },
      ),
    ).toEqual({ __meta_sd_tags: tags, __metrics_path__: "/secret", job: "some-job", foo: "bar" });
  });

  it("labeldrop then re-adding a label (prometheus#12283)", () => {
    expect(
      run(
        { __meta_kubernetes_pod_container_port_name: "foo", __meta_kubernetes_pod_annotation_XXX_metrics_port: "9091" },
        { regex: "^__meta_kubernetes_pod_container_port_name$", action: "labeldrop" },
        { sourceLabels: ["__meta_kubernetes_pod_annotation_XXX_metrics_port"], regex: "(.+)", replacement: "metrics", targetLabel: "__meta_kubernetes_pod_container_port_name" },
        { sourceLabels: ["__meta_kubernetes_pod_container_port_name"], regex: "^metrics$", action: "keep" },
      ),
    ).toEqual({ __meta_kubernetes_pod_annotation_XXX_metrics_port: "9091", __meta_kubernetes_pod_container_port_name: "metrics" });
  });

  it("labelkeep and labeldrop", () => {
    expect(run({ a: "foo", b1: "bar", b2: "baz" }, { regex: "(b.*)", action: "labelkeep" })).toEqual({ b1: "bar", b2: "baz" });
    expect(run({ a: "foo", b1: "bar", b2: "baz" }, { regex: "(b.*)", action: "labeldrop" })).toEqual({ a: "foo" });
  });

  it("lowercase and uppercase", () => {
    expect(
      run({ foo: "bAr123Foo" }, { sourceLabels: ["foo"], action: "uppercase", targetLabel: "foo_uppercase" }, { sourceLabels: ["foo"], action: "lowercase", targetLabel: "foo_lowercase" }),
    ).toEqual({ foo: "bAr123Foo", foo_lowercase: "bar123foo", foo_uppercase: "BAR123FOO" });
    // Go's simple case mapping: ß has no single-character upper case.
    expect(run({ a: "straße" }, { sourceLabels: ["a"], action: "uppercase", targetLabel: "b" })).toEqual({ a: "straße", b: "STRAßE" });
    expect(run({ a: "İ" }, { sourceLabels: ["a"], action: "lowercase", targetLabel: "b" })).toEqual({ a: "İ", b: "i" });
  });

  it("keepequal and dropequal", () => {
    const input = { __tmp_port: "1234", __port1: "1234", __port2: "5678" };
    expect(run(input, { sourceLabels: ["__tmp_port"], action: "keepequal", targetLabel: "__port1" })).toEqual(input);
    expect(run(input, { sourceLabels: ["__tmp_port"], action: "dropequal", targetLabel: "__port1" })).toBeNull();
    expect(run(input, { sourceLabels: ["__tmp_port"], action: "dropequal", targetLabel: "__port2" })).toEqual(input);
    expect(run(input, { sourceLabels: ["__tmp_port"], action: "keepequal", targetLabel: "__port2" })).toBeNull();
  });

  it("replace with the defaults sets a constant, and an empty result deletes", () => {
    expect(run({ a: "x" }, { targetLabel: "env", replacement: "prod" })).toEqual({ a: "x", env: "prod" });
    expect(run({ a: "x", env: "dev" }, { targetLabel: "env", replacement: "" })).toEqual({ a: "x" });
    expect(run({ a: "x" }, { sourceLabels: ["a"], targetLabel: "a", replacement: "" })).toEqual({});
  });

  it("missing source labels are empty strings in the join", () => {
    expect(run({ b: "2" }, { sourceLabels: ["a", "b"], regex: ";2", action: "keep" })).toEqual({ b: "2" });
    expect(run({ b: "2" }, { sourceLabels: ["a", "b"], separator: "", regex: "2", action: "keep" })).toEqual({ b: "2" });
  });

  it("named groups in templates", () => {
    expect(run({ a: "host:9100" }, { sourceLabels: ["a"], regex: "(?P<host>[^:]+):(?P<port>\\d+)", targetLabel: "p", replacement: "$port-${host}" })).toEqual({
      a: "host:9100",
      p: "9100-host",
    });
  });

  it("__address__ rewrite as in the docs", () => {
    expect(
      run({ __address__: "10.0.0.1:80", __meta_port: "9100" }, { sourceLabels: ["__address__", "__meta_port"], regex: "([^:]+)(?::\\d+)?;(\\d+)", replacement: "$1:$2", targetLabel: "__address__" }),
    ).toEqual({ __address__: "10.0.0.1:9100", __meta_port: "9100" });
  });
});

describe("Go template expansion", () => {
  const m = { groups: ["abc", "a", "b", null], names: { x: 2 } };
  it.each([
    ["$1", "a"],
    ["${1}", "a"],
    ["$1x", ""], // names group "1x"
    ["${1}x", "ax"],
    ["$$1", "$1"],
    ["$$", "$"],
    ["$", "$"],
    ["${", "${"],
    ["${1", "${1"],
    ["${}", "${}"],
    ["a$-b", "a$-b"],
    ["$0", "abc"],
    ["$01", ""], // leading zero: a name
    ["$3", ""], // did not participate
    ["$9", ""], // beyond the group count
    ["$x", "b"],
    ["${x}y", "by"],
    ["$xy", ""],
    ["$1.$2", "a.b"],
    ["$é", ""], // Unicode letters are name characters
  ])("%s → %s", (tpl, want) => {
    expect(expandTemplate(tpl, m)).toBe(want);
  });
});

describe("validation", () => {
  const bad = (input: RelabelConfigInput, msg: string) => expect(() => makeRelabelConfig(input)).toThrow(msg);
  it("reports Prometheus's messages", () => {
    bad({ action: "replace" }, "relabel configuration for replace action requires 'target_label' value");
    bad({ action: "lowercase" }, "relabel configuration for lowercase action requires 'target_label' value");
    bad({ action: "hashmod", targetLabel: "x" }, "relabel configuration for hashmod requires non-zero modulus");
    bad({ action: "uppercase", targetLabel: "x", replacement: "y" }, "'replacement' can not be set for uppercase action");
    bad({ action: "keepequal", targetLabel: "x", regex: "(.*)" }, "keepequal action requires only 'source_labels' and `target_label`, and no other fields");
    bad({ action: "dropequal", targetLabel: "x", separator: "," }, "dropequal action requires only 'source_labels' and `target_label`, and no other fields");
    bad({ action: "labeldrop", sourceLabels: ["a"] }, "labeldrop action requires only 'regex', and no other fields");
    bad({ action: "labelkeep", targetLabel: "a" }, "labelkeep action requires only 'regex', and no other fields");
    bad({ action: "labelmap", replacement: "" }, `"" is invalid 'replacement' for labelmap action`);
    bad({ targetLabel: "x", regex: "(abc" }, "error parsing regexp: missing closing ): `^(?s:(abc)$`");
    bad({ targetLabel: "x", regex: "a(?=b)" }, "error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
    expect(() => parseRelabelAction("Explode")).toThrow(`unknown relabel action "Explode"`);
    expect(parseRelabelAction("Replace")).toBe("replace");
  });

  it("legacy name validation keeps Prometheus 2's target-label pattern", () => {
    const legacy = { nameValidationScheme: "legacy" as const };
    expect(() => makeRelabelConfig({ targetLabel: "-${3}", sourceLabels: ["a"] }, legacy)).toThrow(`"-\${3}" is invalid 'target_label' for replace action`);
    expect(() => makeRelabelConfig({ targetLabel: "0${3}" }, legacy)).toThrow(`"0\${3}" is invalid 'target_label'`);
    expect(() => makeRelabelConfig({ targetLabel: "${3}" }, legacy)).not.toThrow();
    expect(() => makeRelabelConfig({ targetLabel: "foo.bar" }, legacy)).toThrow("is invalid 'target_label'");
    // Prometheus 3's default (UTF-8) accepts any non-empty name.
    expect(() => makeRelabelConfig({ targetLabel: "foo.bar" })).not.toThrow();
  });
});

describe("relabelTrace", () => {
  it("returns each step and stops at a drop", () => {
    const cfgs = rules({ targetLabel: "a", replacement: "1" }, { sourceLabels: ["a"], regex: "1", action: "drop" }, { targetLabel: "b", replacement: "2" });
    const t = relabelTrace(L({ x: "y" }), cfgs);
    expect(t.steps.map((s) => s.labels && labelsToRecord(s.labels))).toEqual([{ a: "1", x: "y" }, null]);
    expect(t.output).toBeNull();
    const t2 = relabelTrace(L({ x: "y" }), [cfgs[0], cfgs[2]]);
    expect(t2.output && labelsToRecord(t2.output)).toEqual({ a: "1", b: "2", x: "y" });
  });
});
