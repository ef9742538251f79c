// Go-compatible text formatting helpers.
//
// Prometheus builds its error messages and its printed queries with Go's `fmt`
// and `strconv` packages (`%q`, `%#U`, `%f`, `strconv.FormatFloat(v, 'f', -1,
// 64)`, ...). Users, `promtool` and Grafana compare those strings, so we
// reproduce the exact Go output here rather than using JavaScript's defaults.
//
// Byte strings: Go strings may hold invalid UTF-8 (a PromQL literal like
// "\xff" produces the single byte 0xFF). JavaScript strings cannot, so the
// parser stores such a byte as the lone surrogate U+DC00+byte ("surrogate
// escape", as Python's `surrogateescape`). The helpers below understand that
// convention: `goQuote` prints it back as `\xff`, `isValidUTF8` rejects it.

const HEX = "0123456789abcdef";

/** First code unit of the surrogate-escape range (U+DC80..U+DCFF hold bytes 0x80..0xFF). */
const SURROGATE_ESCAPE_BASE = 0xdc00;

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `unicode.IsPrint`: categories L, M, N, P, S plus the ASCII space. */
export function isGoPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

/** Returns the byte a surrogate-escaped code unit stands for, or -1. */
export function escapedByte(cu: number): number {
  return cu >= 0xdc80 && cu <= 0xdcff ? cu - SURROGATE_ESCAPE_BASE : -1;
}

/** Encodes a raw (invalid UTF-8) byte as a surrogate-escaped code unit. */
export function byteToEscapedChar(b: number): string {
  return String.fromCharCode(SURROGATE_ESCAPE_BASE + b);
}

function hex(n: number, width: number): string {
  let s = "";
  for (let i = width - 1; i >= 0; i--) s += HEX[(n >>> (i * 4)) & 0xf];
  return s;
}

/** Iterates the code points of s; lone surrogates are yielded as themselves. */
function* codePoints(s: string): Generator<number> {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        yield (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    yield c;
  }
}

function appendEscapedRune(out: string[], cp: number, quote: number): void {
  const b = escapedByte(cp);
  if (b >= 0) {
    out.push("\\x" + hex(b, 2));
    return;
  }
  if (cp === quote || cp === 0x5c) {
    out.push("\\" + String.fromCharCode(cp));
    return;
  }
  if (isGoPrint(cp)) {
    out.push(String.fromCodePoint(cp));
    return;
  }
  switch (cp) {
    case 0x07:
      out.push("\\a");
      return;
    case 0x08:
      out.push("\\b");
      return;
    case 0x0c:
      out.push("\\f");
      return;
    case 0x0a:
      out.push("\\n");
      return;
    case 0x0d:
      out.push("\\r");
      return;
    case 0x09:
      out.push("\\t");
      return;
    case 0x0b:
      out.push("\\v");
      return;
  }
  if (cp < 0x20 || cp === 0x7f) {
    out.push("\\x" + hex(cp, 2));
  } else if (cp >= 0xd800 && cp <= 0xdfff) {
    // A lone surrogate that is not one of our escaped bytes: Go would see U+FFFD.
    out.push("\\ufffd");
  } else if (cp < 0x10000) {
    out.push("\\u" + hex(cp, 4));
  } else {
    out.push("\\U" + hex(cp, 8));
  }
}

/** Go's `strconv.Quote` (and `fmt`'s `%q` for strings). */
export function goQuote(s: string): string {
  const out: string[] = ['"'];
  for (const cp of codePoints(s)) appendEscapedRune(out, cp, 0x22);
  out.push('"');
  return out.join("");
}

/** Go's `fmt.Sprintf("%.Nq", s)`: quotes the first n runes of s. */
export function goQuotePrefix(s: string, n: number): string {
  const out: string[] = ['"'];
  let i = 0;
  for (const cp of codePoints(s)) {
    if (i++ >= n) break;
    appendEscapedRune(out, cp, 0x22);
  }
  out.push('"');
  return out.join("");
}

/** Go's `strconv.QuoteRune` (and `%q` for a rune). A negative rune (EOF) prints as U+FFFD. */
export function goQuoteRune(cp: number): string {
  if (cp < 0 || cp > 0x10ffff) cp = 0xfffd;
  const out: string[] = ["'"];
  appendEscapedRune(out, cp, 0x27);
  out.push("'");
  return out.join("");
}

/** Go's `%#U`: `U+0063 'c'` (the quoted rune is omitted when it is not printable). */
export function goUnicode(cp: number): string {
  if (cp < 0) cp = 0xfffd;
  const code = "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
  return isGoPrint(cp) ? `${code} '${String.fromCodePoint(cp)}'` : code;
}

/** Number of bytes s takes in UTF-8 (surrogate-escaped bytes count as one). */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (const cp of codePoints(s)) {
    if (escapedByte(cp) >= 0) n += 1;
    else if (cp < 0x80) n += 1;
    else if (cp < 0x800) n += 2;
    else if (cp < 0x10000) n += 3;
    else n += 4;
  }
  return n;
}

/** Whether s would be valid UTF-8 in Go: no lone surrogates (including escaped bytes). */
export function isValidUTF8(s: string): boolean {
  for (const cp of codePoints(s)) {
    if (cp >= 0xd800 && cp <= 0xdfff) return false;
  }
  return true;
}

