// Regular expressions for label matchers, with Prometheus 3 semantics.
//
// Prometheus compiles a matcher's regex as `^(?s:<re>)$` with Go's RE2
// syntax: it is fully anchored, `.` also matches "\n" (since Prometheus 3.0,
// prometheus/prometheus#14505), `(?-s)` switches that off again, and
// backreferences, lookaround and possessive quantifiers are syntax errors. We
// validate and match with re2js (a port of RE2/J, whose syntax and error
// messages follow Go's regexp/syntax), compiled with DOTALL and matched with
// its anchored `matches`, which is the same language as `^(?s:<re>)$`.
//
// re2js runs at roughly 2M short strings per second, and matchers run once per
// distinct label value, so like Prometheus's FastRegexMatcher we look at the
// parsed pattern and use a cheaper strategy when one is provably equivalent:
//
//   literal / alternation of literals / small finite language → Set lookup
//   case-insensitive ASCII finite language → Set lookup after folding
//   `.*`, `.+`, `.?` (with or without `(?-s)`) → length and "\n" checks
//   literals separated by `.*` (`foo.*`, `.*foo.*`, `a.*b.*c`) → prefix,
//     suffix and in-order substring search
//   `.*` / `.+` / `.?` around a finite set (`.+foo|bar.*`) → slicing
//   otherwise: required literal prefix/suffix/substrings as a prefilter,
//     then a translated native RegExp where backtracking work is provably
//     bounded (see `nativeBudget`), else re2js.
//
// Our own parser only has to understand patterns that re2js has already
// accepted, and it may give up ("bail") on anything unusual: giving up only
// means the re2js path is used. Every strategy is checked against re2js on
// generated patterns and strings in regex.test.ts.
//
// Strings: JavaScript strings are UTF-16. Characters are matched as code
// points, so an astral character such as "😀" is one `.`. A lone surrogate
// (which cannot come from valid UTF-8 input) is treated as one code point, as
// re2js does; Go would see the replacement character instead.

import { RE2JS } from "re2js";

/** An invalid matcher: bad regular expression or unknown match type. */
export class MatcherError extends Error {
  override name = "MatcherError";
}

/** A compiled Prometheus regex matcher. */
export interface FastRegexMatcher {
  /** The pattern as written in the selector (without the implicit anchors). */
  readonly source: string;
  /** Whether the whole string matches `^(?s:source)$`. */
  readonly matches: (s: string) => boolean;
  /**
   * The exact, finite, case-sensitive set of strings the regex matches, when
   * there is one of at most 10,000 strings (e.g. `a|b|c`, `foo[12]`), else null.
   * The index uses it to look values up instead of scanning all of them.
   */
  readonly setMatches: readonly string[] | null;
  /** Which strategy `matches` uses; for tests and diagnostics. */
  readonly strategy: Strategy;
}

export type Strategy =
  | "equal"
  | "set"
  | "fold-set"
  | "any"
  | "any-no-newline"
  | "non-empty"
  | "non-empty-no-newline"
  | "zero-or-one"
  | "literals"
  | "affix"
  | "or"
  | "native"
  | "re2";

// Largest finite language we expand into a set. Products are checked as they
// grow, so a pattern like `[a-z]{6}` gives up early instead of enumerating.
const maxSetMatches = 10_000;

// ---------------------------------------------------------------------------
// Compile cache

const cacheLimit = 1000;
const cache = new Map<string, FastRegexMatcher>();

/**
 * Compiles a Prometheus regex, using a bounded LRU cache keyed by pattern
 * (`=~` and `!~` share the compiled form). Throws `MatcherError` with Go's
 * wording, e.g. "error parsing regexp: invalid or unsupported Perl syntax: `(?=`".
 */
export function compileRegex(pattern: string): FastRegexMatcher {
  const hit = cache.get(pattern);
  if (hit) {
    cache.delete(pattern);
    cache.set(pattern, hit);
    return hit;
  }
  const m = buildMatcher(pattern);
  cache.set(pattern, m);
  if (cache.size > cacheLimit) cache.delete(cache.keys().next().value as string);
  return m;
}

/** Compiles without the cache and with a forced strategy; for tests. */
export function compileRegexUncached(pattern: string, opts: { force?: "re2" | "native" } = {}): FastRegexMatcher {
  if (opts.force === "re2") {
    const re = compileRe2(pattern);
    return { source: pattern, matches: (s) => re.matches(s), setMatches: null, strategy: "re2" };
  }
  if (opts.force === "native") {
    compileRe2(pattern);
    const ast = parse(pattern);
    const native = ast && nativeMatcher(ast);
    if (!native) throw new Error(`pattern ${JSON.stringify(pattern)} has no native translation`);
    return { source: pattern, matches: native.unbounded, setMatches: null, strategy: "native" };
  }
  return buildMatcher(pattern);
}

function compileRe2(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern, RE2JS.DOTALL);
  } catch (e) {
    // With DOTALL, re2js quotes the pattern as "(?s)<pattern>" in some
    // messages; Go quotes what the user wrote. Syntax errors do not depend on
    // flags, so compile again without them for the message.
    let message = e instanceof Error ? e.message : String(e);
    try {
      RE2JS.compile(pattern);
    } catch (e2) {
      message = e2 instanceof Error ? e2.message : String(e2);
    }
    throw new MatcherError(message);
  }
}

// Go's regexp.QuoteMeta escapes exactly these; a pattern without them is a literal.
const metaChars = /[\\.+*?()|[\]{}^$]/;
const metaCharsButBar = /[\\.+*?()[\]{}^$]/;

