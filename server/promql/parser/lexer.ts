// The PromQL lexer: a hand-written, on-demand scanner modelled on Prometheus's
// `promql/parser/lex.go` state machine, so that token boundaries and lexer
// error messages (and their positions) match Prometheus.
//
// Modes, as in Go: statements (the default), inside braces `{...}` (where
// keywords are plain identifiers), and inside brackets `[...]` (durations and
// the experimental duration expressions). Comments (`# ...` to end of line) are
// skipped. Offsets are UTF-16 indices into the input.

import {
  decodeUTF8Escaped,
  encodeUTF8,
  goQuote,
  goQuotePrefix,
  goQuoteRune,
  goUnicode,
  utf8ByteLength,
} from "./go-format";

export type TokenKind =
  | "EOF"
  | "IDENTIFIER"
  | "METRIC_IDENTIFIER"
  | "NUMBER"
  | "DURATION"
  | "STRING"
  | "LEFT_PAREN"
  | "RIGHT_PAREN"
  | "LEFT_BRACE"
  | "RIGHT_BRACE"
  | "LEFT_BRACKET"
  | "RIGHT_BRACKET"
  | "COMMA"
  | "EQL"
  | "COLON"
  // Operators.
  | "ADD"
  | "SUB"
  | "MUL"
  | "DIV"
  | "MOD"
  | "POW"
  | "EQLC"
  | "NEQ"
  | "LTE"
  | "LSS"
  | "GTE"
  | "GTR"
  | "TRIM_UPPER"
  | "TRIM_LOWER"
  | "EQL_REGEX"
  | "NEQ_REGEX"
  | "LAND"
  | "LOR"
  | "LUNLESS"
  | "ATAN2"
  | "AT"
  // Aggregators.
  | "AVG"
  | "BOTTOMK"
  | "COUNT"
  | "COUNT_VALUES"
  | "GROUP"
  | "MAX"
  | "MIN"
  | "QUANTILE"
  | "STDDEV"
  | "STDVAR"
  | "SUM"
  | "TOPK"
  | "LIMITK"
  | "LIMIT_RATIO"
  // Keywords.
  | "BOOL"
  | "BY"
  | "GROUP_LEFT"
  | "GROUP_RIGHT"
  | "FILL"
  | "FILL_LEFT"
  | "FILL_RIGHT"
  | "IGNORING"
  | "OFFSET"
  | "SMOOTHED"
  | "ANCHORED"
  | "ON"
  | "WITHOUT"
  // Preprocessors.
  | "START"
  | "END"
  | "STEP"
  | "RANGE";

export interface Token {
  kind: TokenKind;
  /** The token's source text (including quotes for strings). */
  val: string;
  /** UTF-16 offset of the first character. */
  pos: number;
}

/** A lexing failure; `pos` is where Prometheus's lexer had started the failing item. */
export class LexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const OPERATORS = new Set<TokenKind>([
  "ADD",
  "SUB",
  "MUL",
  "DIV",
  "MOD",
  "POW",
  "EQLC",
  "NEQ",
  "LTE",
  "LSS",
  "GTE",
  "GTR",
  "TRIM_UPPER",
  "TRIM_LOWER",
  "EQL_REGEX",
  "NEQ_REGEX",
  "LAND",
  "LOR",
  "LUNLESS",
  "ATAN2",
  "AT",
]);

const AGGREGATORS = new Set<TokenKind>([
  "AVG",
  "BOTTOMK",
  "COUNT",
  "COUNT_VALUES",
  "GROUP",
  "MAX",
  "MIN",
  "QUANTILE",
  "STDDEV",
  "STDVAR",
  "SUM",
  "TOPK",
  "LIMITK",
  "LIMIT_RATIO",
]);

const KEYWORDS = new Set<TokenKind>([
  "BOOL",
  "BY",
  "GROUP_LEFT",
  "GROUP_RIGHT",
  "FILL",
  "FILL_LEFT",
  "FILL_RIGHT",
  "IGNORING",
  "OFFSET",
  "SMOOTHED",
  "ANCHORED",
  "ON",
  "WITHOUT",
]);

export const isOperatorToken = (k: TokenKind) => OPERATORS.has(k);
export const isAggregatorToken = (k: TokenKind) => AGGREGATORS.has(k);
export const isKeywordToken = (k: TokenKind) => KEYWORDS.has(k);

