// Parser for Prometheus's PromQL test-script language (`load`, `clear`,
// `eval ...`, `expect ...`), as read by promql/promqltest/test.go.

import { parseDuration } from "../parser/duration";
import { parseMetricSelector } from "../parser/parser";
import { compareStrings, type Labels } from "../../storage/labels/labels";
import { makeStaleNaN } from "../engine/value";

/** One position of a series value list. */
export type SeqValue = { kind: "float"; v: number } | { kind: "stale" } | { kind: "omitted" } | { kind: "histogram" };

export interface LoadSeries {
  labels: Labels;
  values: SeqValue[];
}

export interface LoadCmd {
  kind: "load";
  line: number;
  /** Interval between positions, ms. */
  interval: number;
  series: LoadSeries[];
}

export interface ClearCmd {
  kind: "clear";
  line: number;
}

export interface Expectation {
  kind: "msg" | "regex" | "any";
  text: string;
}

export interface EvalCmd {
  kind: "eval";
  line: number;
  expr: string;
  instant: boolean;
  /** Instant eval time, or range start/end/step (all ms). */
  at: number;
  start: number;
  end: number;
  step: number;
  fail: Expectation | null;
  warn: Expectation[];
  info: Expectation[];
  noWarn: boolean;
  noInfo: boolean;
  /** Legacy eval_warn / eval_info: at least one annotation required, others not checked. */
  legacyWarn: boolean;
  legacyInfo: boolean;
  ordered: boolean;
  rangeVector: { start: number; end: number; step: number } | null;
  expectString: string | null;
  expectScalar: number | null;
  /** Expected series, in order. */
  expected: LoadSeries[];
}

export type Command = LoadCmd | ClearCmd | EvalCmd;

const NUM = String.raw`[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN]|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)`;
const UNUM = String.raw`(?:[iI][nN][fF]|[nN][aA][nN]|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const NUM_RE = new RegExp(`^${NUM}$`);
const EXPAND_RE = new RegExp(`^(${NUM})(?:([+-])(${UNUM}))?x(\\d+)$`);

/** Go's strconv.ParseInt(s, 0, 64) falling back to ParseFloat, or null. */
export function parseNumber(s: string): number | null {
  if (!NUM_RE.test(s)) return null;
  const lower = s.toLowerCase().replace(/^\+/, "");
  if (lower === "inf" || lower === "infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (lower.endsWith("nan")) return NaN;
  if (/^-?0x/.test(lower)) return lower.startsWith("-") ? -parseInt(lower.slice(3), 16) : parseInt(lower.slice(2), 16);
  return Number(lower);
}

function tokenizeValues(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    let tok = "";
    while (i < s.length && !/\s/.test(s[i])) {
      if (s.startsWith("{{", i)) {
        const j = s.indexOf("}}", i);
        const end = j < 0 ? s.length : j + 2;
        tok += s.slice(i, end);
        i = end;
      } else tok += s[i++];
    }
    out.push(tok);
  }
  return out;
}

/** Expands a series value list (`0+10x3 _ stale 1x2 _x4`). */
export function parseSeriesValues(s: string): SeqValue[] {
  const out: SeqValue[] = [];
  for (const tok of tokenizeValues(s)) {
    if (tok === "_") {
      out.push({ kind: "omitted" });
      continue;
    }
    const om = /^_x(\d+)$/.exec(tok);
    if (om) {
      for (let i = 0; i < Number(om[1]); i++) out.push({ kind: "omitted" });
      continue;
    }
    if (tok === "stale") {
      out.push({ kind: "stale" });
      continue;
    }
    if (tok.startsWith("{{")) {
      const m = /x(\d+)$/.exec(tok);
      const n = m && tok.endsWith("x" + m[1]) && tok.slice(0, tok.length - m[0].length).endsWith("}}") ? Number(m[1]) + 1 : 1;
      for (let i = 0; i < n; i++) out.push({ kind: "histogram" });
      continue;
    }
    // Hexadecimal is not allowed in value lists: `x` is the repetition operator.
    const v = /^[+-]?0[xX]/.test(tok) ? null : parseNumber(tok);
    if (v !== null) {
      out.push({ kind: "float", v });
      continue;
    }
    const m = EXPAND_RE.exec(tok);
    if (!m) throw new Error(`bad series value ${JSON.stringify(tok)}`);
    const start = parseNumber(m[1]) as number;
    let delta = m[3] !== undefined ? (parseNumber(m[3]) as number) : 0;
    if (m[2] === "-") delta = -delta;
    const n = Number(m[4]);
    // Go accumulates the increments (k += delta), so rounding matches repeated addition.
    let k = start;
    for (let i = 0; i <= n; i++) {
      out.push({ kind: "float", v: k });
      k += delta;
    }
  }
  return out;
}

/** Splits `metric{a="b"} 1 2 3` into the descriptor and the rest. */
function splitSeriesLine(line: string): [string, string] {
  let i = 0;
  let depth = 0;
  let quote = "";
  for (; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === "\\" && quote !== "`") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      if (depth === 0) {
        i++;
        break;
      }
    } else if (depth === 0 && /\s/.test(c)) break;
  }
  return [line.slice(0, i).trim(), line.slice(i).trim()];
}