function buildMatcher(pattern: string): FastRegexMatcher {
  // Literals and alternations of literals need no parsing at all.
  if (!metaChars.test(pattern)) return setMatcher(pattern, [pattern]);
  if (!metaCharsButBar.test(pattern)) return setMatcher(pattern, dedupe(pattern.split("|")));

  const re = compileRe2(pattern); // validates; errors carry Go's wording
  const slow = (s: string) => re.matches(s);
  const ast = parse(pattern);
  if (!ast) return { source: pattern, matches: slow, setMatches: null, strategy: "re2" };

  const set = expand(stripAnchors(ast), maxSetMatches);
  if (set) {
    if (set.fold !== true) return setMatcher(pattern, set.strs);
    return { source: pattern, matches: foldSetFn(set.strs), setMatches: null, strategy: "fold-set" };
  }

  const fast = stringMatcher(ast);
  if (fast) return { source: pattern, matches: fast.fn, setMatches: null, strategy: fast.strategy };

  const native = nativeMatcher(ast);
  const engine = native
    ? (s: string) => (s.length <= native.maxLength ? native.unbounded(s) : slow(s))
    : slow;
  const pre = prefilter(ast);
  const matches = pre ? (s: string) => pre(s) && engine(s) : engine;
  return { source: pattern, matches, setMatches: null, strategy: native ? "native" : "re2" };
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

function setMatcher(source: string, strs: string[]): FastRegexMatcher {
  if (strs.length === 1) {
    const only = strs[0];
    return { source, matches: (s) => s === only, setMatches: strs, strategy: "equal" };
  }
  const set = new Set(strs);
  return { source, matches: (s) => set.has(s), setMatches: strs, strategy: "set" };
}

// ---------------------------------------------------------------------------
// Case folding (ASCII only)
//
// RE2 folds with Unicode simple case folding orbits. For ASCII the orbits are
// {A,a} … {Z,z}, except k ↔ K ↔ U+212A KELVIN SIGN and s ↔ S ↔ U+017F LONG S;
// no other character folds to an ASCII character (checked exhaustively
// against re2js over all code points). So for a pattern whose case-insensitive
// parts are ASCII, mapping both sides through `foldAscii` is exact. Patterns
// with case-insensitive non-ASCII letters use re2js.

/** Lower-cases ASCII letters and maps U+212A→k, U+017F→s; null if s has any other non-ASCII character. */
function foldAscii(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80 && !(c >= 0x41 && c <= 0x5a)) continue;
    // Something changes or fails from here on.
    let out = s.slice(0, i);
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i);
      if (d >= 0x41 && d <= 0x5a) out += String.fromCharCode(d + 32);
      else if (d < 0x80) out += s[i];
      else if (d === 0x212a) out += "k";
      else if (d === 0x17f) out += "s";
      else return null;
    }
    return out;
  }
  return s;
}

/** Whether s[at..at+folded.length) folds to `folded` (a foldAscii result). Folding preserves length. */
function foldEqualsAt(s: string, at: number, folded: string): boolean {
  if (at < 0 || at + folded.length > s.length) return false;
  for (let i = 0; i < folded.length; i++) {
    const c = s.charCodeAt(at + i);
    const t = folded.charCodeAt(i);
    if (c === t || (c >= 0x41 && c <= 0x5a && c + 32 === t) || (c === 0x212a && t === 0x6b) || (c === 0x17f && t === 0x73)) {
      continue;
    }
    return false;
  }
  return true;
}

/** Matcher for a case-insensitive ASCII finite language. */
function foldSetFn(strs: string[]): Fn {
  const folded = [...new Set(strs.map((x) => foldAscii(x) as string))];
  if (folded.length === 1) {
    const only = folded[0];
    return (s) => s.length === only.length && foldEqualsAt(s, 0, only);
  }
  const set = new Set(folded);
  const lengths = new Set(folded.map((x) => x.length));
  return (s) => {
    if (!lengths.has(s.length)) return false;
    const f = foldAscii(s);
    return f !== null && set.has(f);
  };
}

function hasAsciiLetter(cp: number): boolean {
  return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
}

// ---------------------------------------------------------------------------
// Syntax tree of the subset we model

type Node =
  /** A sequence of code points; `fold` when matched case-insensitively. */
  | { k: "lit"; cps: number[]; fold: boolean }
  /** A character class, as sorted disjoint [lo, hi] pairs, case folding already applied. */
  | { k: "class"; ranges: number[] }
  | { k: "any"; nl: boolean }
  | { k: "empty" }
  | { k: "bot" }
  | { k: "eot" }
  | { k: "wordb"; neg: boolean }
  | { k: "cat"; subs: Node[] }
  | { k: "alt"; subs: Node[] }
  /** `max` is -1 when unbounded. */
  | { k: "rep"; sub: Node; min: number; max: number }
  /** A construct whose extent we know but whose meaning we do not model. */
  | { k: "opaque" };

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

class Bail extends Error {}

const maxRune = 0x10ffff;

/** Parses a pattern re2js accepted; null when it uses syntax we do not model. */
function parse(pattern: string): Node | null {
  const cps: number[] = [];
  for (const ch of pattern) {
    const cp = ch.codePointAt(0) as number;
    if (cp >= 0xd800 && cp <= 0xdfff) return null; // lone surrogate in the pattern
    cps.push(cp);
  }
  const p = new Parser(cps);
  try {
    const node = p.alternation({ i: false, s: true, m: false });
    if (p.pos !== cps.length) return null;
    return simplify(node);
  } catch (e) {
    if (e instanceof Bail) return null;
    throw e;
  }
}

const C = (ch: string) => ch.codePointAt(0) as number;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isOctal = (c: number) => c >= 0x30 && c <= 0x37;
const hexValue = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
const isAlnum = (c: number) => isDigit(c) || hasAsciiLetter(c);

