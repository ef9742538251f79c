import { describe, expect, it } from "vitest";
import { describeToken, LexError, Lexer, unquoteString, type Token } from "./lexer";
import { goQuote } from "./go-format";

function lexAll(input: string): Token[] {
  const l = new Lexer(input);
  const out: Token[] = [];
  for (;;) {
    const t = l.next();
    out.push(t);
    if (t.kind === "EOF") return out;
  }
}

const kinds = (input: string) => lexAll(input).map((t) => t.kind);
const pairs = (input: string) => lexAll(input).map((t) => [t.kind, t.val]);

function lexError(input: string): { message: string; pos: number } {
  try {
    lexAll(input);
  } catch (e) {
    if (e instanceof LexError) return { message: e.message, pos: e.pos };
    throw e;
  }
  throw new Error(`no lex error for ${input}`);
}

describe("lexer", () => {
  it("scans a typical query", () => {
    expect(pairs(`sum by (job) (rate(http_requests_total{code=~"5.."}[5m] offset -1h @ 100))`)).toEqual([
      ["SUM", "sum"],
      ["BY", "by"],
      ["LEFT_PAREN", "("],
      ["IDENTIFIER", "job"],
      ["RIGHT_PAREN", ")"],
      ["LEFT_PAREN", "("],
      ["IDENTIFIER", "rate"],
      ["LEFT_PAREN", "("],
      ["IDENTIFIER", "http_requests_total"],
      ["LEFT_BRACE", "{"],
      ["IDENTIFIER", "code"],
      ["EQL_REGEX", "=~"],
      ["STRING", `"5.."`],
      ["RIGHT_BRACE", "}"],
      ["LEFT_BRACKET", "["],
      ["DURATION", "5m"],
      ["RIGHT_BRACKET", "]"],
      ["OFFSET", "offset"],
      ["SUB", "-"],
      ["DURATION", "1h"],
      ["AT", "@"],
      ["NUMBER", "100"],
      ["RIGHT_PAREN", ")"],
      ["RIGHT_PAREN", ")"],
      ["EOF", ""],
    ]);
  });

  it("records UTF-16 positions", () => {
    expect(lexAll(`"é" +  x`).map((t) => t.pos)).toEqual([0, 4, 7, 8]);
  });

  it("recognizes keywords case-insensitively and keeps their text", () => {
    expect(pairs("SUM BY Offset INF nan and OR Unless atan2")).toEqual([
      ["SUM", "SUM"],
      ["BY", "BY"],
      ["OFFSET", "Offset"],
      ["NUMBER", "INF"],
      ["NUMBER", "nan"],
      ["LAND", "and"],
      ["LOR", "OR"],
      ["LUNLESS", "Unless"],
      ["ATAN2", "atan2"],
      ["EOF", ""],
    ]);
  });

  it("treats names with colons as metric identifiers", () => {
    expect(pairs("job:rate5m:sum")).toEqual([
      ["METRIC_IDENTIFIER", "job:rate5m:sum"],
      ["EOF", ""],
    ]);
  });

  it("lexes keywords as plain identifiers inside braces", () => {
    expect(kinds(`{by="x", offset!="y", sum!~"z"}`)).toEqual([
      "LEFT_BRACE",
      "IDENTIFIER",
      "EQL",
      "STRING",
      "COMMA",
      "IDENTIFIER",
      "NEQ",
      "STRING",
      "COMMA",
      "IDENTIFIER",
      "NEQ_REGEX",
      "STRING",
      "RIGHT_BRACE",
      "EOF",
    ]);
  });

  it("emits fill modifiers only before a parenthesis", () => {
    expect(kinds("a + fill(0) b")).toEqual(["IDENTIFIER", "ADD", "FILL", "LEFT_PAREN", "NUMBER", "RIGHT_PAREN", "IDENTIFIER", "EOF"]);
    expect(kinds("a + fill_left (0) fill_right(1) b")).toContain("FILL_LEFT");
    expect(kinds("fill + fill_left")).toEqual(["IDENTIFIER", "ADD", "IDENTIFIER", "EOF"]);
  });

  it("scans numbers and durations", () => {
    expect(pairs("1 0x1F 0755 1e-3 .5 5. 1_000 5m 1h30m 1y2w 10ms")).toEqual([
      ["NUMBER", "1"],
      ["NUMBER", "0x1F"],
      ["NUMBER", "0755"],
      ["NUMBER", "1e-3"],
      ["NUMBER", ".5"],
      ["NUMBER", "5."],
      ["NUMBER", "1_000"],
      ["DURATION", "5m"],
      ["DURATION", "1h30m"],
      ["DURATION", "1y2w"],
      ["DURATION", "10ms"],
      ["EOF", ""],
    ]);
  });

  it("scans duration expressions inside brackets", () => {
    expect(pairs("x[step()*2:min_of(1m, range())]")).toEqual([
      ["IDENTIFIER", "x"],
      ["LEFT_BRACKET", "["],
      ["STEP", "step"],
      ["LEFT_PAREN", "("],
      ["RIGHT_PAREN", ")"],
      ["MUL", "*"],
      ["NUMBER", "2"],
      ["COLON", ":"],
      ["IDENTIFIER", "min_of"],
      ["LEFT_PAREN", "("],
      ["DURATION", "1m"],
      ["COMMA", ","],
      ["RANGE", "range"],
      ["LEFT_PAREN", "("],
      ["RIGHT_PAREN", ")"],
      ["RIGHT_PAREN", ")"],
      ["RIGHT_BRACKET", "]"],
      ["EOF", ""],
    ]);
  });

  it("scans the comparison, trim and set operators", () => {
    expect(kinds("a == b != c <= d < e >= f > g </ h >/ i")).toEqual([
      "IDENTIFIER",
      "EQLC",
      "IDENTIFIER",
      "NEQ",
      "IDENTIFIER",
      "LTE",
      "IDENTIFIER",
      "LSS",
      "IDENTIFIER",
      "GTE",
      "IDENTIFIER",
      "GTR",
      "IDENTIFIER",
      "TRIM_UPPER",
      "IDENTIFIER",
      "TRIM_LOWER",
      "IDENTIFIER",
      "EOF",
    ]);
  });

  it("skips comments", () => {
    expect(kinds("# header\nfoo # trailing\n{a='b' # inside\n}")).toEqual([
      "IDENTIFIER",
      "LEFT_BRACE",
      "IDENTIFIER",
      "EQL",
      "STRING",
      "RIGHT_BRACE",
      "EOF",
    ]);
  });

  it.each([
    [".", "unexpected character: '.'", 0],
    ["1 !~ 1", "unexpected character after '!': '~'", 2],
    ["1 =~ 1", "unexpected character after '=': '~'", 2],
    ["(1))", "unexpected right parenthesis ')'", 4],
    ["((1)", "unclosed left parenthesis", 4],
    ["foo[5m", "unclosed left bracket", 6],
    ["foo]", "unexpected right bracket ']'", 3],
    ["foo[5m[", "unexpected left bracket '['", 6],
    ["{", "unexpected end of input inside braces", 1],
    ["{a{", "unexpected left brace '{'", 2],
    ["{a!b}", "unexpected character after '!' inside braces: 'b'", 2],
    ["{a:b}", "unexpected character inside braces: ':'", 2],
    ["2.5.", `bad number or duration syntax: "2.5."`, 0],
    ["0deadbeef", `bad number or duration syntax: "0de"`, 0],
    ["1e", `bad number or duration syntax: "1e"`, 0],
    ["5mm", `bad number or duration syntax: "5mm"`, 0],
    ['"abc', "unterminated quoted string", 0],
    ['"a\nb"', "unterminated quoted string", 0],
    ["`abc", "unterminated raw string", 0],
    ['"\\', "escape sequence not terminated", 0],
    ['"\\q"', "unknown escape sequence U+0071 'q'", 0],
    ["'\\\"'", `unknown escape sequence U+0022 '"'`, 0],
    ['"\\x4g"', "illegal character U+0067 'g' in escape sequence", 0],
    ['"\\400"', "escape sequence is an invalid Unicode code point", 0],
    ['"\\ud800"', "escape sequence is an invalid Unicode code point", 0],
    ['"\ufffd"', "invalid UTF-8 rune", 0],
    ["x[", "unexpected end of input in duration expression", 2],
    ["x[foo]", "unexpected character in duration expression: 'f'", 2],
    ["x[:5m]", "unexpected colon before duration in duration expression", 3],
    ["x[5m x]", "unexpected character: 'x', expected ':'", 5],
    ["x[5m:1m:]", "unexpected colon ':'", 7],
    ["ö", "unexpected character: 'ö'", 0],
  ])("fails on %j with %s", (input, message, pos) => {
    expect(lexError(input)).toEqual({ message, pos });
  });
});