export function parseLabels(desc: string): Labels {
  const matchers = parseMetricSelector(desc);
  const m = new Map<string, string>();
  for (const mt of matchers) if (mt.value !== "") m.set(mt.name, mt.value);
  return [...m.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([name, value]) => ({ name, value }));
}

function parseSeriesLine(line: string): LoadSeries {
  const [desc, vals] = splitSeriesLine(line);
  return { labels: parseLabels(desc), values: parseSeriesValues(vals) };
}

function parseExpectation(rest: string): Expectation {
  rest = rest.trim();
  if (rest === "") return { kind: "any", text: "" };
  const m = /^(msg|regex):\s?(.*)$/.exec(rest);
  if (!m) throw new Error(`bad expectation ${JSON.stringify(rest)}`);
  return { kind: m[1] as "msg" | "regex", text: m[2].trim() };
}

function unquoteGo(s: string): string {
  if (s.startsWith("`") && s.endsWith("`")) return s.slice(1, -1);
  return JSON.parse(s) as string;
}

/** Parses a whole script into commands. */
export function parseScript(text: string): Command[] {
  const lines = text.split("\n").map((l) => {
    const t = l.trim();
    return t.startsWith("#") ? "" : t;
  });
  const cmds: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === "") continue;
    const word = l.split(/\s+/)[0].toLowerCase();
    if (word === "clear") {
      cmds.push({ kind: "clear", line: i + 1 });
      continue;
    }
    if (word.startsWith("load")) {
      const parts = l.split(/\s+/);
      const cmd: LoadCmd = { kind: "load", line: i + 1, interval: parseDuration(parts[1]), series: [] };
      let j = i + 1;
      for (; j < lines.length && lines[j] !== ""; j++) {
        const sl = lines[j];
        if (/^\S+@st\s/.test(sl) || /}@st\s/.test(sl)) continue; // start timestamps: not modelled
        const s = parseSeriesLine(sl);
        const prev = cmd.series.findIndex((x) => compareLabelsEq(x.labels, s.labels));
        if (prev >= 0) cmd.series[prev] = s;
        else cmd.series.push(s);
      }
      i = j - 1;
      cmds.push(cmd);
      continue;
    }
    if (word.startsWith("eval")) {
      const cmd = parseEvalCommand(l, i + 1);
      let j = i + 1;
      for (; j < lines.length && lines[j] !== ""; j++) {
        const el = lines[j];
        if (el.startsWith("expected_fail_message ")) {
          cmd.fail = { kind: "msg", text: el.slice("expected_fail_message ".length).trim() };
          j++;
          break;
        }
        if (el.startsWith("expected_fail_regexp ")) {
          cmd.fail = { kind: "regex", text: el.slice("expected_fail_regexp ".length).trim() };
          j++;
          break;
        }
        if (el.startsWith("expect ")) {
          const rest = el.slice(7).trim();
          const w = rest.split(/\s+/)[0];
          const after = rest.slice(w.length);
          switch (w) {
            case "fail":
              cmd.fail = parseExpectation(after);
              break;
            case "warn":
              cmd.warn.push(parseExpectation(after));
              break;
            case "info":
              cmd.info.push(parseExpectation(after));
              break;
            case "no_warn":
              cmd.noWarn = true;
              break;
            case "no_info":
              cmd.noInfo = true;
              break;
            case "ordered":
              cmd.ordered = true;
              break;
            case "range": {
              const m = /^range vector from (\S+) to (\S+) step (\S+)$/.exec(rest);
              if (!m) throw new Error(`bad expect range vector line ${j + 1}`);
              cmd.rangeVector = { start: parseDuration(m[1]), end: parseDuration(m[2]), step: parseDuration(m[3]) };
              break;
            }
            case "string":
              cmd.expectString = unquoteGo(after.trim());
              break;
            default:
              throw new Error(`unknown expectation ${JSON.stringify(el)} at line ${j + 1}`);
          }
          continue;
        }
        const num = parseNumber(el);
        if (num !== null) {
          cmd.expectScalar = num;
          j++;
          break;
        }
        cmd.expected.push(parseSeriesLine(el));
      }
      i = j - 1;
      cmds.push(cmd);
      continue;
    }
    throw new Error(`line ${i + 1}: unknown command ${JSON.stringify(l)}`);
  }
  return cmds;
}