// Go's Perl classes (ASCII only).
const perlClasses: Record<string, number[]> = {
  d: [0x30, 0x39],
  s: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20],
  w: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
};

// Go's POSIX classes (ASCII only).
const posixClasses: Record<string, number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

class Parser {
  pos = 0;
  constructor(readonly cps: number[]) {}

  private peek(off = 0): number {
    return this.pos + off < this.cps.length ? this.cps[this.pos + off] : -1;
  }

  private startsWith(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (this.peek(i) !== s.charCodeAt(i)) return false;
    return true;
  }

  /** alternation := concat ('|' concat)*, up to ')' or the end. */
  alternation(flags: Flags): Node {
    const branches: Node[] = [];
    let items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === C(")")) break;
      if (c === C("|")) {
        this.pos++;
        branches.push({ k: "cat", subs: items });
        items = [];
        continue;
      }
      if (c === C("*") || c === C("+") || c === C("?") || c === C("{")) {
        const rep = this.repeatOp();
        if (rep) {
          if (items.length === 0) throw new Bail();
          items[items.length - 1] = { k: "rep", sub: items[items.length - 1], min: rep.min, max: rep.max };
          continue;
        }
        // A '{' that does not start a valid repeat is a literal, as in Go.
      }
      const atom = this.atom(flags);
      if (atom) items.push(atom);
    }
    branches.push({ k: "cat", subs: items });
    return branches.length === 1 ? branches[0] : { k: "alt", subs: branches };
  }

  private repeatOp(): { min: number; max: number } | null {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === C("*")) [min, max] = [0, -1];
    else if (c === C("+")) [min, max] = [1, -1];
    else if (c === C("?")) [min, max] = [0, 1];
    else {
      const r = this.braces();
      if (!r) return null;
      [min, max] = r;
    }
    if (c !== C("{")) this.pos++;
    if (this.peek() === C("?")) this.pos++; // non-greedy: same language
    return { min, max };
  }

  /** `{n}`, `{n,}`, `{n,m}` exactly as Go's parseRepeat; advances only on success. */
  private braces(): [number, number] | null {
    let i = this.pos + 1;
    const int = (): number | null => {
      if (!isDigit(this.cps[i] ?? -1)) return null;
      if (this.cps[i] === 0x30 && isDigit(this.cps[i + 1] ?? -1)) return null; // no leading zeros
      let n = 0;
      while (isDigit(this.cps[i] ?? -1)) n = Math.min(n * 10 + this.cps[i++] - 0x30, 1e8);
      return n;
    };
    const min = int();
    if (min === null) return null;
    let max = min;
    if (this.cps[i] === C(",")) {
      i++;
      if (this.cps[i] === C("}")) max = -1;
      else {
        const m = int();
        if (m === null) return null;
        max = m;
      }
    }
    if (this.cps[i] !== C("}")) return null;
    if (min > 1000 || max > 1000 || (max >= 0 && min > max)) throw new Bail(); // re2js rejected it already
    this.pos = i + 1;
    return [min, max];
  }

  /** One atom, or null for a flag group such as `(?i)` that only changes flags. */
  private atom(flags: Flags): Node | null {
    const c = this.peek();
    switch (c) {
      case C("("):
        return this.group(flags);
      case C("["):
        return this.charClass(flags);
      case C("."):
        this.pos++;
        return { k: "any", nl: flags.s };
      case C("^"):
        this.pos++;
        return flags.m ? { k: "opaque" } : { k: "bot" };
      case C("$"):
        this.pos++;
        return flags.m ? { k: "opaque" } : { k: "eot" };
      case C("\\"):
        return this.escapeOutsideClass(flags);
      case C("*"):
      case C("+"):
      case C("?"):
        throw new Bail(); // "missing argument to repetition operator"
      default:
        this.pos++;
        return literal(c, flags);
    }
  }

  private group(flags: Flags): Node | null {
    this.pos++; // (
    let inner: Flags = { ...flags };
    if (this.peek() === C("?")) {
      if (this.startsWith("?P<") || (this.startsWith("?<") && this.peek(2) !== C("=") && this.peek(2) !== C("!"))) {
        // Named capture: skip the name.
        while (this.peek() !== C(">")) {
          if (this.peek() === -1) throw new Bail();
          this.pos++;
        }
        this.pos++;
      } else {
        this.pos++;
        let neg = false;
        const next = { ...flags };
        for (;;) {
          const f = this.peek();
          this.pos++;
          if (f === C("i")) next.i = !neg;
          else if (f === C("s")) next.s = !neg;
          else if (f === C("m")) next.m = !neg;
          else if (f === C("U")) {
            // Ungreedy: does not change the language.
          } else if (f === C("-") && !neg) neg = true;
          else if (f === C(")")) {
            // (?flags): applies to the rest of the current group, across '|'.
            Object.assign(flags, next);
            return null;
          } else if (f === C(":")) break;
          else throw new Bail();
        }
        inner = next;
      }
    }
    const node = this.alternation(inner);
    if (this.peek() !== C(")")) throw new Bail();
    this.pos++;
    // Captures do not matter for matching; a group is just its content.
    return node;
  }

  private escapeOutsideClass(flags: Flags): Node {
    const c = this.peek(1);
    switch (c) {
      case C("A"):
        this.pos += 2;
        return { k: "bot" };
      case C("z"):
        this.pos += 2;
        return { k: "eot" };
      case C("b"):
      case C("B"):
        this.pos += 2;
        return { k: "wordb", neg: c === C("B") };
      case C("Q"): {
        // \Q...\E: everything up to \E (or the end) is literal.
        this.pos += 2;
        const lits: Node[] = [];
        while (this.peek() !== -1 && !(this.peek() === C("\\") && this.peek(1) === C("E"))) {
          lits.push(literal(this.cps[this.pos++], flags));
        }
        if (this.peek() !== -1) this.pos += 2;
        if (lits.length === 1) return lits[0];
        // In Go a quantifier after \Q..\E repeats only the last character;
        // our caller would repeat the whole run, so leave that case to re2js.
        const next = this.peek();
        if (next === C("*") || next === C("+") || next === C("?") || next === C("{")) throw new Bail();
        return { k: "cat", subs: lits };
      }
      case C("p"):
      case C("P"):
        this.unicodeClassExtent();
        return { k: "opaque" };
    }
    const perl = this.perlClass();
    if (perl) return classNode(perl, flags.i);
    this.pos++;
    return literal(this.escapeRune(), flags);
  }

  /** `\d \D \s \S \w \W` at pos (pointing at the backslash); advances when found. */
  private perlClass(): { ranges: number[]; neg: boolean } | null {
    const c = this.peek(1);
    const lower = c | 0x20;
    const name = String.fromCharCode(lower);
    if (c < 0 || !(name === "d" || name === "s" || name === "w")) return null;
    this.pos += 2;
    return { ranges: perlClasses[name], neg: c !== lower };
  }

  /** Skips `\pL`, `\p{Name}`, `\PL`, `\P{^Name}` (pos at the backslash). */
  private unicodeClassExtent(): void {
    this.pos += 2;
    if (this.peek() === C("{")) {
      while (this.peek() !== C("}")) {
        if (this.peek() === -1) throw new Bail();
        this.pos++;
      }
    }
    if (this.peek() === -1) throw new Bail();
    this.pos++;
  }

  /** Go's parseEscape, with pos just after the backslash; returns the code point. */
  private escapeRune(): number {
    const c = this.cps[this.pos++] ?? -1;
    if (c >= C("1") && c <= C("7")) {
      // A single non-zero digit would be a backreference (rejected by re2js).
      if (!isOctal(this.peek())) throw new Bail();
    }
    if (c >= C("0") && c <= C("7")) {
      let r = c - 0x30;
      for (let i = 1; i < 3 && isOctal(this.peek()); i++) r = r * 8 + this.cps[this.pos++] - 0x30;
      return checkRune(r);
    }
    if (c === C("x")) {
      if (this.peek() === C("{")) {
        this.pos++;
        let r = 0;
        let digits = 0;
        while (this.peek() !== C("}")) {
          const h = hexValue(this.peek());
          if (h < 0) throw new Bail();
          r = r * 16 + h;
          if (r > maxRune) throw new Bail();
          this.pos++;
          digits++;
        }
        this.pos++;
        if (digits === 0) throw new Bail();
        return checkRune(r);
      }
      const h1 = hexValue(this.peek());
      const h2 = hexValue(this.peek(1));
      if (h1 < 0 || h2 < 0) throw new Bail();
      this.pos += 2;
      return h1 * 16 + h2;
    }
    switch (c) {
      case C("a"):
        return 0x07;
      case C("f"):
        return 0x0c;
      case C("n"):
        return 0x0a;
      case C("r"):
        return 0x0d;
      case C("t"):
        return 0x09;
      case C("v"):
        return 0x0b;
    }
    if (c >= 0 && c < 0x80 && !isAlnum(c)) return c; // escaped punctuation
    throw new Bail();
  }

  private charClass(flags: Flags): Node {
    this.pos++; // [
    let neg = false;
    if (this.peek() === C("^")) {
      neg = true;
      this.pos++;
    }
    const ranges: number[] = [];
    let opaque = false;
    let first = true;
    while (this.peek() !== C("]") || first) {
      if (this.peek() === -1) throw new Bail();
      first = false;
      // POSIX class, e.g. [:alpha:] or [:^alpha:].
      if (this.peek() === C("[") && this.peek(1) === C(":")) {
        const named = this.posixClass();
        if (named) {
          addRanges(ranges, named.neg ? negateRanges(named.ranges) : named.ranges);
          continue;
        }
      }
      if (this.peek() === C("\\") && (this.peek(1) === C("p") || this.peek(1) === C("P"))) {
        this.unicodeClassExtent();
        opaque = true;
        continue;
      }
      if (this.peek() === C("\\")) {
        const perl = this.perlClass();
        if (perl) {
          addRanges(ranges, perl.neg ? negateRanges(perl.ranges) : perl.ranges);
          continue;
        }
      }
      const lo = this.classChar();
      let hi = lo;
      if (this.peek() === C("-") && this.peek(1) !== C("]") && this.peek(1) !== -1) {
        this.pos++;
        hi = this.classChar();
        if (hi < lo) throw new Bail();
      }
      ranges.push(lo, hi);
    }
    this.pos++; // ]
    if (opaque) return { k: "opaque" };
    return classNode({ ranges, neg }, flags.i);
  }

  private classChar(): number {
    const c = this.peek();
    if (c === -1) throw new Bail();
    this.pos++;
    if (c !== C("\\")) return c;
    return this.escapeRune();
  }

  /** `[:name:]` at pos; advances and returns it when the name is a POSIX class. */
  private posixClass(): { ranges: number[]; neg: boolean } | null {
    let end = -1;
    for (let i = this.pos + 2; i + 1 < this.cps.length; i++) {
      if (this.cps[i] === C(":") && this.cps[i + 1] === C("]")) {
        end = i;
        break;
      }
    }
    if (end < 0) return null;
    let name = String.fromCodePoint(...this.cps.slice(this.pos + 2, end));
    let neg = false;
    if (name.startsWith("^")) {
      neg = true;
      name = name.slice(1);
    }
    const ranges = Object.prototype.hasOwnProperty.call(posixClasses, name) ? posixClasses[name] : undefined;
    if (!ranges) throw new Bail(); // "invalid character class range"
    this.pos = end + 2;
    return { ranges, neg };
  }
}

