// Go's `Regexp.Expand` template rules, which relabeling uses for
// `replacement` and `target_label`. They differ from JavaScript's
// `String.prototype.replace`:
//
//   $$        a literal "$"
//   $name     the longest run of letters, digits and "_" after "$" is the
//             name, so `$1x` names a group "1x" (usually absent → "")
//   ${name}   braces delimit the name: `${1}x` is group 1 followed by "x"
//   $1, ${1}  an all-digit name is a group number; a leading zero ("01")
//             makes it a name instead, which matches nothing
//   $ followed by anything else (or `${` without a closing brace) is copied
//             literally
//
// A group that did not participate in the match, a number beyond the group
// count and an unknown name all expand to "".

const letterOrDigit = /[\p{L}\p{Nd}_]/u;

function isNameChar(cp: number): boolean {
  if (cp < 0x80) {
    return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
  }
  return letterOrDigit.test(String.fromCodePoint(cp));
}

/** The groups of one match: `groups[i]` is group i's text, or null when it did not participate. */
export interface MatchGroups {
  readonly groups: readonly (string | null)[];
  /** Group index by name (Go's `SubexpNames`). */
  readonly names: Readonly<Record<string, number>>;
}

/** Expands `template` with Go's `Regexp.ExpandString` rules. */
export function expandTemplate(template: string, match: MatchGroups): string {
  if (template.indexOf("$") < 0) return template;
  let out = "";
  let i = 0;
  const n = template.length;
  while (i < n) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (i < n && template.charCodeAt(i) === 0x24) {
      out += "$";
      i++;
      continue;
    }
    const ext = extract(template, i);
    if (!ext) {
      // Malformed: the "$" is kept as text and scanning resumes after it.
      out += "$";
      continue;
    }
    i = ext.rest;
    if (ext.num >= 0) {
      const g = match.groups[ext.num];
      if (g != null) out += g;
    } else {
      const idx = Object.prototype.hasOwnProperty.call(match.names, ext.name) ? match.names[ext.name] : -1;
      if (idx >= 0) {
        const g = match.groups[idx];
        if (g != null) out += g;
      }
    }
  }
  return out + template.slice(i);
}

function extract(s: string, start: number): { name: string; num: number; rest: number } | null {
  if (start >= s.length) return null;
  let i = start;
  const brace = s.charCodeAt(i) === 0x7b;
  if (brace) i++;
  const nameStart = i;
  while (i < s.length) {
    const cp = s.codePointAt(i) as number;
    if (!isNameChar(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  if (i === nameStart) return null;
  const name = s.slice(nameStart, i);
  if (brace) {
    if (i >= s.length || s.charCodeAt(i) !== 0x7d) return null;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 0x30 || c > 0x39 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 0x30);
  }
  if (name.charCodeAt(0) === 0x30 && name.length > 1) num = -1;
  return { name, num, rest: i };
}
