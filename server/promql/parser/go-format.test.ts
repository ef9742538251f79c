import { describe, expect, it } from "vitest";
import {
  byteToEscapedChar,
  formatFixed,
  formatFloatF,
  formatFloatG,
  goQuote,
  goQuotePrefix,
  goQuoteRune,
  goUnicode,
  isValidUTF8,
  parseGoNumber,
  utf8ByteLength,
} from "./go-format";

describe("goQuote (strconv.Quote)", () => {
  it.each([
    ["abc", `"abc"`],
    [`a"b\\c`, `"a\\"b\\\\c"`],
    ["tab\tnl\n", `"tab\\tnl\\n"`],
    ["\x07\x08\x0b\x0c\x0d", `"\\a\\b\\v\\f\\r"`],
    ["\x00\x1f\x7f", `"\\x00\\x1f\\x7f"`],
    ["é ☺ 😀", `"é ☺ 😀"`],
    ["\u00a0\u200b", `"\\u00a0\\u200b"`],
    ["\u{e0001}", `"\\U000e0001"`],
    [`x${byteToEscapedChar(0xff)}y`, `"x\\xffy"`],
  ])("%j → %s", (input, want) => {
    expect(goQuote(input)).toBe(want);
  });

  it("quotes a rune prefix (%.10q)", () => {
    expect(goQuotePrefix("0123456789abc", 10)).toBe(`"0123456789"`);
    expect(goQuotePrefix("ééééééééééé", 10)).toBe(`"éééééééééé"`);
  });

  it("quotes runes and formats %#U", () => {
    expect(goQuoteRune("}".codePointAt(0)!)).toBe("'}'");
    expect(goQuoteRune("'".codePointAt(0)!)).toBe("'\\''");
    expect(goQuoteRune('"'.codePointAt(0)!)).toBe(`'"'`);
    expect(goQuoteRune(-1)).toBe("'\ufffd'");
    expect(goQuoteRune(0x0a)).toBe("'\\n'");
    expect(goUnicode(0x63)).toBe("U+0063 'c'");
    expect(goUnicode(0x0a)).toBe("U+000A");
    expect(goUnicode(0x1f600)).toBe("U+1F600 '😀'");
  });
});

describe("UTF-8 helpers", () => {
  it("counts bytes and validates", () => {
    expect(utf8ByteLength("aé☺😀")).toBe(1 + 2 + 3 + 4);
    expect(utf8ByteLength(byteToEscapedChar(0xc5))).toBe(1);
    expect(isValidUTF8("aé😀")).toBe(true);
    expect(isValidUTF8(`a${byteToEscapedChar(0xc5)}z`)).toBe(false);
  });
});

describe("float formatting", () => {
  it.each([
    [0, "0"],
    [-0, "-0"],
    [1, "1"],
    [-1.5, "-1.5"],
    [0.05, "0.05"],
    [123.4567, "123.4567"],
    [1e21, "1000000000000000000000"],
    [1e-7, "0.0000001"],
    [12345678901234567e10, "123456789012345680000000000"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ])("FormatFloat(%s, 'f', -1) = %s", (v, want) => {
    expect(formatFloatF(v)).toBe(want);
  });

  it.each([
    [0, "0"],
    [123456, "123456"],
    [1e6, "1e+06"],
    [1234567, "1.234567e+06"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-2.5e-10, "-2.5e-10"],
    [1e100, "1e+100"],
    [NaN, "NaN"],
    [-Infinity, "-Inf"],
  ])("%%v of %s = %s", (v, want) => {
    expect(formatFloatG(v)).toBe(want);
  });

  it("formats %f", () => {
    expect(formatFixed(2 ** 63)).toBe("9223372036854775808.000000");
    expect(formatFixed(1e22)).toBe("10000000000000000000000.000000");
    expect(formatFixed(10, 3)).toBe("10.000");
    expect(formatFixed(Infinity)).toBe("+Inf");
    expect(formatFixed(NaN)).toBe("NaN");
  });
});

describe("parseGoNumber (ParseInt base 0, then ParseFloat)", () => {
  it.each([
    ["1", 1],
    ["0755", 493],
    ["08", 8],
    ["0x1f", 31],
    ["0X_1F", 31],
    ["1_000", 1000],
    ["1_000.5", 1000.5],
    ["5.", 5],
    [".5", 0.5],
    ["5e-3", 0.005],
    ["1e1_0", 1e10],
    ["Inf", Infinity],
    ["nAn", NaN],
    ["9223372036854775807", 9223372036854775807],
    ["99999999999999999999", 1e20],
  ])("%s = %s", (s, want) => {
    expect(parseGoNumber(s)).toEqual({ value: want });
  });

  it("reports Go's errors", () => {
    expect(parseGoNumber("1e400")).toEqual({ error: `strconv.ParseFloat: parsing "1e400": value out of range` });
    expect(parseGoNumber("0x")).toEqual({ error: `strconv.ParseFloat: parsing "0x": invalid syntax` });
    expect(parseGoNumber("0xFFFFFFFFFFFFFFFFFF")).toEqual({
      error: `strconv.ParseFloat: parsing "0xFFFFFFFFFFFFFFFFFF": invalid syntax`,
    });
  });
});