function checkRune(r: number): number {
  if (r > maxRune || (r >= 0xd800 && r <= 0xdfff)) throw new Bail();
  return r;
}

function literal(cp: number, flags: Flags): Node {
  if (cp >= 0xd800 && cp <= 0xdfff) throw new Bail();
  // Only letters fold; ASCII non-letters are caseless. Non-ASCII characters
  // keep `fold` and are handled by re2js.
  const fold = flags.i && (cp >= 0x80 || hasAsciiLetter(cp));
  return { k: "lit", cps: [cp], fold };
}

/**
 * A class node from raw (un-negated) ranges. Under (?i) RE2 adds the fold
 * orbit of every character before negating; we only model that when it is a
 * no-op, i.e. the class has no letters and nothing beyond ASCII.
 */
function classNode(cls: { ranges: number[]; neg: boolean }, fold: boolean): Node {
  const ranges = normalizeRanges(cls.ranges);
  if (fold) {
    for (let i = 0; i < ranges.length; i += 2) {
      const lo = ranges[i];
      const hi = ranges[i + 1];
      if (hi >= 0x80) return { k: "opaque" };
      if (lo <= 0x5a && hi >= 0x41) return { k: "opaque" };
      if (lo <= 0x7a && hi >= 0x61) return { k: "opaque" };
    }
  }
  return { k: "class", ranges: cls.neg ? negateRanges(ranges) : ranges };
}