/** Words that lex as keywords outside braces (looked up lower-cased, as Prometheus does). */
const WORDS: Record<string, TokenKind> = {
  and: "LAND",
  or: "LOR",
  unless: "LUNLESS",
  atan2: "ATAN2",
  sum: "SUM",
  avg: "AVG",
  count: "COUNT",
  min: "MIN",
  max: "MAX",
  group: "GROUP",
  stddev: "STDDEV",
  stdvar: "STDVAR",
  topk: "TOPK",
  bottomk: "BOTTOMK",
  count_values: "COUNT_VALUES",
  quantile: "QUANTILE",
  limitk: "LIMITK",
  limit_ratio: "LIMIT_RATIO",
  offset: "OFFSET",
  smoothed: "SMOOTHED",
  anchored: "ANCHORED",
  by: "BY",
  without: "WITHOUT",
  on: "ON",
  ignoring: "IGNORING",
  group_left: "GROUP_LEFT",
  group_right: "GROUP_RIGHT",
  bool: "BOOL",
  fill: "FILL",
  fill_left: "FILL_LEFT",
  fill_right: "FILL_RIGHT",
  start: "START",
  end: "END",
  step: "STEP",
  range: "RANGE",
  inf: "NUMBER",
  nan: "NUMBER",
};

/** Token kinds that have a fixed spelling (Go's `ItemTypeStr`); they describe themselves in errors. */
const FIXED_SPELLING = new Set<TokenKind>([
  "LEFT_PAREN",
  "RIGHT_PAREN",
  "LEFT_BRACE",
  "RIGHT_BRACE",
  "LEFT_BRACKET",
  "RIGHT_BRACKET",
  "COMMA",
  "EQL",
  "COLON",
  ...OPERATORS,
  ...AGGREGATORS,
  ...KEYWORDS,
  "START",
  "END",
  "STEP",
  "RANGE",
]);

/** Go's `Item.String()`. */
function itemString(t: Token): string {
  if (t.kind === "EOF") return "EOF";
  if (t.kind === "IDENTIFIER" || t.kind === "METRIC_IDENTIFIER") return goQuote(t.val);
  if (isKeywordToken(t.kind)) return `<${t.val}>`;
  if (isOperatorToken(t.kind)) return `<op:${t.val}>`;
  if (isAggregatorToken(t.kind)) return `<aggr:${t.val}>`;
  if (utf8ByteLength(t.val) > 10) return goQuotePrefix(t.val, 10) + "...";
  return goQuote(t.val);
}

/** Describes a token the way Prometheus's "unexpected ..." errors do (Go's `Item.desc()`). */
export function describeToken(t: Token): string {
  if (FIXED_SPELLING.has(t.kind)) return itemString(t);
  switch (t.kind) {
    case "EOF":
      return "end of input";
    case "IDENTIFIER":
      return `identifier ${itemString(t)}`;
    case "METRIC_IDENTIFIER":
      return `metric identifier ${itemString(t)}`;
    case "STRING":
      return `string ${itemString(t)}`;
    case "NUMBER":
      return `number ${itemString(t)}`;
    case "DURATION":
      return `duration ${itemString(t)}`;
    default:
      return itemString(t);
  }
}

const EOF_CP = -1;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number) => c === 0x5f || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isAlphaNumeric = (c: number) => isAlpha(c) || isDigit(c);

const DURATION_KEYWORDS: Record<string, TokenKind> = {
  step: "STEP",
  range: "RANGE",
  min: "MIN",
  max: "MAX",
  min_of: "IDENTIFIER",
  max_of: "IDENTIFIER",
};

const FILL_WORDS = new Set(["fill", "fill_left", "fill_right"]);

/**
 * Scans a PromQL query into tokens on demand. `next()` returns the next token
 * (EOF forever at the end) or throws a `LexError` worded as Prometheus's lexer.
 */
export class Lexer {
  private pos = 0;
  private start = 0;
  private parenDepth = 0;
  private braceOpen = false;
  private bracketOpen = false;
  /** Inside brackets: true until the first number/duration, as Go's lexDurationExpr state. */
  private bracketStart = false;
  private gotColon = false;
  private gotDuration = false;

  constructor(readonly input: string) {}

  /** The code point at i, or EOF. */
  private cp(i: number): number {
    if (i >= this.input.length) return EOF_CP;
    return this.input.codePointAt(i)!;
  }

  private width(cp: number): number {
    return cp > 0xffff ? 2 : 1;
  }

