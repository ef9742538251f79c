// Label sets, following Prometheus's model/labels package.
//
// A `Labels` value is a readonly array of `{name, value}` pairs that is
// always sorted by name and has no duplicate names and no empty values. An
// empty value means "label absent", exactly as in Prometheus, so helpers that
// build label sets drop empty values instead of storing them.
//
// Ordering: Prometheus sorts label names (and returns label values) in Go
// string order, which is the byte order of the UTF-8 encoding, i.e. Unicode
// code point order. JavaScript's `<` on strings compares UTF-16 code units,
// which agrees with code point order everywhere except when a surrogate
// (U+D800–U+DFFF, the halves of an astral character) is compared with a BMP
// character in U+E000–U+FFFF. `compareStrings` corrects exactly that case, so
// every ordering in this module is the Prometheus one even for emoji and other
// astral characters.

/** One label pair. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set: sorted by name (UTF-8 byte order), unique names, no empty values. */
export type Labels = readonly Label[];

/** The label carrying the metric name. */
export const METRIC_NAME = "__name__";

/** Which rule label and metric names must satisfy (Prometheus `model.ValidationScheme`). */
export type NameValidationScheme = "utf8" | "legacy";

// ---------------------------------------------------------------------------
// Ordering

/**
 * Compares two strings in UTF-8 byte order (= code point order), as Go's
 * `strings.Compare` does. Returns a negative number, zero or a positive number.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Move surrogates above U+E000–U+FFFF so that astral characters sort
      // after every BMP character, as their UTF-8 encodings do.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Sorts strings in place in UTF-8 byte order and returns the array. */
export function sortStrings<T extends string[]>(values: T): T {
  // The native comparison-free sort (UTF-16 order) is several times faster
  // than a comparator, and only differs when a surrogate is involved.
  values.sort();
  for (let i = 0; i < values.length; i++) {
    if (hasSurrogate(values[i])) {
      values.sort(compareStrings);
      break;
    }
  }
  return values;
}

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * Compares two label sets the way Prometheus's `labels.Compare` does: pair by
 * pair (name, then value), and a set that is a prefix of the other sorts first.
 */
export function compareLabels(a: Labels, b: Labels): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    if (a[i].name !== b[i].name) return compareStrings(a[i].name, b[i].name);
    if (a[i].value !== b[i].value) return compareStrings(a[i].value, b[i].value);
  }
  return a.length - b.length;
}

/** Whether two label sets are equal. */
export function labelsEqual(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].name !== b[i].name || a[i].value !== b[i].value) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Construction and access

/**
 * Builds a label set from a record. Empty values are dropped (empty means
 * absent). The result is sorted; a record cannot hold duplicate names.
 */
export function labelsFromRecord(record: Readonly<Record<string, string>>): Labels {
  const out: Label[] = [];
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== "") out.push({ name, value });
  }
  return sortLabelPairs(out);
}

/**
 * Builds a label set from `name, value, name, value, ...` (Prometheus
 * `labels.FromStrings`). Empty values are dropped; for a repeated name the
 * last value wins.
 */
export function labelsFromStrings(...pairs: string[]): Labels {
  if (pairs.length % 2 !== 0) throw new Error("labelsFromStrings: odd number of arguments");
  const byName = new Map<string, string>();
  for (let i = 0; i < pairs.length; i += 2) byName.set(pairs[i], pairs[i + 1]);
  const out: Label[] = [];
  for (const [name, value] of byName) if (value !== "") out.push({ name, value });
  return sortLabelPairs(out);
}

function sortLabelPairs(out: Label[]): Label[] {
  let sorted = true;
  for (let i = 1; i < out.length; i++) {
    if (compareStrings(out[i - 1].name, out[i].name) > 0) {
      sorted = false;
      break;
    }
  }
  if (!sorted) out.sort((x, y) => compareStrings(x.name, y.name));
  return out;
}

/** The label set as a plain record (`{__name__: "up", job: "x"}`). */
export function labelsToRecord(ls: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of ls) {
    if (l.name === "__proto__") {
      // Plain assignment would set the prototype instead of a property.
      Object.defineProperty(out, l.name, { value: l.value, enumerable: true, writable: true, configurable: true });
    } else {
      out[l.name] = l.value;
    }
  }
  return out;
}