function addRanges(into: number[], ranges: number[]): void {
  for (const r of ranges) into.push(r);
}

/** Sorts and merges [lo, hi] pairs. */
function normalizeRanges(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2) pairs.push([ranges[i], ranges[i + 1]]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    if (out.length > 0 && lo <= out[out.length - 1] + 1) {
      out[out.length - 1] = Math.max(out[out.length - 1], hi);
    } else out.push(lo, hi);
  }
  return out;
}

function negateRanges(ranges: number[]): number[] {
  const norm = normalizeRanges(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < norm.length; i += 2) {
    if (norm[i] > next) out.push(next, norm[i] - 1);
    next = norm[i + 1] + 1;
  }
  if (next <= maxRune) out.push(next, maxRune);
  return out;
}

/** Flattens, drops empties and merges adjacent literals. */
function simplify(n: Node): Node {
  switch (n.k) {
    case "cat": {
      const out: Node[] = [];
      const push = (x: Node) => {
        if (x.k === "empty") return;
        if (x.k === "cat") {
          x.subs.forEach(push);
          return;
        }
        const last = out[out.length - 1];
        if (x.k === "lit" && last && last.k === "lit" && last.fold === x.fold) {
          out[out.length - 1] = { k: "lit", cps: [...last.cps, ...x.cps], fold: x.fold };
          return;
        }
        if (isStar(x) && last && isStar(last) && (x as { sub: { nl: boolean } }).sub.nl === (last as { sub: { nl: boolean } }).sub.nl) return; // .*.* = .*
        out.push(x);
      };
      n.subs.map(simplify).forEach(push);
      if (out.length === 0) return { k: "empty" };
      return out.length === 1 ? out[0] : { k: "cat", subs: out };
    }
    case "alt": {
      const out: Node[] = [];
      for (const s of n.subs.map(simplify)) {
        if (s.k === "alt") out.push(...s.subs);
        else out.push(s);
      }
      return out.length === 1 ? out[0] : { k: "alt", subs: out };
    }
    case "rep": {
      const sub = simplify(n.sub);
      if (n.min === 1 && n.max === 1) return sub;
      if (sub.k === "empty") return sub;
      return { k: "rep", sub, min: n.min, max: n.max };
    }
    default:
      return n;
  }
}

function isStar(n: Node): boolean {
  return n.k === "rep" && n.min === 0 && n.max === -1 && n.sub.k === "any";
}

/** Removes text anchors at the ends of a top-level concatenation (the regex is anchored anyway). */
function stripAnchors(n: Node): Node {
  if (n.k === "bot" || n.k === "eot") return { k: "empty" };
  if (n.k !== "cat") return n;
  let subs = n.subs;
  while (subs.length > 0 && subs[0].k === "bot") subs = subs.slice(1);
  while (subs.length > 0 && subs[subs.length - 1].k === "eot") subs = subs.slice(0, -1);
  return simplify({ k: "cat", subs });
}

// ---------------------------------------------------------------------------
// Finite languages

/**
 * `fold`: true when the strings must be compared with `foldAscii`, false when
 * exactly, "neutral" when both agree (no ASCII letters, no non-ASCII).
 */
interface Expansion {
  strs: string[];
  fold: boolean | "neutral";
}

function foldKind(s: string): "neutral" | false {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 || hasAsciiLetter(c)) return false;
  }
  return "neutral";
}

function combineFold(a: Expansion["fold"], b: Expansion["fold"]): Expansion["fold"] | null {
  if (a === "neutral") return b;
  if (b === "neutral") return a;
  return a === b ? a : null;
}

/**
 * The finite language of `n` when it has at most `limit` strings, else null.
 * Anchors make it give up, so callers strip the ones at the ends of the whole
 * regex first (`stripAnchors`).
 */
