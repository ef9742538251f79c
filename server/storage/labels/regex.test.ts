import { describe, expect, it } from "vitest";
import { compileRegex, compileRegexUncached, MatcherError, type Strategy } from "./regex";

// Strings that exercise the edge cases: newlines, case folding (including the
// Kelvin sign and long s, which fold to ASCII k and s), astral characters and
// a lone surrogate.
const alphabet = ["a", "b", "k", "K", "\u212a", "s", "S", "\u017f", "-", ".", "\n", "😀", "é", "0", "9", "_", " ", "x", "\ud83d"];

function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function randomStrings(rand: () => number, count: number, maxLen = 6): string[] {
  const out: string[] = [""];
  for (let i = 0; i < count; i++) {
    const len = Math.floor(rand() * (maxLen + 1));
    let s = "";
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    out.push(s);
  }
  return out;
}

function mutations(rand: () => number, s: string): string[] {
  const chars = Array.from(s);
  const pick = () => alphabet[Math.floor(rand() * alphabet.length)];
  const at = Math.floor(rand() * (chars.length + 1));
  const out = [chars.slice(0, at).join("") + pick() + chars.slice(at).join("")];
  if (chars.length > 0) {
    const j = Math.floor(rand() * chars.length);
    out.push([...chars.slice(0, j), ...chars.slice(j + 1)].join(""));
    out.push([...chars.slice(0, j), pick(), ...chars.slice(j + 1)].join(""));
    out.push(s + "\n", "\n" + s, s.toUpperCase(), s.toLowerCase());
  }
  return out;
}

/** Asserts the fast matcher and re2js agree on every string. */
function expectSameAsRe2(pattern: string, strings: string[]) {
  const fast = compileRegexUncached(pattern);
  const slow = compileRegexUncached(pattern, { force: "re2" });
  for (const s of strings) {
    const want = slow.matches(s);
    if (fast.matches(s) !== want) {
      throw new Error(`pattern ${JSON.stringify(pattern)} (${fast.strategy}) on ${JSON.stringify(s)}: want ${want}`);
    }
  }
  return fast;
}

describe("Prometheus 3 regex semantics", () => {
  const cases: [string, string, boolean][] = [
    // Fully anchored.
    ["foo", "foo", true],
    ["foo", "xfoo", false],
    ["foo", "foox", false],
    ["a|b", "ab", false],
    ["a|b", "b", true],
    ["^foo$", "foo", true],
    // `.` matches newline in Prometheus 3; (?-s) turns that off.
    [".", "\n", true],
    [".*", "a\nb", true],
    ["foo.*", "foo\nbar", true],
    ["(?-s).*", "a\nb", false],
    ["(?-s:.)", "\n", false],
    // $ is end of text, not "before a final newline".
    ["a$", "a\n", false],
    // Case-insensitive flag inside the pattern, with Unicode simple folding.
    ["(?i)foo", "FoO", true],
    ["(?i)k", "\u212a", true],
    ["(?i)s", "\u017f", true],
    ["(?i)σ", "ς", true],
    ["x(?i)y", "xY", true],
    ["x(?i)y", "XY", false],
    // Unicode and POSIX classes.
    ["\\pL+", "héllo", true],
    ["\\p{Greek}", "α", true],
    ["[[:alpha:]]+", "abc", true],
    ["[[:alpha:]]", "é", false],
    ["[[:^digit:]]", "a", true],
    // \d \w \s are ASCII-only, as in RE2.
    ["\\d", "٣", false],
    ["\\w", "é", false],
    ["\\s", "\u000b", false],
    ["\\s", "\u00a0", false],
    ["[[:space:]]", "\u000b", true],
    // Astral characters are one character.
    [".", "😀", true],
    ["..", "😀", false],
    ["[😀-😂]", "😁", true],
    ["\\x{1F600}", "😀", true],
    // Literal forms.
    ["a{,2}", "a{,2}", true],
    ["a{01}", "a{01}", true],
    ["\\Qa.b\\E", "a.b", true],
    ["\\Qa.b\\E", "axb", false],
    ["\\101", "A", true],
    // Empty alternatives and groups.
    ["", "", true],
    ["", "a", false],
    ["a|", "", true],
    ["()", "", true],
  ];
  for (const [pattern, input, want] of cases) {
    it(`${JSON.stringify(pattern)} on ${JSON.stringify(input)} → ${want}`, () => {
      expect(compileRegexUncached(pattern).matches(input)).toBe(want);
      expect(compileRegexUncached(pattern, { force: "re2" }).matches(input)).toBe(want);
    });
  }
});