function compareLabelsEq(a: Labels, b: Labels): boolean {
  return a.length === b.length && a.every((l, i) => l.name === b[i].name && l.value === b[i].value);
}

function parseEvalCommand(l: string, line: number): EvalCmd {
  const cmd: EvalCmd = {
    kind: "eval",
    line,
    expr: "",
    instant: true,
    at: 0,
    start: 0,
    end: 0,
    step: 0,
    fail: null,
    warn: [],
    info: [],
    noWarn: false,
    noInfo: false,
    legacyWarn: false,
    legacyInfo: false,
    ordered: false,
    rangeVector: null,
    expectString: null,
    expectScalar: null,
    expected: [],
  };
  const m = /^(eval\w*)\s+(.*)$/.exec(l);
  if (!m) throw new Error(`line ${line}: bad eval command`);
  const mod = m[1].toLowerCase();
  if (mod === "eval_fail") cmd.fail = { kind: "any", text: "" };
  if (mod === "eval_warn") cmd.legacyWarn = true;
  if (mod === "eval_info") cmd.legacyInfo = true;
  if (mod === "eval_ordered") cmd.ordered = true;
  const rest = m[2];
  const inst = /^instant\s+(?:at\s+(.+?))?\s+(.+)$/.exec(rest);
  const range = /^range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/.exec(rest);
  if (inst) {
    cmd.at = parseDuration(inst[1]);
    cmd.expr = inst[2];
  } else if (range) {
    cmd.instant = false;
    cmd.start = parseDuration(range[1]);
    cmd.end = parseDuration(range[2]);
    cmd.step = parseDuration(range[3]);
    cmd.expr = range[4];
  } else throw new Error(`line ${line}: bad eval command ${JSON.stringify(l)}`);
  return cmd;
}

/** Writes a load command's samples as (times, values) with staleness markers as real stale NaNs. */
export function loadSamples(cmd: LoadCmd, s: LoadSeries): { times: number[]; values: Float64Array } {
  const times: number[] = [];
  const values: Float64Array = new Float64Array(s.values.length);
  const stale = makeStaleNaN();
  let n = 0;
  s.values.forEach((v, i) => {
    if (v.kind === "float") {
      times.push(i * cmd.interval);
      values[n++] = v.v;
    } else if (v.kind === "stale") {
      times.push(i * cmd.interval);
      values.set(stale, n++);
    }
  });
  return { times, values: values.slice(0, n) };
}