function expand(n: Node, limit: number): Expansion | null {
  const go = (x: Node): Expansion | null => {
    switch (x.k) {
      case "empty":
        return { strs: [""], fold: "neutral" };
      case "lit": {
        const s = String.fromCodePoint(...x.cps);
        if (!x.fold) return { strs: [s], fold: foldKind(s) };
        if (foldAscii(s) === null) return null; // folding non-ASCII: leave to re2js
        return { strs: [s], fold: true };
      }
      case "class": {
        let size = 0;
        for (let i = 0; i < x.ranges.length; i += 2) size += x.ranges[i + 1] - x.ranges[i] + 1;
        if (size > limit) return null;
        const strs: string[] = [];
        for (let i = 0; i < x.ranges.length; i += 2) {
          for (let c = x.ranges[i]; c <= x.ranges[i + 1]; c++) strs.push(String.fromCodePoint(c));
        }
        let fold: Expansion["fold"] = "neutral";
        for (const s of strs) if (foldKind(s) === false) fold = false;
        return { strs, fold };
      }
      case "cat": {
        let acc: Expansion = { strs: [""], fold: "neutral" };
        for (const sub of x.subs) {
          const e = go(sub);
          if (!e) return null;
          const fold = combineFold(acc.fold, e.fold);
          if (fold === null || acc.strs.length * e.strs.length > limit) return null;
          const strs: string[] = [];
          for (const a of acc.strs) for (const b of e.strs) strs.push(a + b);
          acc = { strs, fold };
        }
        return acc;
      }
      case "alt": {
        let fold: Expansion["fold"] = "neutral";
        const strs = new Set<string>();
        for (const sub of x.subs) {
          const e = go(sub);
          if (!e) return null;
          const f = combineFold(fold, e.fold);
          if (f === null) return null;
          fold = f;
          for (const s of e.strs) strs.add(s);
          if (strs.size > limit) return null;
        }
        return { strs: [...strs], fold };
      }
      case "rep": {
        if (x.max < 0) return null;
        const e = go(x.sub);
        if (!e) return null;
        const out = new Set<string>();
        let power: string[] = [""];
        for (let k = 0; k <= x.max; k++) {
          if (k >= x.min) for (const s of power) out.add(s);
          if (out.size > limit) return null;
          if (k === x.max) break;
          if (power.length * e.strs.length > limit) return null;
          const next: string[] = [];
          for (const a of power) for (const b of e.strs) next.push(a + b);
          power = next;
        }
        return { strs: [...out], fold: e.fold };
      }
      default:
        return null;
    }
  };
  const e = go(n);
  if (!e) return null;
  return { strs: dedupe(e.strs), fold: e.fold };
}

// ---------------------------------------------------------------------------
// String matchers: regexes equivalent to simple string operations

type Fn = (s: string) => boolean;

/** `.*`, `.+`, `.?` (any code point, or any but "\n" under (?-s)). */
function anyMatcher(n: Node): { fn: Fn; strategy: Strategy } | null {
  if (n.k !== "rep" || n.sub.k !== "any") return null;
  const nl = n.sub.nl;
  const { min, max } = n;
  if (min === 0 && max === -1) {
    return nl
      ? { fn: () => true, strategy: "any" }
      : { fn: (s) => s.indexOf("\n") < 0, strategy: "any-no-newline" };
  }
  if (min === 1 && max === -1) {
    return nl
      ? { fn: (s) => s.length > 0, strategy: "non-empty" }
      : { fn: (s) => s.length > 0 && s.indexOf("\n") < 0, strategy: "non-empty-no-newline" };
  }
  if (min === 0 && max === 1) {
    return { fn: (s) => atMostOneCodePoint(s) && (nl || s !== "\n"), strategy: "zero-or-one" };
  }
  return null;
}

/** Whether position `at` falls between the two halves of a surrogate pair. */
function isPairSplit(s: string, at: number): boolean {
  if (at <= 0 || at >= s.length) return false;
  const hi = s.charCodeAt(at - 1);
  const lo = s.charCodeAt(at);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
}

function atMostOneCodePoint(s: string): boolean {
  if (s.length <= 1) return true;
  if (s.length > 2) return false;
  const hi = s.charCodeAt(0);
  const lo = s.charCodeAt(1);
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff;
}

function stringMatcher(root: Node): { fn: Fn; strategy: Strategy } | null {
  const n = stripAnchors(root);
  const any = anyMatcher(n);
  if (any) return any;

  if (n.k === "alt") {
    // The branches of a top-level alternation are at both ends of the
    // anchored regex, so their own edge anchors are redundant too. Finite
    // branches are merged into one exact and one case-folded set.
    const exact = new Set<string>();
    const folded = new Set<string>();
    const fns: Fn[] = [];
    for (const sub of n.subs) {
      const set = expand(stripAnchors(sub), maxSetMatches);
      if (set) {
        for (const x of set.strs) {
          if (set.fold === true) folded.add(foldAscii(x) as string);
          else exact.add(x);
        }
        continue;
      }
      const m = stringMatcher(sub);
      if (!m) return null;
      fns.push(m.fn);
    }
    if (folded.size > 0) fns.unshift(foldSetFn([...folded]));
    if (exact.size > 0) fns.unshift((s) => exact.has(s));
    return { fn: (s) => fns.some((f) => f(s)), strategy: "or" };
  }

  if (n.k !== "cat") return null;
  return literalsMatcher(n.subs) ?? affixMatcher(n.subs);
}

/**
 * Case-sensitive literals separated by `.*` (dot matching newline), such as
 * `foo.*`, `.*foo`, `.*foo.*`, `foo.*bar`, `.*a.*b.*`. Matching the middle
 * literals at their earliest occurrence is optimal because each gap accepts
 * any string.
 */