  private fail(message: string, at = this.start): never {
    throw new LexError(message, at);
  }

  private tok(kind: TokenKind): Token {
    const t = { kind, val: this.input.slice(this.start, this.pos), pos: this.start };
    this.start = this.pos;
    return t;
  }

  next(): Token {
    for (;;) {
      this.start = this.pos;
      let t: Token | null;
      if (this.braceOpen) t = this.lexInsideBraces();
      else if (this.bracketOpen && this.bracketStart) t = this.lexDurationExpr();
      else t = this.lexStatements();
      if (t) return t;
    }
  }

  private skipLineComment(): void {
    this.pos += 1;
    while (this.pos < this.input.length) {
      const c = this.input.charCodeAt(this.pos);
      if (c === 0x0a || c === 0x0d) break;
      this.pos++;
    }
  }

  private lexStatements(): Token | null {
    const input = this.input;
    if (input.charCodeAt(this.pos) === 0x23 /* # */) {
      this.skipLineComment();
      return null;
    }
    const r = this.cp(this.pos);
    if (r === EOF_CP) {
      if (this.parenDepth !== 0) this.fail("unclosed left parenthesis");
      if (this.bracketOpen) this.fail("unclosed left bracket");
      return { kind: "EOF", val: "", pos: input.length };
    }
    this.pos += this.width(r);
    const peek = this.cp(this.pos);
    switch (r) {
      case 0x2c:
        return this.tok("COMMA");
      case 0x2a:
        return this.tok("MUL");
      case 0x2f:
        return this.tok("DIV");
      case 0x25:
        return this.tok("MOD");
      case 0x2b:
        return this.tok("ADD");
      case 0x2d:
        return this.tok("SUB");
      case 0x5e:
        return this.tok("POW");
      case 0x3d: // =
        if (peek === 0x3d) {
          this.pos++;
          return this.tok("EQLC");
        }
        if (peek === 0x7e) this.fail(`unexpected character after '=': ${goQuoteRune(peek)}`);
        return this.tok("EQL");
      case 0x21: // !
        if (peek === 0x3d) {
          this.pos++;
          return this.tok("NEQ");
        }
        this.fail(`unexpected character after '!': ${goQuoteRune(peek)}`);
      // falls through (fail throws)
      case 0x3c: // <
        if (peek === 0x3d) {
          this.pos++;
          return this.tok("LTE");
        }
        if (peek === 0x2f) {
          // `</`: trims native histograms above a threshold (Prometheus 3.11).
          this.pos++;
          return this.tok("TRIM_UPPER");
        }
        return this.tok("LSS");
      case 0x3e: // >
        if (peek === 0x3d) {
          this.pos++;
          return this.tok("GTE");
        }
        if (peek === 0x2f) {
          // `>/`: trims native histograms below a threshold.
          this.pos++;
          return this.tok("TRIM_LOWER");
        }
        return this.tok("GTR");
      case 0x22:
      case 0x27:
        return this.lexString(r);
      case 0x60:
        return this.lexRawString();
      case 0x28:
        this.parenDepth++;
        return this.tok("LEFT_PAREN");
      case 0x29: {
        const t = this.tok("RIGHT_PAREN");
        this.parenDepth--;
        // Go emits the token, then reports the error from after it.
        if (this.parenDepth < 0) this.fail("unexpected right parenthesis ')'");
        return t;
      }
      case 0x7b:
        this.braceOpen = true;
        return this.tok("LEFT_BRACE");
      case 0x5b: {
        if (this.bracketOpen) this.fail("unexpected left bracket '['");
        this.gotColon = false;
        this.gotDuration = false;
        const t = this.tok("LEFT_BRACKET");
        while (isSpace(this.cp(this.pos))) this.pos++;
        this.start = this.pos;
        this.bracketOpen = true;
        this.bracketStart = true;
        return t;
      }
      case 0x5d:
        if (!this.bracketOpen) this.fail("unexpected right bracket ']'");
        this.bracketOpen = false;
        return this.tok("RIGHT_BRACKET");
      case 0x40:
        return this.tok("AT");
    }
    if (isSpace(r)) {
      while (isSpace(this.cp(this.pos))) this.pos++;
      return null;
    }
    if (isDigit(r) || (r === 0x2e && isDigit(peek))) {
      this.pos = this.start;
      return this.lexNumberOrDuration();
    }
    if (isAlpha(r) || r === 0x3a) {
      if (!this.bracketOpen) {
        this.pos = this.start;
        return this.lexKeywordOrIdentifier();
      }
      if (r === 0x3a) {
        if (this.gotColon) this.fail("unexpected colon ':'");
        this.gotColon = true;
        return this.tok("COLON");
      }
      const kw = this.scanDurationKeyword();
      if (kw) return kw;
      this.fail(`unexpected character: ${goQuoteRune(r)}, expected ':'`);
    }
    this.fail(`unexpected character: ${goQuoteRune(r)}`);
  }

