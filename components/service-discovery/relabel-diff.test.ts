import { describe, expect, it } from "vitest";
import type { RelabelRule, RelabelStep } from "@/components/api/types/relabel-steps";
import { diffLabels, relabelStepViews, ruleFields } from "./relabel-diff";

const rule = (r: Partial<RelabelRule>): RelabelRule => ({ source_labels: [], separator: ";", regex: "(.*)", modulus: 0, target_label: "", replacement: "$1", action: "replace", ...r });

describe("diffLabels", () => {
  it("marks added, removed, changed and unchanged labels, sorted by name", () => {
    expect(diffLabels({ a: "1", b: "2", c: "3" }, { b: "2", c: "x", d: "4" })).toEqual([
      { name: "a", change: "removed", before: "1" },
      { name: "b", change: "same", before: "2", after: "2" },
      { name: "c", change: "changed", before: "3", after: "x" },
      { name: "d", change: "added", after: "4" },
    ]);
  });

  it("treats an empty value as a value, and ignores prototype names", () => {
    expect(diffLabels({ a: "" }, { a: "" })[0]!.change).toBe("same");
    expect(diffLabels({}, { constructor: "x" })).toEqual([{ name: "constructor", change: "added", after: "x" }]);
  });
});

describe("relabelStepViews", () => {
  const input = { __address__: "h:80", job: "j" };

  it("diffs each step against the previous one", () => {
    const steps: RelabelStep[] = [
      { rule: rule({ source_labels: ["__address__"], regex: "(.*):.*", target_label: "host" }), output: { ...input, host: "h" }, keep: true },
      { rule: rule({ action: "keep", source_labels: ["job"], regex: "j" }), output: { ...input, host: "h" }, keep: true },
    ];
    const v = relabelStepViews(input, steps);
    expect(v.map((s) => [s.outcome, s.changes])).toEqual([
      ["kept", 1],
      ["kept", 0],
    ]);
    expect(v[0]!.diff.find((d) => d.change !== "same")).toEqual({ name: "host", change: "added", after: "h" });
  });

  it("says where the target was dropped and skips the rules after it", () => {
    const steps: RelabelStep[] = [
      { rule: rule({ action: "drop", source_labels: ["job"], regex: "j" }), output: {}, keep: false },
      { rule: rule({ target_label: "x", replacement: "y" }), output: {}, keep: false },
    ];
    expect(relabelStepViews(input, steps).map((s) => s.outcome)).toEqual(["dropped", "skipped"]);
  });
});

describe("ruleFields", () => {
  it("shows what a rule was written with, defaults left out", () => {
    expect(ruleFields(rule({ source_labels: ["a", "b"], separator: "/", regex: "x", target_label: "t", replacement: "${1}z" }))).toEqual([
      ["source_labels", "[a, b]"],
      ["separator", '"/"'],
      ["regex", "x"],
      ["target_label", "t"],
      ["replacement", '"${1}z"'],
    ]);
    expect(ruleFields(rule({ action: "hashmod", source_labels: ["a"], modulus: 4, target_label: "shard" }))).toEqual([
      ["source_labels", "[a]"],
      ["modulus", "4"],
      ["target_label", "shard"],
    ]);
    expect(ruleFields(rule({ action: "labeldrop", regex: "tmp_.*" }))).toEqual([["regex", "tmp_.*"]]);
  });
});
