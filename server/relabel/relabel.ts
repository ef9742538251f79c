// Relabeling, as Prometheus's model/relabel package does it.
//
// A list of rules is applied in order to one label set; each rule reads the
// values of `source_labels` joined by `separator`, and does what its action
// says. Rules share one `LabelsBuilder` (Prometheus's labels.Builder), so a
// rule sees what earlier rules wrote, and `labelmap` visits labels in the
// builder's order (original labels first, then added ones in the order they
// were added), which decides the winner when two names map to one target.
//
// Regexes are RE2 and fully anchored exactly as Prometheus compiles them,
// `^(?s:<regex>)$`, so `.` matches "\n" too. Matching alone (keep, drop,
// labeldrop, labelkeep, labelmap's test) uses the shared fast matcher from
// server/storage/labels/regex.ts; the capture groups that `replace` and
// `labelmap` need come from re2js directly, because the fast matcher has no
// groups. Templates are expanded with Go's rules (see expand.ts).

import { createHash } from "node:crypto";
import { RE2JS } from "re2js";
import {
  compareStrings,
  isValidLegacyLabelName,
  isValidUtf8LabelName,
  quoteString,
  type Label,
  type Labels,
  type NameValidationScheme,
} from "@/server/storage/labels/labels";
import { compileRegex, type FastRegexMatcher } from "@/server/storage/labels/regex";
import { expandTemplate } from "./expand";

export const RELABEL_ACTIONS = [
  "replace",
  "keep",
  "drop",
  "keepequal",
  "dropequal",
  "hashmod",
  "labelmap",
  "labeldrop",
  "labelkeep",
  "lowercase",
  "uppercase",
] as const;

export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** One relabeling rule, with every field filled in (Prometheus `relabel.Config`). */
export interface RelabelConfig {
  /** Labels whose values are joined with `separator`; absent labels give "". */
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  /** The pattern as written; it is matched as `^(?s:<regex>)$`. */
  readonly regex: string;
  /** For hashmod; Prometheus's is a uint64, ours must be at most 2^53 − 1. */
  readonly modulus: number;
  readonly targetLabel: string;
  readonly replacement: string;
  readonly action: RelabelAction;
}

/** The fields a user may set; the others take Prometheus's defaults. */
export type RelabelConfigInput = Partial<RelabelConfig>;

/** An invalid relabel rule, with Prometheus's message. */
export class RelabelConfigError extends Error {
  override name = "RelabelConfigError";
  /** The input field the message is about, when there is one (for positioned config errors). */
  constructor(
    message: string,
    readonly field?: keyof RelabelConfig,
  ) {
    super(message);
  }
}

/** Prometheus's `DefaultRelabelConfig`. */
export function defaultRelabelConfig(): RelabelConfig {
  return { sourceLabels: [], separator: ";", regex: "(.*)", modulus: 0, targetLabel: "", replacement: "$1", action: "replace" };
}

export interface RelabelValidationOptions {
  /**
   * Which label names are valid. Prometheus 3 defaults to "utf8" (any
   * non-empty UTF-8 string); "legacy" restores `[a-zA-Z_][a-zA-Z0-9_]*` and
   * Prometheus's `$`-template pattern for templated names.
   */
  nameValidationScheme?: NameValidationScheme;
}

// Prometheus's relabelTargetLegacy: a legacy label name in which `$name` /
// `${name}` references may stand for name characters.
const relabelTargetLegacy = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/**
 * Fills in defaults and validates a rule the way Prometheus's
 * `Config.UnmarshalYAML` + `Validate` do, throwing `RelabelConfigError` with
 * Prometheus's message. "Set" means present in the input: like Prometheus
 * (which compares the regex by pointer), keepequal/dropequal reject any
 * `regex`, even `(.*)` written out.
 */