/** The value of label `name`, or "" when the label is absent (as Prometheus's `Labels.Get`). */
export function getLabel(ls: Labels, name: string): string {
  if (ls.length <= 16) {
    for (let i = 0; i < ls.length; i++) if (ls[i].name === name) return ls[i].value;
    return "";
  }
  let lo = 0;
  let hi = ls.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareStrings(ls[mid].name, name);
    if (c === 0) return ls[mid].value;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return "";
}

/** Whether label `name` is present. */
export function hasLabel(ls: Labels, name: string): boolean {
  return getLabel(ls, name) !== "";
}

/**
 * A canonical string key for a label set: equal sets give equal keys and
 * different sets give different keys, whatever characters names and values
 * contain, because every string is prefixed with its length.
 */
export function labelsKey(ls: Labels): string {
  // join() builds one flat string. Appending with += left a tree of ~12 concatenation
  // nodes and small number strings per key, which the store keeps for every series
  // (37 MiB of them at 100,000 series).
  const parts = keyParts;
  parts.length = 0;
  for (const l of ls) parts.push(l.name.length, ":", l.name, l.value.length, ":", l.value);
  const key = parts.join("");
  parts.length = 0;
  return key;
}
const keyParts: (string | number)[] = [];

// ---------------------------------------------------------------------------
// Formatting

/**
 * Quotes a string as Go's `strconv.Quote` (`%q`) does: `"` and `\` are
 * escaped, \a \b \f \n \r \t \v use their short forms, other control and
 * non-printable characters become \xHH, \uHHHH or \UHHHHHHHH, and printable
 * Unicode (letters, marks, numbers, punctuation, symbols, ASCII space) is kept.
 * Lone surrogates cannot be encoded in UTF-8 and are printed as \ufffd, which
 * is what Go prints for invalid UTF-8.
 */
export function quoteString(s: string): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    out += escapeRune(cp);
  }
  return out + '"';
}

// Go's unicode.IsPrint: categories L, M, N, P, S plus U+0020. The Unicode
// version is the JavaScript engine's, which may be newer than Go's tables.
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function escapeRune(cp: number): string {
  switch (cp) {
    case 0x22:
      return '\\"';
    case 0x5c:
      return "\\\\";
    case 0x07:
      return "\\a";
    case 0x08:
      return "\\b";
    case 0x0c:
      return "\\f";
    case 0x0a:
      return "\\n";
    case 0x0d:
      return "\\r";
    case 0x09:
      return "\\t";
    case 0x0b:
      return "\\v";
  }
  if (cp >= 0x20 && cp < 0x7f) return String.fromCharCode(cp);
  if (cp < 0x20 || cp === 0x7f) return "\\x" + cp.toString(16).padStart(2, "0");
  if (cp >= 0xd800 && cp <= 0xdfff) return "\\ufffd";
  const ch = String.fromCodePoint(cp);
  if (printable.test(ch)) return ch;
  if (cp < 0x10000) return "\\u" + cp.toString(16).padStart(4, "0");
  return "\\U" + cp.toString(16).padStart(8, "0");
}

/** A label name as Prometheus 3 prints it: bare when legacy-valid, quoted otherwise. */
function formatLabelName(name: string): string {
  return isValidLegacyLabelName(name) ? name : quoteString(name);
}

/**
 * The brace form Prometheus's `Labels.String()` produces, including the
 * metric name as an ordinary label: `{__name__="up", job="x"}`.
 */
export function labelsString(ls: Labels): string {
  let out = "{";
  for (let i = 0; i < ls.length; i++) {
    if (i > 0) out += ", ";
    out += formatLabelName(ls[i].name) + "=" + quoteString(ls[i].value);
  }
  return out + "}";
}

/**
 * The series form used by PromQL and the UI: `up{job="x"}`, just `up` when
 * there are no other labels, and `{job="x"}` without a metric name. A metric
 * name that is not a legacy name is quoted inside the braces, as Prometheus 3
 * prints UTF-8 names: `{"my.metric", job="x"}`.
 */