  /** Inside brackets before the first number: Go's lexDurationExpr. */
  private lexDurationExpr(): Token | null {
    const r = this.cp(this.pos);
    if (r === EOF_CP) this.fail("unexpected end of input in duration expression");
    this.pos += this.width(r);
    switch (r) {
      case 0x5d: // ]
        this.bracketOpen = false;
        this.bracketStart = false;
        this.gotColon = false;
        return this.tok("RIGHT_BRACKET");
      case 0x3a: {
        // :
        const t = this.tok("COLON");
        if (!this.gotDuration) this.fail("unexpected colon before duration in duration expression");
        if (this.gotColon) this.fail("unexpected repeated colon in duration expression");
        this.gotColon = true;
        return t;
      }
      case 0x28:
        this.parenDepth++;
        return this.tok("LEFT_PAREN");
      case 0x29: {
        const t = this.tok("RIGHT_PAREN");
        this.parenDepth--;
        if (this.parenDepth < 0) this.fail("unexpected right parenthesis ')'");
        return t;
      }
      case 0x2b:
        return this.tok("ADD");
      case 0x2d:
        return this.tok("SUB");
      case 0x2a:
        return this.tok("MUL");
      case 0x2f:
        return this.tok("DIV");
      case 0x25:
        return this.tok("MOD");
      case 0x5e:
        return this.tok("POW");
      case 0x2c:
        return this.tok("COMMA");
    }
    if (isSpace(r)) {
      while (isSpace(this.cp(this.pos))) this.pos++;
      return null;
    }
    if (isAlpha(r)) {
      const kw = this.scanDurationKeyword();
      if (kw) return kw;
      this.fail(`unexpected character in duration expression: ${goQuoteRune(r)}`);
    }
    if (isDigit(r) || (r === 0x2e && isDigit(this.cp(this.pos)))) {
      this.pos = this.start;
      this.gotDuration = true;
      this.bracketStart = false;
      return this.lexNumberOrDuration();
    }
    this.fail(`unexpected character in duration expression: ${goQuoteRune(r)}`);
  }

  /**
   * Scans a word inside brackets and emits it if it is a duration-expression
   * keyword (`step`, `range`, `min`, `max`, `min_of`, `max_of`, any case).
   * The first letter has already been consumed.
   */
  private scanDurationKeyword(): Token | null {
    while (isAlpha(this.cp(this.pos))) this.pos++;
    const word = this.input.slice(this.start, this.pos).toLowerCase();
    const kind = DURATION_KEYWORDS[word];
    if (!kind) return null;
    // Prometheus only marks numbers as "a duration was seen" (so `[step():1m]`
    // fails there with "unexpected colon before duration"); we accept it.
    this.gotDuration = true;
    return this.tok(kind);
  }

  private lexInsideBraces(): Token | null {
    if (this.input.charCodeAt(this.pos) === 0x23) {
      this.skipLineComment();
      return null;
    }
    const r = this.cp(this.pos);
    if (r === EOF_CP) this.fail("unexpected end of input inside braces");
    this.pos += this.width(r);
    if (isSpace(r)) {
      while (isSpace(this.cp(this.pos))) this.pos++;
      return null;
    }
    if (isAlpha(r)) {
      while (isAlphaNumeric(this.cp(this.pos))) this.pos++;
      return this.tok("IDENTIFIER");
    }
    switch (r) {
      case 0x2c:
        return this.tok("COMMA");
      case 0x22:
      case 0x27:
        return this.lexString(r);
      case 0x60:
        return this.lexRawString();
      case 0x3d:
        if (this.cp(this.pos) === 0x7e) {
          this.pos++;
          return this.tok("EQL_REGEX");
        }
        return this.tok("EQL");
      case 0x21: {
        const nr = this.cp(this.pos);
        if (nr === 0x7e) {
          this.pos++;
          return this.tok("NEQ_REGEX");
        }
        if (nr === 0x3d) {
          this.pos++;
          return this.tok("NEQ");
        }
        this.fail(`unexpected character after '!' inside braces: ${goQuoteRune(nr)}`);
      }
      // falls through (fail throws)
      case 0x7b:
        this.fail("unexpected left brace '{'");
      // falls through (fail throws)
      case 0x7d:
        this.braceOpen = false;
        return this.tok("RIGHT_BRACE");
    }
    this.fail(`unexpected character inside braces: ${goQuoteRune(r)}`);
  }