describe("describeToken (Item.desc)", () => {
  const first = (input: string) => new Lexer(input).next();
  it.each([
    ["(", `"("`],
    ["=", `"="`],
    ["+", "<op:+>"],
    ["and", "<op:and>"],
    ["@", "<op:@>"],
    ["sum", "<aggr:sum>"],
    ["BY", "<BY>"],
    ["offset", "<offset>"],
    ["start", `"start"`],
    ["foo", `identifier "foo"`],
    ["a:b", `metric identifier "a:b"`],
    ["42", `number "42"`],
    ["Inf", `number "Inf"`],
    ["5m", `duration "5m"`],
    [`"short"`, `string "\\"short\\""`],
    [`"0123456789abc"`, `string "\\"012345678"...`],
  ])("%s → %s", (input, want) => {
    expect(describeToken(first(input))).toBe(want);
  });

  it("describes the end of input", () => {
    expect(describeToken(lexAll("")[0])).toBe("end of input");
  });
});

describe("unquoteString (strutil.Unquote)", () => {
  it.each([
    [`"plain"`, "plain"],
    [`'single \\' quote'`, "single ' quote"],
    [`"double \\" quote"`, 'double " quote'],
    ["`raw \\n string`", "raw \\n string"],
    [`"\\a\\b\\f\\n\\r\\t\\v\\\\"`, "\x07\x08\x0c\n\r\t\x0b\\"],
    [`"\\101\\x42\\u00e9\\U0001F600"`, "ABé😀"],
    [`"\\xc3\\xa9"`, "é"],
  ])("%s → %j", (raw, want) => {
    expect(unquoteString(raw)).toBe(want);
  });

  it("keeps invalid UTF-8 bytes as escapes that print back as \\x", () => {
    expect(goQuote(unquoteString(`"a\\xc5z"`))).toBe(`"a\\xc5z"`);
    expect(goQuote(unquoteString(`"\\377"`))).toBe(`"\\xff"`);
  });
});