export function formatSeries(ls: Labels): string {
  let name = "";
  const rest: string[] = [];
  for (const l of ls) {
    if (l.name === METRIC_NAME) name = l.value;
    else rest.push(formatLabelName(l.name) + "=" + quoteString(l.value));
  }
  if (name === "") return "{" + rest.join(", ") + "}";
  if (isValidLegacyMetricName(name)) return rest.length === 0 ? name : name + "{" + rest.join(", ") + "}";
  return "{" + [quoteString(name), ...rest].join(", ") + "}";
}

// ---------------------------------------------------------------------------
// Validation

/** `[a-zA-Z_][a-zA-Z0-9_]*` (Prometheus `LabelName.IsValidLegacy`). */
export function isValidLegacyLabelName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok =
      (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (i > 0 && c >= 0x30 && c <= 0x39);
    if (!ok) return false;
  }
  return true;
}

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` (Prometheus `IsValidLegacyMetricName`). */
export function isValidLegacyMetricName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok =
      (c >= 0x61 && c <= 0x7a) ||
      (c >= 0x41 && c <= 0x5a) ||
      c === 0x5f ||
      c === 0x3a ||
      (i > 0 && c >= 0x30 && c <= 0x39);
    if (!ok) return false;
  }
  return true;
}

/**
 * A label (or metric) name under the UTF-8 validation scheme, the Prometheus 3
 * default: any non-empty string that is valid UTF-8. A JavaScript string is
 * valid UTF-8 when it has no lone surrogate.
 */
export function isValidUtf8LabelName(name: string): boolean {
  return name.length > 0 && isWellFormed(name);
}

function isWellFormed(s: string): boolean {
  // String.prototype.isWellFormed exists from Node 20; keep a fallback for
  // other runtimes since this module is isomorphic.
  const f = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (f) return f.call(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/**
 * Checks a label set the way Prometheus checks series received by remote write
 * and scrapes, plus this module's structural invariants (sorted names, no
 * empty values). Returns null when valid, otherwise an error message.
 *
 * Wording: where Prometheus has a sentence for the failure we use it —
 * `missing metric name (__name__ label)` (scrape), `invalid metric name or
 * labels, got {...}` (remote write 2.0) and `invalid labels for series, labels
 * {...}, duplicated label x` (remote write 2.0). Prometheus uses one sentence
 * for several causes of invalidity; we append the specific cause after a
 * colon so the message says which label is wrong. Prometheus sorts incoming
 * labels instead of rejecting unsorted ones; we reject them because `Labels`
 * promises sorted order to every reader.
 */
export function validateLabels(ls: Labels, scheme: NameValidationScheme = "utf8"): string | null {
  let hasName = false;
  for (const l of ls) {
    if (l.name === METRIC_NAME) hasName = true;
  }
  if (!hasName) return `missing metric name (${METRIC_NAME} label)`;
  const invalid = (why: string) => `invalid metric name or labels, got ${labelsString(ls)}: ${why}`;
  for (let i = 0; i < ls.length; i++) {
    const { name, value } = ls[i];
    if (name === "") return invalid("label name must not be empty");
    const nameOk = scheme === "legacy" ? isValidLegacyLabelName(name) : isValidUtf8LabelName(name);
    if (!nameOk) return invalid(`${quoteString(name)} is not a valid label name`);
    if (value === "") return invalid(`label ${quoteString(name)} has an empty value`);
    if (!isWellFormed(value)) return invalid(`label ${quoteString(name)} has a value that is not valid UTF-8`);
    if (name === METRIC_NAME) {
      const metricOk = scheme === "legacy" ? isValidLegacyMetricName(value) : isValidUtf8LabelName(value);
      if (!metricOk) return invalid(`${quoteString(value)} is not a valid metric name`);
    }
    if (i > 0) {
      const prev = ls[i - 1].name;
      if (prev === name) return `invalid labels for series, labels ${labelsString(ls)}, duplicated label ${name}`;
      if (compareStrings(prev, name) > 0) {
        return `invalid labels for series, labels ${labelsString(ls)}, label ${quoteString(name)} is out of order (after ${quoteString(prev)})`;
      }
    }
  }
  return null;
}
