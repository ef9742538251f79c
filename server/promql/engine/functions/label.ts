// label_replace and label_join: they rewrite whole series, so the evaluator
// calls them directly (as Prometheus's evalLabelReplace / evalLabelJoin).

import { RE2JS } from "re2js";
import type { Call } from "../../parser/ast";
import { isValidUtf8LabelName } from "../../../storage/labels/labels";
import type { EvalRange, Evaluator } from "../evaluator";
import type { StepMatrix } from "../range-eval";
import { getLabel, METRIC_NAME, setLabel } from "../labels";

function stringArg(call: Call, i: number): string {
  let e = call.args[i];
  while (e.type === "parenExpr") e = e.expr;
  return e.type === "stringLiteral" ? e.val : "";
}

const isNameChar = (c: string) => /[\p{L}\p{Nd}_]/u.test(c);

/** Go's regexp.Expand template expansion ($1, ${1}, $name, ${name}, $$). */
export function expandTemplate(template: string, groups: (string | null)[], named: Record<string, number>): string {
  let out = "";
  let t = template;
  for (;;) {
    const i = t.indexOf("$");
    if (i < 0) break;
    out += t.slice(0, i);
    t = t.slice(i + 1);
    if (t.startsWith("$")) {
      out += "$";
      t = t.slice(1);
      continue;
    }
    // extract()
    let s = t;
    let brace = false;
    if (s.startsWith("{")) {
      brace = true;
      s = s.slice(1);
    }
    let j = 0;
    const chars = [...s];
    let name = "";
    while (j < chars.length && isNameChar(chars[j])) {
      name += chars[j];
      j++;
    }
    let rest = chars.slice(j).join("");
    if (name === "" || (brace && !rest.startsWith("}"))) {
      out += "$";
      continue;
    }
    if (brace) rest = rest.slice(1);
    t = rest;
    let num = 0;
    for (let k = 0; k < name.length; k++) {
      if (name[k] < "0" || name[k] > "9" || num >= 1e8) {
        num = -1;
        break;
      }
      num = num * 10 + (name.charCodeAt(k) - 48);
    }
    if (name[0] === "0" && name.length > 1) num = -1;
    if (num >= 0) {
      if (num < groups.length && groups[num] !== null) out += groups[num];
    } else if (Object.prototype.hasOwnProperty.call(named, name)) {
      const g = groups[named[name]];
      if (g !== null && g !== undefined) out += g;
    }
  }
  return out + t;
}

/** Whether a destination label name is acceptable (UTF-8 names, as Prometheus 3). */
function validLabelName(n: string): boolean {
  return isValidUtf8LabelName(n);
}

// label_replace(v instant-vector, dst string, replacement string, src string, regex string) → instant-vector
export function evalLabelReplace(ev: Evaluator, call: Call, r: EvalRange): StepMatrix {
  const dst = stringArg(call, 1);
  const repl = stringArg(call, 2);
  const src = stringArg(call, 3);
  const regexStr = stringArg(call, 4);
  let re: RE2JS;
  try {
    re = RE2JS.compile("^(?s:" + regexStr + ")$");
  } catch {
    ev.error(`invalid regular expression in label_replace(): ${regexStr}`);
  }
  if (!validLabelName(dst)) ev.error(`invalid destination label name in label_replace(): ${dst}`);
  const mat = ev.evalSteps(call.args[0], r);
  const named = re.namedGroups();
  for (const s of mat) {
    const srcVal = getLabel(s.metric, src);
    const m = re.matcher(srcVal);
    if (!m.matches()) continue;
    const groups: (string | null)[] = [];
    for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
    const res = expandTemplate(repl, groups, named);
    s.metric = setLabel(s.metric, dst, res);
    if (dst === METRIC_NAME) s.dropName = false;
  }
  return ev.mergeSameLabelset(mat);
}

// label_join(v instant-vector, dst string, separator string, src_1 string, ...) → instant-vector
export function evalLabelJoin(ev: Evaluator, call: Call, r: EvalRange): StepMatrix {
  const dst = stringArg(call, 1);
  const sep = stringArg(call, 2);
  const srcs: string[] = [];
  for (let i = 3; i < call.args.length; i++) {
    const s = stringArg(call, i);
    if (!validLabelName(s)) ev.error(`invalid source label name in label_join(): ${s}`);
    srcs.push(s);
  }
  if (!validLabelName(dst)) ev.error(`invalid destination label name in label_join(): ${dst}`);
  const mat = ev.evalSteps(call.args[0], r);
  for (const s of mat) {
    const v = srcs.map((n) => getLabel(s.metric, n)).join(sep);
    s.metric = setLabel(s.metric, dst, v);
    if (dst === METRIC_NAME) s.dropName = false;
  }
  return ev.mergeSameLabelset(mat);
}