describe("errors", () => {
  // Go's regexp/syntax messages; Prometheus's PromQL parser prints them after
  // "<pos>: parse error: ", e.g. "1:14: parse error: error parsing regexp: missing closing ): `(`".
  const cases: [string, string][] = [
    ["(?=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"],
    ["(?!x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"],
    ["(?<=x)", "error parsing regexp: invalid named capture: `(?<=x)`"],
    ["(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"],
    ["a++", "error parsing regexp: invalid nested repetition operator: `++`"],
    ["a*+", "error parsing regexp: invalid nested repetition operator: `*+`"],
    ["(", "error parsing regexp: missing closing ): `(`"],
    ["a)", "error parsing regexp: unexpected ): `a)`"],
    ["[z-a]", "error parsing regexp: invalid character class range: `z-a`"],
    ["x{1001}", "error parsing regexp: invalid repeat count: `{1001}`"],
    ["*", "error parsing regexp: missing argument to repetition operator: `*`"],
    ["\\C", "error parsing regexp: invalid escape sequence: `\\C`"],
    ["\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"],
    ["\\p{Foo}", "error parsing regexp: invalid character class range: `\\p{Foo}`"],
    ["(?x)a", "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"],
  ];
  for (const [pattern, message] of cases) {
    it(JSON.stringify(pattern), () => {
      let err: unknown;
      try {
        compileRegex(pattern);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MatcherError);
      expect((err as Error).message).toBe(message);
    });
  }
});

describe("fast paths", () => {
  const rand = seeded(42);
  const corpus = [
    ...randomStrings(rand, 3000, 8),
    "foo",
    "FOO",
    "foobar",
    "barfoo",
    "xfoox",
    "foo\n",
    "\nfoo",
    "foo1",
    "foo2",
    "fo",
    "bar",
    "BAR",
    "baz",
    "a-b-c",
    "foo\nbar",
    "foo😀bar",
    "😀foo",
    "foo😀",
    "\u212aube",
    "kube",
    "KUBE",
    "kubelet",
    "\u017fvc",
    "svc",
    "ab",
    "abab",
    "aXbYc",
    "a\nb\nc",
    "abc",
    "cba",
  ];
  const cases: [string, Strategy][] = [
    ["foo", "equal"],
    ["^foo$", "equal"],
    ["(foo)", "equal"],
    ["\\Qfoo\\E", "equal"],
    ["foo|bar|baz", "set"],
    ["foo|bar|", "set"],
    ["foo[12]", "set"],
    ["(foo|bar)(1|2)?", "set"],
    ["a{2,4}", "set"],
    ["(?i)foo", "fold-set"],
    ["(?i)(foo|bar|kube|svc)", "fold-set"],
    ["(?i:KUBE)|(?i:svc)", "fold-set"],
    [".*", "any"],
    ["^.*$", "any"],
    ["(.*)", "any"],
    ["(?-s).*", "any-no-newline"],
    [".+", "non-empty"],
    ["(?-s).+", "non-empty-no-newline"],
    [".?", "zero-or-one"],
    ["(?-s).?", "zero-or-one"],
    ["foo.*", "literals"],
    [".*foo", "literals"],
    [".*foo.*", "literals"],
    ["foo.*bar", "literals"],
    [".*a.*b.*", "literals"],
    ["a.*b.*c", "literals"],
    ["😀.*", "literals"],
    [".*.*foo", "literals"],
    ["foo.+", "affix"],
    [".+foo", "affix"],
    [".?foo", "affix"],
    [".*foo.+", "affix"],
    [".+foo.+", "affix"],
    ["(foo|bar).*", "affix"],
    [".*(foo|bar)", "affix"],
    [".*(foo|bar).*", "affix"],
    ["(?-s)foo.*", "affix"],
    ["(?-s).*foo.*", "affix"],
    ["(?i)foo.*", "affix"],
    ["(?i).*kube", "affix"],
    ["foo.*|.*bar", "or"],
    [".*foo.*|.*bar.*", "or"],
    ["foo|b.+", "or"],
    ["[0-9]+", "native"],
    ["foo[0-9]+bar", "native"],
    ["[a-z]+-[0-9]+", "native"],
    ["\\w+\\.\\w+", "native"],
    ["(?i)ku-[0-9]+", "native"],
    ["(?i)ku[b]e.*x", "re2"],
    ["\\bfoo\\b.*", "native"],
    ["\\d{3,}", "native"],
    ["[^a]*", "native"],
    ["\\pL+", "re2"],
    ["(ab)+", "re2"],
    ["(?i)é.*", "re2"],
    ["(?m)^a$", "re2"],
  ];
  for (const [pattern, strategy] of cases) {
    it(`${JSON.stringify(pattern)} uses ${strategy} and agrees with re2js`, () => {
      const m = expectSameAsRe2(pattern, corpus);
      expect(m.strategy).toBe(strategy);
    });
  }

  it("setMatches lists exactly the case-sensitive finite language", () => {
    expect(compileRegex("a|b|c").setMatches).toEqual(["a", "b", "c"]);
    expect(compileRegex("foo[12]").setMatches).toEqual(["foo1", "foo2"]);
    expect(compileRegex("(?i)foo").setMatches).toBeNull();
    expect(compileRegex("foo.*").setMatches).toBeNull();
  });

  it("native translation agrees with re2js on long strings (falls back past its length budget)", () => {
    const long = "a".repeat(5000) + "-" + "1".repeat(5000);
    expectSameAsRe2("[a-z]+-[0-9]+", [long, long + "x"]);
    expectSameAsRe2("[a-z]*[a-z]*x", ["a".repeat(3000)]);
  });
});