export function makeRelabelConfig(input: RelabelConfigInput, opts: RelabelValidationOptions = {}): RelabelConfig {
  const d = defaultRelabelConfig();
  const cfg: RelabelConfig = {
    sourceLabels: input.sourceLabels ?? d.sourceLabels,
    separator: input.separator ?? d.separator,
    regex: input.regex ?? d.regex,
    modulus: input.modulus ?? d.modulus,
    targetLabel: input.targetLabel ?? d.targetLabel,
    replacement: input.replacement ?? d.replacement,
    action: input.action ?? d.action,
  };
  const err = validate(cfg, input, opts.nameValidationScheme ?? "utf8");
  if (err) throw err;
  compileRule(cfg); // regex syntax errors surface here, with Go's message
  return cfg;
}

/** Parses an action name case-insensitively, as Prometheus does; throws with its message otherwise. */
export function parseRelabelAction(s: string): RelabelAction {
  const a = s.toLowerCase();
  if ((RELABEL_ACTIONS as readonly string[]).includes(a)) return a as RelabelAction;
  throw new RelabelConfigError(`unknown relabel action ${quoteString(s)}`, "action");
}

function validate(c: RelabelConfig, input: RelabelConfigInput, scheme: NameValidationScheme): RelabelConfigError | null {
  const E = (m: string, f?: keyof RelabelConfig) => new RelabelConfigError(m, f);
  const a = c.action;
  const isValidName = (s: string) => (scheme === "legacy" ? isValidLegacyLabelName(s) : isValidUtf8LabelName(s));
  const isValidTemplated = (s: string) => (scheme === "legacy" ? relabelTargetLegacy.test(s) : isValidUtf8LabelName(s));
  const hasVar = (s: string) => s.includes("$");
  if (!(RELABEL_ACTIONS as readonly string[]).includes(a)) return E(`unknown relabel action ${quoteString(a)}`, "action");
  if (!Number.isSafeInteger(c.modulus) || c.modulus < 0) {
    // Prometheus's modulus is a uint64; we do the arithmetic exactly with
    // BigInt but keep the configured value a JavaScript number.
    return E(`modulus ${c.modulus} is not an integer between 0 and ${Number.MAX_SAFE_INTEGER}`, "modulus");
  }
  if (c.modulus === 0 && a === "hashmod") return E("relabel configuration for hashmod requires non-zero modulus", "modulus");
  const needsTarget = a === "replace" || a === "hashmod" || a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal";
  if (needsTarget && c.targetLabel === "") return E(`relabel configuration for ${a} action requires 'target_label' value`, "targetLabel");
  const invalidTarget = () => E(`${quoteString(c.targetLabel)} is invalid 'target_label' for ${a} action`, "targetLabel");
  if (a === "replace" && !hasVar(c.targetLabel) && !isValidName(c.targetLabel)) return invalidTarget();
  if (a === "replace" && hasVar(c.targetLabel) && !isValidTemplated(c.targetLabel)) return invalidTarget();
  const simple = a === "lowercase" || a === "uppercase" || a === "keepequal" || a === "dropequal";
  if (simple && !isValidName(c.targetLabel)) return invalidTarget();
  if (simple && c.replacement !== "$1") return E(`'replacement' can not be set for ${a} action`, "replacement");
  if (a === "labelmap" && !isValidTemplated(c.replacement)) {
    return E(`${quoteString(c.replacement)} is invalid 'replacement' for ${a} action`, "replacement");
  }
  if (a === "hashmod" && !isValidName(c.targetLabel)) return invalidTarget();
  if (a === "dropequal" || a === "keepequal") {
    if (input.regex !== undefined || c.modulus !== 0 || c.separator !== ";" || c.replacement !== "$1") {
      return E(`${a} action requires only 'source_labels' and \`target_label\`, and no other fields`);
    }
  }
  if (a === "labeldrop" || a === "labelkeep") {
    if (input.sourceLabels !== undefined || c.targetLabel !== "" || c.modulus !== 0 || c.separator !== ";" || c.replacement !== "$1") {
      return E(`${a} action requires only 'regex', and no other fields`);
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Compiled rules

interface CompiledRule {
  readonly cfg: RelabelConfig;
  /** Whole-string match of `^(?s:regex)$`. */
  readonly matches: (s: string) => boolean;
  /** The same regex with capture groups, compiled on first use. */
  groups(): RE2JS;
  /** Whether the replace fast path applies (default regex, no templates). */
  readonly fastReplace: boolean;
}

const compiledCache = new WeakMap<RelabelConfig, CompiledRule>();

function compileRule(cfg: RelabelConfig): CompiledRule {
  const hit = compiledCache.get(cfg);
  if (hit) return hit;
  // Compile the anchored form with re2js first: that is what Prometheus
  // compiles, so syntax errors carry Go's message including the anchors.
  const anchored = `^(?s:${cfg.regex})$`;
  let re: RE2JS;
  try {
    re = RE2JS.compile(anchored);
  } catch (e) {
    throw new RelabelConfigError(e instanceof Error ? e.message : String(e), "regex");
  }
  let fast: FastRegexMatcher | null = null;
  try {
    fast = compileRegex(cfg.regex);
  } catch {
    // A pattern that is only valid inside the anchors (such as "a)|(b")
    // keeps Go's meaning by matching with the anchored re2js regex.
  }
  const matches = fast ? fast.matches : (s: string) => re.matcher(s).matches();
  const compiled: CompiledRule = {
    cfg,
    matches,
    groups: () => re,
    fastReplace: cfg.regex === "(.*)" && !cfg.targetLabel.includes("$") && !cfg.replacement.includes("$"),
  };
  compiledCache.set(cfg, compiled);
  return compiled;
}

function submatches(re: RE2JS, s: string): { groups: (string | null)[]; names: Record<string, number> } | null {
  const m = re.matcher(s);
  if (!m.find()) return null;
  const n = m.groupCount();
  const groups: (string | null)[] = new Array(n + 1);
  for (let i = 0; i <= n; i++) groups[i] = m.group(i);
  return { groups, names: re.namedGroups() };
}

// ---------------------------------------------------------------------------
// Builder (Prometheus labels.Builder)

/** A mutable view over a base label set, with Prometheus's `labels.Builder` semantics. */
export class LabelsBuilder {
  private add: Label[] = [];
  private del: string[] = [];

  constructor(private base: Labels) {}

  get(name: string): string {
    // Del removes from add, but Set does not remove from del: check add first.
    for (const a of this.add) if (a.name === name) return a.value;
    if (this.del.includes(name)) return "";
    for (const l of this.base) if (l.name === name) return l.value;
    return "";
  }

  set(name: string, value: string): void {
    if (value === "") {
      this.delete(name);
      return;
    }
    for (let i = 0; i < this.add.length; i++) {
      if (this.add[i].name === name) {
        this.add[i] = { name, value };
        return;
      }
    }
    this.add.push({ name, value });
  }

  delete(name: string): void {
    this.add = this.add.filter((a) => a.name !== name);
    this.del.push(name);
  }

  /** Visits the labels as they were when called: base labels first (sorted), then added ones in order. */
  range(f: (l: Label) => void): void {
    const add = this.add.slice();
    const del = this.del.slice();
    for (const l of this.base) {
      if (!del.includes(l.name) && !add.some((a) => a.name === l.name)) f(l);
    }
    for (const a of add) f(a);
  }

  labels(): Labels {
    if (this.add.length === 0 && this.del.length === 0) return this.base;
    const out: Label[] = [];
    for (const l of this.base) {
      if (this.del.includes(l.name) || this.add.some((a) => a.name === l.name)) continue;
      out.push(l);
    }
    if (this.add.length > 0) {
      out.push(...this.add);
      out.sort((x, y) => compareStrings(x.name, y.name));
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Processing

/**
 * Applies the rules in order (Prometheus `relabel.Process`). Returns the new
 * label set, or null when a rule dropped it. Rules should come from
 * `makeRelabelConfig` (or the config loader), which validates them.
 */
export function relabel(ls: Labels, configs: readonly RelabelConfig[]): Labels | null {
  if (configs.length === 0) return ls;
  const lb = new LabelsBuilder(ls);
  for (const cfg of configs) {
    if (!applyRule(compileRule(cfg), lb)) return null;
  }
  return lb.labels();
}

/** One step of a relabeling trace. */
export interface RelabelStep {
  /** Index of the rule in the list. */
  readonly index: number;
  readonly config: RelabelConfig;
  /** The label set after the rule, or null when the rule dropped it (the last step then). */
  readonly labels: Labels | null;
}

/** Like `relabel`, but also returns the label set after each rule, for the service-discovery page. */
export function relabelTrace(ls: Labels, configs: readonly RelabelConfig[]): { input: Labels; steps: RelabelStep[]; output: Labels | null } {
  const lb = new LabelsBuilder(ls);
  const steps: RelabelStep[] = [];
  for (let i = 0; i < configs.length; i++) {
    const keep = applyRule(compileRule(configs[i]), lb);
    steps.push({ index: i, config: configs[i], labels: keep ? lb.labels() : null });
    if (!keep) return { input: ls, steps, output: null };
  }
  return { input: ls, steps, output: lb.labels() };
}

function applyRule(rule: CompiledRule, lb: LabelsBuilder): boolean {
  const cfg = rule.cfg;
  let val: string;
  const src = cfg.sourceLabels;
  if (src.length === 1) val = lb.get(src[0]);
  else {
    val = "";
    for (let i = 0; i < src.length; i++) {
      if (i > 0) val += cfg.separator;
      val += lb.get(src[i]);
    }
  }
  switch (cfg.action) {
    case "drop":
      return !rule.matches(val);
    case "keep":
      return rule.matches(val);
    case "dropequal":
      return lb.get(cfg.targetLabel) !== val;
    case "keepequal":
      return lb.get(cfg.targetLabel) === val;
    case "replace": {
      if (val === "" && rule.fastReplace) {
        lb.set(cfg.targetLabel, cfg.replacement);
        return true;
      }
      const m = submatches(rule.groups(), val);
      if (!m) return true; // no match: no replacement
      const target = expandTemplate(cfg.targetLabel, m);
      // Prometheus skips targets that are not valid label names under its
      // (UTF-8) scheme, which for an expanded name means an empty one.
      if (!isValidUtf8LabelName(target)) return true;
      const res = expandTemplate(cfg.replacement, m);
      if (res === "") lb.delete(target);
      else lb.set(target, res);
      return true;
    }
    case "lowercase":
      lb.set(cfg.targetLabel, goToLower(val));
      return true;
    case "uppercase":
      lb.set(cfg.targetLabel, goToUpper(val));
      return true;
    case "hashmod":
      lb.set(cfg.targetLabel, hashmod(val, cfg.modulus));
      return true;
    case "labelmap": {
      const re = rule.groups();
      lb.range((l) => {
        if (!rule.matches(l.name)) return;
        const m = submatches(re, l.name);
        // The anchored regex matches the whole name once, so Go's
        // ReplaceAllString is a single expansion.
        if (m) lb.set(expandTemplate(cfg.replacement, m), l.value);
      });
      return true;
    }
    case "labeldrop":
      lb.range((l) => {
        if (rule.matches(l.name)) lb.delete(l.name);
      });
      return true;
    case "labelkeep":
      lb.range((l) => {
        if (!rule.matches(l.name)) lb.delete(l.name);
      });
      return true;
  }
}

/** MD5 of the value; the last 8 bytes as a big-endian uint64, modulo `modulus` (Prometheus's hashmod). */
export function hashmod(value: string, modulus: number): string {
  const sum = createHash("md5").update(value, "utf8").digest();
  return (sum.readBigUInt64BE(8) % BigInt(modulus)).toString();
}

// Go's strings.ToLower/ToUpper map each code point with Unicode's simple
// case mapping (one code point to one). JavaScript applies the full mapping,
// which can produce several ("ß".toUpperCase() is "SS"); where it does, we
// keep the character, which is Go's result for all but a few Greek letters
// with iota subscript. U+0130 is the one special lower-case mapping.
function goToLower(s: string): string {
  if (isAscii(s)) return s.toLowerCase();
  let out = "";
  for (const ch of s) {
    if (ch === "\u0130") {
      out += "i";
      continue;
    }
    const m = ch.toLowerCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

function goToUpper(s: string): string {
  if (isAscii(s)) return s.toUpperCase();
  let out = "";
  for (const ch of s) {
    const m = ch.toUpperCase();
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