function literalsMatcher(items: Node[]): { fn: Fn; strategy: Strategy } | null {
  let sawStar = false;
  for (const it of items) {
    if (isStar(it) && (it as { sub: { nl: boolean } }).sub.nl) sawStar = true;
    else if (!(it.k === "lit" && !it.fold)) return null;
  }
  if (!sawStar) return null;
  const str = (n: Node) => String.fromCodePoint(...(n as { cps: number[] }).cps);
  const first = items[0];
  const last = items[items.length - 1];
  const prefix = first.k === "lit" ? str(first) : "";
  const suffix = last.k === "lit" ? str(last) : "";
  const middles = items.slice(first.k === "lit" ? 1 : 0, last.k === "lit" ? -1 : items.length).filter((x) => x.k === "lit").map(str);
  const minLen = prefix.length + suffix.length;
  return {
    strategy: "literals",
    fn: (s) => {
      if (s.length < minLen || !s.startsWith(prefix) || !s.endsWith(suffix)) return false;
      let pos = prefix.length;
      const end = s.length - suffix.length;
      for (const m of middles) {
        const at = s.indexOf(m, pos);
        if (at < 0 || at + m.length > end) return false;
        pos = at + m.length;
      }
      return true;
    },
  };
}

/** [left] finite-set [right], where left and right are `.*`, `.+` or `.?` (e.g. `.+foo`, `(a|b).*`). */
function affixMatcher(items: Node[]): { fn: Fn; strategy: Strategy } | null {
  const left = anyMatcher(items[0]);
  const right = items.length > 1 ? anyMatcher(items[items.length - 1]) : null;
  const middle = items.slice(left ? 1 : 0, right ? -1 : items.length);
  if (middle.length === 0 || (!left && !right)) return null;
  // Each candidate string is tried in turn, so keep the set small (as Prometheus does).
  const set = expand({ k: "cat", subs: middle }, 256);
  if (!set) return null;
  const fold = set.fold === true;
  const strs = fold ? set.strs.map((x) => foldAscii(x) as string) : set.strs;
  const l = left?.fn;
  const r = right?.fn;
  if (l && r) {
    if (fold) return null;
    return {
      strategy: "affix",
      fn: (s) => {
        for (const m of strs) {
          for (let at = s.indexOf(m); at >= 0 && at + m.length <= s.length; at = s.indexOf(m, at + 1)) {
            // Only split between code points (matters when m is "").
            if (!isPairSplit(s, at) && l(s.slice(0, at)) && r(s.slice(at + m.length))) return true;
            if (at === s.length) break;
          }
        }
        return false;
      },
    };
  }
  if (r) {
    return {
      strategy: "affix",
      fn: (s) => {
        for (const m of strs) {
          if ((fold ? foldEqualsAt(s, 0, m) : s.startsWith(m)) && r(s.slice(m.length))) return true;
        }
        return false;
      },
    };
  }
  const lf = l as Fn;
  return {
    strategy: "affix",
    fn: (s) => {
      for (const m of strs) {
        const at = s.length - m.length;
        if (at >= 0 && (fold ? foldEqualsAt(s, at, m) : s.endsWith(m)) && lf(s.slice(0, at))) return true;
      }
      return false;
    },
  };
}

// ---------------------------------------------------------------------------
// Prefilter: literals every match must contain

/**
 * For a top-level concatenation, the case-sensitive literal items give
 * necessary conditions: the first is a prefix, the last a suffix, and the
 * others occur in order, without overlapping, between them. Returns null when
 * there is nothing to check.
 */