// ---------------------------------------------------------------------------
// Generated patterns: every strategy must agree with re2js.

interface Gen {
  pat: string;
  sample: (r: () => number) => string;
}

function genPattern(r: () => number, depth: number): Gen {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const lit = (): Gen => {
    const c = pick(["a", "b", "k", "s", "x", "0", "-", "😀", "é", "K"]);
    return { pat: c, sample: (rr) => (rr() < 0.2 ? (c === "k" ? "\u212a" : c.toUpperCase()) : c) };
  };
  const atom = (): Gen => {
    const roll = r();
    if (roll < 0.35) {
      let g = lit();
      const n = Math.floor(r() * 3);
      for (let i = 0; i < n; i++) {
        const next = lit();
        const prev = g;
        g = { pat: prev.pat + next.pat, sample: (rr) => prev.sample(rr) + next.sample(rr) };
      }
      return g;
    }
    if (roll < 0.55) return { pat: ".", sample: (rr) => alphabet[Math.floor(rr() * alphabet.length)] };
    if (roll < 0.75) {
      const cls = pick([
        ["[ab]", "ab"],
        ["[^a]", "bkx-"],
        ["[a-k]", "abk"],
        ["\\d", "09"],
        ["\\w", "a_9"],
        ["\\s", " \n"],
        ["[[:alpha:]]", "aK"],
        ["[\\-.]", "-."],
        ["[😀-😂]", "😀"],
        ["\\x{e9}", "é"],
        ["\\.", "."],
        ["\\pL", "aé"],
      ]);
      const members = Array.from(cls[1]);
      return { pat: cls[0], sample: (rr) => members[Math.floor(rr() * members.length)] };
    }
    if (depth <= 0) return lit();
    const inner = genAlternation(r, depth - 1);
    const open = pick(["(", "(?:", "(?i:", "(?-s:", `(?P<n${Math.floor(r() * 1e9)}>`]);
    return { pat: open + inner.pat + ")", sample: inner.sample };
  };
  const quantified = (): Gen => {
    const a = atom();
    const q = pick(["", "", "", "*", "+", "?", "{2}", "{1,3}", "*?"]);
    if (q === "") return a;
    const [lo, hi] = q === "*" || q === "*?" ? [0, 3] : q === "+" ? [1, 3] : q === "?" ? [0, 1] : q === "{2}" ? [2, 2] : [1, 3];
    return {
      pat: (a.pat.length > 1 && !a.pat.startsWith("(") && !a.pat.startsWith("[") && !a.pat.startsWith("\\") ? `(?:${a.pat})` : a.pat) + q,
      sample: (rr) => {
        const k = lo + Math.floor(rr() * (hi - lo + 1));
        let s = "";
        for (let i = 0; i < k; i++) s += a.sample(rr);
        return s;
      },
    };
  };
  const parts: Gen[] = [];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const roll = r();
    if (roll < 0.25) parts.push({ pat: ".*", sample: (rr) => (rr() < 0.5 ? "" : alphabet[Math.floor(rr() * alphabet.length)] + "\n") });
    else if (roll < 0.3) parts.push({ pat: ".+", sample: (rr) => alphabet[Math.floor(rr() * alphabet.length)] });
    else parts.push(quantified());
  }
  return { pat: parts.map((p) => p.pat).join(""), sample: (rr) => parts.map((p) => p.sample(rr)).join("") };
}