/** Replaces invalid UTF-8 (lone surrogates) with U+FFFD, as Go's encoding/json does. */
export function toWellFormed(s: string): string {
  if (isValidUTF8(s)) return s;
  let out = "";
  for (const cp of codePoints(s)) out += cp >= 0xd800 && cp <= 0xdfff ? "\ufffd" : String.fromCodePoint(cp);
  return out;
}

/** Decodes UTF-8 bytes; invalid bytes become surrogate-escaped code units. */
export function decodeUTF8Escaped(bytes: number[]): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      min = 0x10000;
    }
    let ok = need > 0 && i + need < bytes.length;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const b = bytes[i + k];
        if (b === undefined || (b & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (b & 0x3f);
      }
    }
    if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (ok) {
      out += String.fromCodePoint(cp);
      i += need + 1;
    } else {
      out += byteToEscapedChar(b0);
      i++;
    }
  }
  return out;
}

/** Appends the UTF-8 encoding of a code point to bytes. */
export function encodeUTF8(cp: number, bytes: number[]): void {
  if (cp < 0x80) bytes.push(cp);
  else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

/** Shortest round-trip digits of |v| (finite, non-zero) and its decimal exponent. */
function shortestDigits(v: number): { digits: string; exp: number } {
  const [mant, e] = Math.abs(v).toExponential().split("e");
  return { digits: mant.replace(".", ""), exp: Number(e) };
}

function specialFloat(v: number): string | null {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v === 0) return Object.is(v, -0) ? "-0" : "0";
  return null;
}

function fixedFromDigits(digits: string, exp: number): string {
  if (exp >= 0) {
    if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length);
    return digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
  }
  return "0." + "0".repeat(-exp - 1) + digits;
}

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatFloatF(v: number): string {
  const special = specialFloat(v);
  if (special !== null) return special;
  const { digits, exp } = shortestDigits(v);
  return (v < 0 ? "-" : "") + fixedFromDigits(digits, exp);
}

/** Go's `%v` / `strconv.FormatFloat(v, 'g', -1, 64)` for a float64. */
export function formatFloatG(v: number): string {
  const special = specialFloat(v);
  if (special !== null) return special;
  const { digits, exp } = shortestDigits(v);
  const sign = v < 0 ? "-" : "";
  // With the shortest precision Go switches to %e when exp < -4 || exp >= 6 ("1e+06").
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" + e : e}`;
  }
  return sign + fixedFromDigits(digits, exp);
}

/** Go's `%f` (six decimals) and `%.Nf`. */
export function formatFixed(v: number, decimals = 6): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Math.abs(v) < 1e21) return v.toFixed(decimals);
  // toFixed switches to exponent notation from 1e21 on; such doubles are integers.
  return BigInt(v).toString() + (decimals > 0 ? "." + "0".repeat(decimals) : "");
}

/** Go's strconv `underscoreOK`: `_` may only separate digits (or follow a base prefix). */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1])) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

const INT64_MAX = (1n << 63n) - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)`; returns null where Go returns an error. */
function parseGoInt(s: string): number | null {
  let body = s;
  let neg = false;
  if (body[0] === "+" || body[0] === "-") {
    neg = body[0] === "-";
    body = body.slice(1);
  }
  let base = 10;
  let prefixed = false;
  if (body.length >= 2 && body[0] === "0") {
    const p = body[1].toLowerCase();
    if (p === "x" || p === "o" || p === "b") {
      base = p === "x" ? 16 : p === "o" ? 8 : 2;
      body = body.slice(2);
      prefixed = true;
    } else {
      base = 8;
      body = body.slice(1);
      prefixed = true;
    }
  }
  if (body.includes("_")) {
    if (!underscoreOK(s)) return null;
    body = body.replace(/_/g, "");
  }
  if (body === "") return prefixed && base === 8 ? 0 : null;
  const digits = "0123456789abcdef".slice(0, base);
  let v = 0n;
  for (const c of body.toLowerCase()) {
    const d = digits.indexOf(c);
    if (d < 0) return null;
    v = v * BigInt(base) + BigInt(d);
    if (v > INT64_MAX + 1n) return null;
  }
  if (neg ? v > INT64_MAX + 1n : v > INT64_MAX) return null;
  return Number(neg ? -v : v);
}

const DECIMAL_FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a PromQL number token as Prometheus does (`strconv.ParseInt(s, 0,
 * 64)`, falling back to `strconv.ParseFloat`): decimal, `0x` hex, leading-zero
 * octal, exponents, `_` separators, `Inf`/`NaN`. Returns the value or Go's
 * error text.
 */
export function parseGoNumber(s: string): { value: number } | { error: string } {
  const asInt = parseGoInt(s);
  if (asInt !== null) return { value: asInt };
  const syntax = { error: `strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax` };
  const lower = s.toLowerCase();
  const unsigned = lower.replace(/^[+-]/, "");
  if (unsigned === "inf" || unsigned === "infinity") return { value: lower[0] === "-" ? -Infinity : Infinity };
  if (unsigned === "nan") return { value: NaN };
  let t = s;
  if (t.includes("_")) {
    if (!underscoreOK(t)) return syntax;
    t = t.replace(/_/g, "");
  }
  // Hexadecimal floats need a 'p' exponent, which the lexer never produces.
  if (!DECIMAL_FLOAT.test(t)) return syntax;
  const v = Number(t);
  if (!Number.isFinite(v)) return { error: `strconv.ParseFloat: parsing ${goQuote(s)}: value out of range` };
  return { value: v };
}