function prefilter(root: Node): Fn | null {
  const n = stripAnchors(root);
  if (n.k !== "cat") return null;
  const items = n.subs;
  const str = (x: Node) => String.fromCodePoint(...(x as { cps: number[] }).cps);
  const isLit = (x: Node) => x.k === "lit" && !x.fold;
  const prefix = isLit(items[0]) ? str(items[0]) : "";
  const suffix = isLit(items[items.length - 1]) ? str(items[items.length - 1]) : "";
  const middles = items.slice(1, -1).filter(isLit).map(str);
  if (prefix === "" && suffix === "" && middles.length === 0) return null;
  const minLen = prefix.length + suffix.length;
  return (s) => {
    if (s.length < minLen || !s.startsWith(prefix) || !s.endsWith(suffix)) return false;
    let pos = prefix.length;
    const end = s.length - suffix.length;
    for (const m of middles) {
      const at = s.indexOf(m, pos);
      if (at < 0 || at + m.length > end) return false;
      pos = at + m.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------
// Native RegExp translation
//
// For a regex without backreferences or lookaround, a backtracking engine
// asked for a full match (`^(?:…)$`) accepts exactly the strings of the
// regular language, so a faithful translation is equivalent. Faithful means:
// we emit every character as a `\u{…}` escape or an explicit class (no `i`,
// `s` or `m` flags, whose JavaScript meanings differ from RE2's), `\d \s \w`
// and POSIX classes as their ASCII ranges, `.` as `[^]` or `[^\n]`, text
// anchors as `^`/`$` (without the m flag they mean start/end of input), and
// `\b`/`\B` as themselves (ASCII word characters under the u flag without i,
// as in RE2). Anything else stays with re2js.
//
// Backtracking can be exponential, so we also bound the work. Quantifiers
// may only repeat a single character (class, `.` or one literal character).
// Count the ways the engine can enter each element: concatenation multiplies,
// alternation adds, and a quantifier whose repeat count is not forced offers
// up to n+1 ways (n = string length) to whatever follows it. A quantifier is
// forced when what follows it cannot start with a character it repeats (e.g.
// `[a-z]+-`), or when it ends the regex: any other count fails at the very
// next step. So entries into any element number at most c·(n+1)^d, and each
// entry does O(n) steps, for O(c·(n+1)^(d+1)) work in all. We translate only
// when d ≤ 2 and c ≤ 64, and use the native engine only for strings short
// enough that c·(n+1)^(d+1) ≤ `nativeBudget`; longer strings go to re2js.

const nativeBudget = 2_000_000;

function nativeMatcher(root: Node): { unbounded: Fn; maxLength: number } | null {
  const n = stripAnchors(root);
  const src = translate(n);
  if (src === null) return null;
  const cost = pathCost(n, "end");
  if (!cost || cost.d > 2 || cost.c > 64) return null;
  const maxLength = Math.floor(Math.pow(nativeBudget / cost.c, 1 / (cost.d + 1))) - 1;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${src})$`, "u");
  } catch {
    return null;
  }
  return { unbounded: (s) => re.test(s), maxLength };
}

function cpAtom(cp: number): string {
  return isAlnum(cp) ? String.fromCharCode(cp) : `\\u{${cp.toString(16)}}`;
}

function rangesSource(ranges: number[]): string {
  let out = "[";
  for (let i = 0; i < ranges.length; i += 2) {
    out += ranges[i] === ranges[i + 1] ? cpAtom(ranges[i]) : cpAtom(ranges[i]) + "-" + cpAtom(ranges[i + 1]);
  }
  return out + "]";
}

function foldedCpSource(cp: number): string {
  if (!hasAsciiLetter(cp)) return cpAtom(cp);
  const lower = cp | 0x20;
  const ranges = [lower - 32, lower - 32, lower, lower];
  if (lower === 0x6b) ranges.push(0x212a, 0x212a);
  if (lower === 0x73) ranges.push(0x17f, 0x17f);
  return rangesSource(normalizeRanges(ranges));
}

function translate(n: Node): string | null {
  switch (n.k) {
    case "lit": {
      if (n.fold && n.cps.some((c) => c >= 0x80)) return null;
      return n.cps.map(n.fold ? foldedCpSource : cpAtom).join("");
    }
    case "class":
      return rangesSource(n.ranges);
    case "any":
      return n.nl ? "[^]" : "[^\\n]";
    case "empty":
      return "(?:)";
    case "bot":
      return "^";
    case "eot":
      return "$";
    case "wordb":
      return n.neg ? "\\B" : "\\b";
    case "cat": {
      const parts = n.subs.map(translate);
      return parts.includes(null) ? null : parts.join("");
    }
    case "alt": {
      const parts = n.subs.map(translate);
      return parts.includes(null) ? null : `(?:${parts.join("|")})`;
    }
    case "rep": {
      if (!isSingleChar(n.sub)) return null;
      const sub = translate(n.sub);
      if (sub === null) return null;
      const q =
        n.max === -1 ? (n.min === 0 ? "*" : n.min === 1 ? "+" : `{${n.min},}`) : n.min === 0 && n.max === 1 ? "?" : `{${n.min},${n.max}}`;
      return `(?:${sub})${q}`;
    }
    case "opaque":
      return null;
  }
}

function isSingleChar(n: Node): boolean {
  return n.k === "class" || n.k === "any" || (n.k === "lit" && n.cps.length === 1);
}

/**
 * Entry-count bound c·(n+1)^d for `n` (see above). `follow` is what can come
 * right after it: the first-character ranges of the next element, "end" for
 * the end of the regex, or null when unknown.
 */
function pathCost(n: Node, follow: number[] | "end" | null): { c: number; d: number } | null {
  switch (n.k) {
    case "cat": {
      let c = 1;
      let d = 0;
      for (let i = 0; i < n.subs.length; i++) {
        const next = i + 1 < n.subs.length ? firstChars(n.subs[i + 1]) : follow;
        const x = pathCost(n.subs[i], next);
        if (!x) return null;
        c *= x.c;
        d += x.d;
      }
      return { c, d };
    }
    case "alt": {
      let c = 0;
      let d = 0;
      for (const sub of n.subs) {
        const x = pathCost(sub, follow);
        if (!x) return null;
        c += x.c;
        d = Math.max(d, x.d);
      }
      return { c, d };
    }
    case "rep": {
      if (!isSingleChar(n.sub)) return null;
      const own = firstChars(n.sub) as number[];
      if (follow === "end" || (follow !== null && !rangesIntersect(own, follow))) return { c: 1, d: 0 };
      const choices = n.max === -1 ? Infinity : n.max - n.min + 1;
      return choices <= 8 ? { c: choices, d: 0 } : { c: 1, d: 1 };
    }
    default:
      return { c: 1, d: 0 };
  }
}

/** The code points a match of `n` can start with, as ranges; null when unknown or when n can match "". */
function firstChars(n: Node): number[] | null {
  switch (n.k) {
    case "lit": {
      const cp = n.cps[0];
      if (!n.fold) return [cp, cp];
      if (cp >= 0x80) return null;
      const lower = cp | 0x20;
      const r = [lower - 32, lower - 32, lower, lower];
      if (lower === 0x6b) r.push(0x212a, 0x212a);
      if (lower === 0x73) r.push(0x17f, 0x17f);
      return normalizeRanges(r);
    }
    case "class":
      return n.ranges;
    case "any":
      return n.nl ? [0, maxRune] : [0, 0x09, 0x0b, maxRune];
    case "rep":
      return n.min >= 1 ? firstChars(n.sub) : null;
    case "cat":
      return firstChars(n.subs[0]);
    case "alt": {
      const all: number[] = [];
      for (const sub of n.subs) {
        const f = firstChars(sub);
        if (!f) return null;
        all.push(...f);
      }
      return normalizeRanges(all);
    }
    default:
      return null;
  }
}

function rangesIntersect(a: number[], b: number[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i + 1] < b[j]) i += 2;
    else if (b[j + 1] < a[i]) j += 2;
    else return true;
  }
  return false;
}