  /** A quoted string; the opening quote has been consumed. Escapes are validated as Go's lexEscape. */
  private lexString(quote: number): Token {
    for (;;) {
      const c = this.cp(this.pos);
      if (c === EOF_CP || c === 0x0a) this.fail("unterminated quoted string");
      this.pos += this.width(c);
      if (c === 0x5c) {
        this.lexEscape(quote);
        continue;
      }
      if (c === 0xfffd || (c >= 0xd800 && c <= 0xdfff)) this.fail("invalid UTF-8 rune");
      if (c === quote) return this.tok("STRING");
    }
  }

  private lexEscape(quote: number): void {
    let ch = this.cp(this.pos);
    const advance = () => {
      if (ch !== EOF_CP) this.pos += this.width(ch);
    };
    advance();
    let n: number;
    let base: number;
    let max: number;
    switch (ch) {
      case 0x61: // a b f n r t v \
      case 0x62:
      case 0x66:
      case 0x6e:
      case 0x72:
      case 0x74:
      case 0x76:
      case 0x5c:
        return;
      case EOF_CP:
        this.fail("escape sequence not terminated");
      // falls through (fail throws)
      case 0x78: // x
        ch = this.cp(this.pos);
        advance();
        [n, base, max] = [2, 16, 255];
        break;
      case 0x75: // u
        ch = this.cp(this.pos);
        advance();
        [n, base, max] = [4, 16, 0x10ffff];
        break;
      case 0x55: // U
        ch = this.cp(this.pos);
        advance();
        [n, base, max] = [8, 16, 0x10ffff];
        break;
      default:
        if (ch === quote) return;
        if (ch >= 0x30 && ch <= 0x37) {
          [n, base, max] = [3, 8, 255];
          break;
        }
        this.fail(`unknown escape sequence ${goUnicode(ch)}`);
    }
    let x = 0;
    for (;;) {
      const d = digitVal(ch);
      if (d >= base) {
        if (ch === EOF_CP) this.fail("escape sequence not terminated");
        this.fail(`illegal character ${goUnicode(ch)} in escape sequence`);
      }
      x = x * base + d;
      n--;
      if (n === 0) break;
      ch = this.cp(this.pos);
      advance();
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) this.fail("escape sequence is an invalid Unicode code point");
  }

  private lexRawString(): Token {
    for (;;) {
      const c = this.cp(this.pos);
      if (c === EOF_CP) this.fail("unterminated raw string");
      this.pos += this.width(c);
      if (c === 0xfffd || (c >= 0xd800 && c <= 0xdfff)) this.fail("invalid UTF-8 rune");
      if (c === 0x60) return this.tok("STRING");
    }
  }

  private lexKeywordOrIdentifier(): Token {
    for (;;) {
      const c = this.cp(this.pos);
      if (isAlphaNumeric(c) || c === 0x3a) this.pos++;
      else break;
    }
    const word = this.input.slice(this.start, this.pos);
    const lower = word.toLowerCase();
    const kw = Object.prototype.hasOwnProperty.call(WORDS, lower) ? WORDS[lower] : undefined;
    if (kw) {
      // fill/fill_left/fill_right are only modifiers when a "(" follows, so
      // that existing metrics named like them keep working (Prometheus #17644).
      if (FILL_WORDS.has(lower) && !this.parenFollows()) return this.tok("IDENTIFIER");
      return this.tok(kw);
    }
    return this.tok(word.includes(":") ? "METRIC_IDENTIFIER" : "IDENTIFIER");
  }

  private parenFollows(): boolean {
    let i = this.pos;
    while (isSpace(this.cp(i))) i++;
    return this.cp(i) === 0x28;
  }

  private lexNumberOrDuration(): Token {
    if (this.scanNumber()) return this.tok("NUMBER");
    if (this.acceptRemainingDuration()) {
      return this.tok("DURATION");
    }
    this.fail(`bad number or duration syntax: ${goQuote(this.input.slice(this.start, this.pos))}`);
  }

