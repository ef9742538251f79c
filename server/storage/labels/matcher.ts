// Label matchers (`name="v"`, `!=`, `=~`, `!~`), as Prometheus's
// model/labels.Matcher. A regex matcher matches the whole value, with the
// semantics described in regex.ts.

import { compileRegex, MatcherError, type FastRegexMatcher } from "./regex";
import { quoteString } from "./labels";

export { MatcherError } from "./regex";

export type MatchType = "=" | "!=" | "=~" | "!~";

const matchTypes: readonly MatchType[] = ["=", "!=", "=~", "!~"];

/** One label matcher. Construct with `newMatcher`. */
export class Matcher {
  /**
   * Whether the matcher accepts `s` as the label's value. A series without
   * the label is matched against "" (Prometheus semantics).
   */
  readonly matches: (s: string) => boolean;
  /** Whether "" matches, i.e. whether series lacking the label are selected. */
  readonly matchesEmpty: boolean;
  private readonly re: FastRegexMatcher | null;

  constructor(
    readonly type: MatchType,
    readonly name: string,
    readonly value: string,
  ) {
    if (!matchTypes.includes(type)) throw new MatcherError(`unknown match type ${JSON.stringify(type)}`);
    this.re = type === "=~" || type === "!~" ? compileRegex(value) : null;
    const re = this.re;
    switch (type) {
      case "=":
        this.matches = (s) => s === value;
        break;
      case "!=":
        this.matches = (s) => s !== value;
        break;
      case "=~":
        this.matches = (re as FastRegexMatcher).matches;
        break;
      case "!~": {
        const f = (re as FastRegexMatcher).matches;
        this.matches = (s) => !f(s);
        break;
      }
    }
    this.matchesEmpty = this.matches("");
  }

  /** Whether the matcher is `!=` or `!~`. */
  get isNegative(): boolean {
    return this.type === "!=" || this.type === "!~";
  }

  /**
   * The finite set of values a positive matcher accepts, when known: `[value]`
   * for `=`, the literal alternatives of `=~"a|b|c"`. Null otherwise, and
   * always null for `!=` / `!~` (see `inverse`).
   */
  setMatches(): readonly string[] | null {
    if (this.type === "=") return [this.value];
    if (this.type === "=~") return this.re?.setMatches ?? null;
    return null;
  }

  /** The matcher accepting exactly the values this one rejects. */
  inverse(): Matcher {
    const inv: Record<MatchType, MatchType> = { "=": "!=", "!=": "=", "=~": "!~", "!~": "=~" };
    return new Matcher(inv[this.type], this.name, this.value);
  }

  /** Prometheus's `Matcher.String()`: `job="x"`, quoting a name that is not a legacy label name. */
  toString(): string {
    return `${shouldQuoteName(this.name) ? quoteString(this.name) : this.name}${this.type}${quoteString(this.value)}`;
  }
}

function shouldQuoteName(name: string): boolean {
  if (name.length === 0) return true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = c === 0x5f || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (i > 0 && c >= 0x30 && c <= 0x39);
    if (!ok) return true;
  }
  return false;
}

/**
 * Creates a matcher. Throws `MatcherError` for an invalid regular expression,
 * with Go's message (e.g. "error parsing regexp: invalid or unsupported Perl
 * syntax: `(?=`"); the PromQL parser reports it as
 * `<pos>: parse error: <message>`, like Prometheus.
 */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  return new Matcher(type, name, value);
}

/** Whether every matcher accepts the series' labels (absent labels match as ""). */
export function matchesAll(matchers: readonly Matcher[], get: (name: string) => string): boolean {
  for (const m of matchers) if (!m.matches(get(m.name))) return false;
  return true;
}
