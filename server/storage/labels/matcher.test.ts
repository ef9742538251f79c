import { describe, expect, it } from "vitest";
import { Matcher, MatcherError, newMatcher, type MatchType } from "./matcher";

describe("Matcher", () => {
  const cases: [MatchType, string, string, boolean][] = [
    ["=", "foo", "bar", false],
    ["=", "bar", "bar", true],
    ["=", "", "", true],
    ["!=", "foo", "bar", true],
    ["!=", "bar", "bar", false],
    ["!=", "", "", false],
    ["=~", "foo", "bar", false],
    ["=~", "bar", "bar", true],
    ["=~", "b.*", "bar", true],
    ["=~", "b.*", "xbar", false],
    ["=~", ".*", "", true],
    ["=~", "a|", "", true],
    ["=~", "a\nb|c", "a\nb", true],
    ["!~", "foo", "bar", true],
    ["!~", "b.*", "bar", false],
    ["!~", ".+", "", true],
    ["!~", "x", "", true],
  ];
  for (const [type, pattern, input, want] of cases) {
    it(`${type}${JSON.stringify(pattern)} on ${JSON.stringify(input)} → ${want}`, () => {
      expect(newMatcher(type, "l", pattern).matches(input)).toBe(want);
    });
  }

  it("matchesEmpty tells whether series without the label are selected", () => {
    expect(newMatcher("=", "a", "").matchesEmpty).toBe(true);
    expect(newMatcher("!=", "a", "").matchesEmpty).toBe(false);
    expect(newMatcher("=~", "a", "x|").matchesEmpty).toBe(true);
    expect(newMatcher("!~", "a", "x").matchesEmpty).toBe(true);
    expect(newMatcher("=~", "a", ".+").matchesEmpty).toBe(false);
  });

  it("setMatches", () => {
    expect(newMatcher("=", "a", "x").setMatches()).toEqual(["x"]);
    expect(newMatcher("=~", "a", "x|y").setMatches()).toEqual(["x", "y"]);
    expect(newMatcher("=~", "a", "x.*").setMatches()).toBeNull();
    expect(newMatcher("!=", "a", "x").setMatches()).toBeNull();
    expect(newMatcher("!~", "a", "x|y").inverse().setMatches()).toEqual(["x", "y"]);
  });

  it("inverse", () => {
    const m = newMatcher("=~", "a", "x.*");
    const inv = m.inverse();
    expect(inv.type).toBe("!~");
    for (const s of ["", "x", "xy", "y"]) expect(inv.matches(s)).toBe(!m.matches(s));
  });

  it("prints like Prometheus, quoting names that are not legacy label names", () => {
    expect(String(newMatcher("=", "job", "a\"b"))).toBe('job="a\\"b"');
    expect(String(newMatcher("=~", "__name__", "x\n"))).toBe('__name__=~"x\\n"');
    expect(String(newMatcher("!=", "my.label", "v"))).toBe('"my.label"!="v"');
    expect(String(newMatcher("!~", "1a", "v"))).toBe('"1a"!~"v"');
  });

  it("throws MatcherError for invalid regular expressions, with Go's wording", () => {
    expect(() => newMatcher("=~", "a", "(?=x)")).toThrow(new MatcherError("error parsing regexp: invalid or unsupported Perl syntax: `(?=`"));
    expect(() => newMatcher("!~", "a", "(a)\\1")).toThrow(new MatcherError("error parsing regexp: invalid escape sequence: `\\1`"));
    expect(() => newMatcher("=~", "a", "a)")).toThrow("error parsing regexp: unexpected ): `a)`");
    // Equality matchers never parse their value.
    expect(newMatcher("=", "a", "(?=x)").matches("(?=x)")).toBe(true);
    expect(() => new Matcher("==" as MatchType, "a", "b")).toThrow(MatcherError);
  });
});