function genAlternation(r: () => number, depth: number): Gen {
  const n = r() < 0.7 ? 1 : 2 + Math.floor(r() * 2);
  const branches = Array.from({ length: n }, () => genPattern(r, depth));
  return {
    pat: branches.map((b) => b.pat).join("|"),
    sample: (rr) => branches[Math.floor(rr() * branches.length)].sample(rr),
  };
}

describe("generated patterns agree with re2js", () => {
  it("for 3000 random patterns", () => {
    const r = seeded(7);
    const strategies = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      let g = genAlternation(r, 2);
      const roll = r();
      if (roll < 0.15) g = { pat: "(?i)" + g.pat, sample: g.sample };
      else if (roll < 0.25) g = { pat: "(?-s)" + g.pat, sample: g.sample };
      else if (roll < 0.3) g = { pat: "^" + g.pat + "$", sample: g.sample };
      const strings = randomStrings(r, 40, 5);
      for (let j = 0; j < 15; j++) {
        const s = g.sample(r);
        strings.push(s, ...mutations(r, s));
      }
      const m = expectSameAsRe2(g.pat, strings);
      strategies.set(m.strategy, (strategies.get(m.strategy) ?? 0) + 1);
    }
    // Make sure the generator reaches every strategy family.
    for (const s of ["set", "fold-set", "literals", "affix", "native", "re2"]) {
      expect(strategies.get(s) ?? 0, `strategy ${s}: ${JSON.stringify([...strategies])}`).toBeGreaterThan(5);
    }
  }, 60_000);

  it("native translations agree with re2js wherever one exists", () => {
    const r = seeded(99);
    let translated = 0;
    for (let i = 0; i < 1500; i++) {
      const g = genAlternation(r, 2);
      let native;
      try {
        native = compileRegexUncached(g.pat, { force: "native" });
      } catch {
        continue;
      }
      translated++;
      const slow = compileRegexUncached(g.pat, { force: "re2" });
      const strings = randomStrings(r, 30, 5);
      for (let j = 0; j < 10; j++) {
        const s = g.sample(r);
        strings.push(s, ...mutations(r, s));
      }
      for (const s of strings) {
        if (native.matches(s) !== slow.matches(s)) {
          throw new Error(`native ${JSON.stringify(g.pat)} on ${JSON.stringify(s)}: want ${slow.matches(s)}`);
        }
      }
    }
    expect(translated).toBeGreaterThan(300);
  }, 60_000);
});

describe("cache", () => {
  it("returns the same compiled matcher for the same pattern", () => {
    expect(compileRegex("cache.*test")).toBe(compileRegex("cache.*test"));
  });
  it("stays bounded", () => {
    const first = compileRegex("evict-me-[0-9]+");
    for (let i = 0; i < 1100; i++) compileRegex(`filler-${i}-[0-9]+`);
    expect(compileRegex("evict-me-[0-9]+")).not.toBe(first);
  });
});

describe("generated fast-path shapes agree with re2js", () => {
  it("for 3000 patterns built from anys, literals and small sets", () => {
    const r = seeded(2024);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
    const pieces = [".*", ".+", ".?", "(?-s:.*)", "(?-s:.+)", "(?-s:.?)", "foo", "bar", "k", "😀", "\\n", "(foo|bar)", "(?i:kube)", "(?i:s)", "(a|b|)", "x?", "[12]", ".*.*", "^", "$"];
    const words = ["", "foo", "bar", "kube", "KUBE", "\u212aube", "s", "S", "\u017f", "😀", "\n", "a", "b", "x", "1", "2", "k", "fo", "\ud83d"];
    const shape = () => Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(pieces)).join("");
    const strategies = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      let pat = r() < 0.3 ? `${shape()}|${shape()}` : shape();
      if (r() < 0.1) pat = "(?i)" + pat;
      const strings: string[] = [];
      for (let j = 0; j < 60; j++) {
        const s = Array.from({ length: Math.floor(r() * 5) }, () => pick(words)).join("");
        strings.push(s, ...mutations(r, s));
      }
      strategies.add(expectSameAsRe2(pat, strings).strategy);
    }
    for (const s of ["literals", "affix", "or", "set", "fold-set", "any", "non-empty", "zero-or-one", "any-no-newline"]) {
      expect(strategies.has(s), `${s} in ${[...strategies]}`).toBe(true);
    }
  }, 60_000);
});