  private accept(valid: string): boolean {
    const c = this.cp(this.pos);
    if (c !== EOF_CP && c < 0x80 && valid.includes(String.fromCharCode(c))) {
      this.pos++;
      return true;
    }
    return false;
  }

  private is(valid: string): boolean {
    const c = this.cp(this.pos);
    return c !== EOF_CP && c < 0x80 && valid.includes(String.fromCharCode(c));
  }

  private acceptRun(valid: string): void {
    while (this.accept(valid));
  }

  /** Go's scanNumber: decimal, hex, octal or float, with `_` separators; the token need not be a valid number. */
  private scanNumber(): boolean {
    const initialPos = this.pos;
    let digitPattern = "0123456789";
    if (this.accept("0") && this.accept("xX")) {
      this.accept("_");
      digitPattern = "0123456789abcdefABCDEF";
    }
    const hex = digitPattern.length > 10;
    this.accept(".");
    this.accept(digitPattern);
    let dotConsumed = false;
    let exponentConsumed = false;
    while (this.is(digitPattern + "._eE")) {
      if (this.is(".") && dotConsumed) {
        this.accept(".");
        return false;
      }
      if (this.is("eE") && exponentConsumed) {
        this.accept("eE");
        return false;
      }
      if (this.accept(".")) {
        dotConsumed = true;
        if (this.accept("_.")) return false;
        if (hex) return false;
        continue;
      }
      if (this.accept("eE")) {
        exponentConsumed = true;
        this.accept("+-");
        if (this.accept("._eE") || this.cp(this.pos) === EOF_CP) return false;
        continue;
      }
      if (this.accept("_")) {
        if (this.accept("._eE") || this.cp(this.pos) === EOF_CP) return false;
        continue;
      }
      this.acceptRun(digitPattern);
    }
    if (this.pos === initialPos) return false;
    return !isAlphaNumeric(this.cp(this.pos));
  }

  /** Go's acceptRemainingDuration: units `y w d h m s ms`, possibly compound. */
  private acceptRemainingDuration(): boolean {
    if (!this.accept("smhdwy")) return false;
    this.accept("s");
    while (this.accept("0123456789")) {
      while (this.accept("0123456789"));
      if (!this.accept("smhdw")) return false;
      this.accept("s");
    }
    const c = this.cp(this.pos);
    if (isAlphaNumeric(c)) {
      this.pos += 1; // Go consumed it with next() before failing.
      return false;
    }
    return true;
  }
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return 16;
}

/**
 * Returns the value of a STRING token (as Prometheus's `strutil.Unquote`):
 * backtick strings are raw; `"`/`'` strings interpret Go escapes. `\x` and
 * octal escapes produce raw bytes, so the result is decoded as UTF-8 with
 * invalid bytes kept as surrogate escapes (see go-format.ts). The lexer has
 * already validated the escapes.
 */
export function unquoteString(raw: string): string {
  const quote = raw[0];
  const body = raw.slice(1, -1);
  if (quote === "`" || !body.includes("\\")) return body;
  const bytes: number[] = [];
  for (let i = 0; i < body.length; ) {
    const cp = body.codePointAt(i)!;
    if (cp !== 0x5c) {
      encodeUTF8(cp, bytes);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const c = body[i + 1];
    i += 2;
    switch (c) {
      case "a":
        bytes.push(7);
        break;
      case "b":
        bytes.push(8);
        break;
      case "f":
        bytes.push(12);
        break;
      case "n":
        bytes.push(10);
        break;
      case "r":
        bytes.push(13);
        break;
      case "t":
        bytes.push(9);
        break;
      case "v":
        bytes.push(11);
        break;
      case "x":
        bytes.push(parseInt(body.slice(i, i + 2), 16));
        i += 2;
        break;
      case "u":
        encodeUTF8(parseInt(body.slice(i, i + 4), 16), bytes);
        i += 4;
        break;
      case "U":
        encodeUTF8(parseInt(body.slice(i, i + 8), 16), bytes);
        i += 8;
        break;
      default:
        if (c >= "0" && c <= "7") {
          bytes.push(parseInt(body.slice(i - 1, i + 2), 8));
          i += 2;
        } else {
          // \\, \" or \' (the lexer rejected anything else).
          bytes.push(c.charCodeAt(0));
        }
    }
  }
  return decodeUTF8Escaped(bytes);
}
