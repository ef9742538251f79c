// Parsers for the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0,
// following Prometheus's model/textparse (promparse.go, openmetricsparse.go).
//
// One pass over the page, one line at a time. For every sample the parser
// calls `onSample(series, v, t, ctx)` where `series` is the raw text of the
// series (name and label set exactly as written). A scraper caches by that
// string, as Prometheus's scrape cache does, and asks `ctx.labels()` for the
// sorted label set only for series it has not seen. Metadata (HELP, TYPE,
// UNIT) is collected per family name.
//
// Differences between the two formats, as Prometheus's lexers draw them:
//
//                    text 0.0.4                       OpenMetrics 1.0
//   separators       spaces/tabs, any number, also    exactly one space, none
//                    inside braces                    inside braces
//   blank lines      ignored                          error
//   other # lines    comments, ignored                error
//   HELP/TYPE/UNIT   HELP and TYPE                    all three; a space must
//                                                     follow the name
//   timestamps       integer milliseconds (digits)    float seconds (→ ms, truncated
//                                                     toward zero as Prometheus)
//   exemplars        not allowed                      ` # {labels} value [timestamp]`
//   end of input     anything                         `# EOF` required, nothing after it
//   HELP escapes     \\ \n                            \\ \" \n
//
// In both, label values unescape \\ \" \n and keep any other escape verbatim
// (Prometheus's replacer does the same), and a trailing comma in a label set
// is allowed; the text format even allows omitting the comma between pairs.
// Exactly one blank separates a HELP/TYPE name from its text: further blanks
// are part of the text (and make a TYPE invalid), as in Prometheus's lexers.
//
// Both accept Prometheus 3's quoted UTF-8 names: `{"my.metric", "a.b"="v"}`.
// Values use Prometheus's float syntax: decimal floats, NaN and ±Inf in Go's
// case-insensitive spellings ("nan", "+inf", "Infinity"); hex floats and "_"
// are rejected, as Prometheus rejects them. Like Prometheus 3, `le` labels of
// histograms and `quantile` labels of summaries are normalized to the
// OpenMetrics float form ("1" → "1.0").
//
// Label values that are empty are dropped: in Vigil (as in PromQL) an empty
// value means the label is absent, and `Labels` never stores one. Duplicate
// label names are rejected here; Prometheus rejects them later in the scrape,
// which fails the scrape just the same.

import { isAscii } from "node:buffer";
import { compareStrings, METRIC_NAME, type Label, type Labels } from "@/server/storage/labels/labels";
import { formatFloatG } from "@/server/promql/parser/go-format";

/** Which parser to use. */
export type ExpositionFormat = "prometheus-text" | "openmetrics";

/** Metric types as Prometheus reports them (`untyped` is reported as `unknown`). */
export type MetricType = "counter" | "gauge" | "histogram" | "gaugehistogram" | "summary" | "info" | "stateset" | "unknown";

/** Metadata of one metric family. */
export interface MetricMetadata {
  /** The family name from the HELP/TYPE/UNIT lines. */
  name: string;
  type: MetricType;
  help: string;
  unit: string;
}

/** An OpenMetrics exemplar. */
export interface Exemplar {
  labels: Labels;
  v: number;
  /** Milliseconds, when the exemplar carries a timestamp. */
  t?: number;
}

/** One parsed sample. */
export interface Sample {
  /** Sorted, including `__name__`. */
  labels: Labels;
  /** Milliseconds, when the exposition gives a timestamp. */
  t?: number;
  v: number;
  exemplar?: Exemplar;
  /**
   * OpenMetrics only: the sample is a `<name>_created` series of a counter,
   * summary or histogram family (its value is the created timestamp in
   * seconds). Prometheus can skip these; the scraper decides.
   */
  created?: true;
}

/** A malformed exposition. */
export class ExpositionParseError extends Error {
  override name = "ExpositionParseError";
  constructor(
    /** 1-based line number (0 when the problem is not on one line). */
    readonly line: number,
    readonly detail: string,
  ) {
    super(line > 0 ? `line ${line}: ${detail}` : detail);
  }
}

/** Details of the sample being reported, valid only during the `onSample` call. */
export interface SampleContext {
  /** The sample's labels, sorted, including `__name__` (built on each call). */
  labels(): Labels;
  /** The metric name. */
  readonly metricName: string;
  /** The exemplar, when the line has one (OpenMetrics). */
  exemplar(): Exemplar | undefined;
  /** See `Sample.created`. */
  readonly created: boolean;
  /** The type from the most recent TYPE line ("unknown" before any). */
  readonly metricType: MetricType;
  /**
   * The metric family the sample belongs to, for metadata lookups: the name
   * of the latest HELP/TYPE/UNIT line when the sample's name is that name or
   * that name plus a suffix the family's samples use (`_total`, `_bucket`,
   * `_count`, `_sum`, `_created`, `_info`, `_gcount`, `_gsum`); otherwise the
   * metric name itself.
   */
  readonly family: string;
  /** 1-based line number. */
  readonly line: number;
}

export interface ExpositionHandler {
  /**
   * Called for every sample. `series` is the series as written (name and
   * braces), a stable cache key for the target; `t` is milliseconds or
   * undefined.
   */
  onSample(series: string, v: number, t: number | undefined, ctx: SampleContext): void;
  /** Called for each HELP, TYPE and UNIT line, with the family's metadata so far. */
  onMetadata?(meta: Readonly<MetricMetadata>): void;
}

/** The result of `parseExposition`. */
export interface ParseResult {
  samples: Sample[];
  /** One entry per family name, in order of first appearance. */
  metadata: MetricMetadata[];
}

// ---------------------------------------------------------------------------
// Content type

/** An unsupported or missing Content-Type and no fallback. */
export class UnsupportedContentTypeError extends Error {
  override name = "UnsupportedContentTypeError";
}

/**
 * Picks the parser for a response's Content-Type, as Prometheus 3 does:
 * `application/openmetrics-text` → OpenMetrics, `text/plain` → text format.
 * A missing or other type (such as protobuf) fails unless a fallback is
 * configured (`fallback_scrape_protocol`).
 */
export function formatFromContentType(contentType: string | null | undefined, fallback?: ExpositionFormat): ExpositionFormat {
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType === "application/openmetrics-text") return "openmetrics";
  if (mediaType === "text/plain") return "prometheus-text";
  if (fallback) return fallback;
  if (mediaType === "") throw new UnsupportedContentTypeError("non-compliant scrape target sending blank Content-Type and no fallback_scrape_protocol specified for target");
  throw new UnsupportedContentTypeError(`received unsupported Content-Type ${JSON.stringify(contentType)} and no fallback_scrape_protocol specified for target`);
}

// ---------------------------------------------------------------------------
// Entry points

/**
 * Parses a whole page into samples and metadata. `input` may be the raw
 * bytes (which must be valid UTF-8) or a string. Throws
 * `ExpositionParseError` on the first malformed line.
 */
export function parseExposition(input: string | Uint8Array, format: ExpositionFormat): ParseResult {
  const samples: Sample[] = [];
  const metadata = parseExpositionStream(input, format, {
    onSample(_series, v, t, ctx) {
      const s: Sample = { labels: ctx.labels(), v };
      if (t !== undefined) s.t = t;
      const ex = ctx.exemplar();
      if (ex) s.exemplar = ex;
      if (ctx.created) s.created = true;
      samples.push(s);
    },
  });
  return { samples, metadata };
}

/**
 * Streams a page through `handler`; returns the metadata per family. Throws
 * `ExpositionParseError` on the first malformed line (samples before it have
 * already been reported, so a scraper should buffer and discard on error, as
 * Prometheus rolls back its appender).
 */
export function parseExpositionStream(input: string | Uint8Array, format: ExpositionFormat, handler: ExpositionHandler): MetricMetadata[] {
  const text = typeof input === "string" ? input : decodeUtf8(input);
  const p = new Parser(text, format === "openmetrics", handler);
  p.run();
  return [...p.metadata.values()];
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string {
  // Most pages are pure ASCII: checking that (SIMD in Node) and decoding as
  // Latin-1 is several times faster than the UTF-8 decoder, and for ASCII
  // the two agree byte for byte.
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  try {
    return decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new ExpositionParseError(line, "invalid UTF-8");
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if ((c & 0xe0) === 0xc0) [n, min] = [1, 0x80];
    else if ((c & 0xf0) === 0xe0) [n, min] = [2, 0x800];
    else if ((c & 0xf8) === 0xf0) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}

// ---------------------------------------------------------------------------
// Parser

const enum C {
  TAB = 0x09,
  NL = 0x0a,
  SPACE = 0x20,
  QUOTE = 0x22,
  HASH = 0x23,
  COMMA = 0x2c,
  EQ = 0x3d,
  BACKSLASH = 0x5c,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
}

const FAMILY_SUFFIXES = new Set(["_total", "_bucket", "_count", "_sum", "_created", "_info", "_gcount", "_gsum"]);

const TEXT_TYPES: Record<string, MetricType> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  summary: "summary",
  untyped: "unknown",
};

const OM_TYPES: Record<string, MetricType> = {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  gaugehistogram: "gaugehistogram",
  summary: "summary",
  info: "info",
  stateset: "stateset",
  unknown: "unknown",
};

// Character classes for ASCII: 1 = label-name start, 2 = label-name char, 4 =
// metric-name start, 8 = metric-name char.
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
  const digit = c >= 0x30 && c <= 0x39;
  CLASS[c] = (letter ? 1 | 2 | 4 | 8 : 0) | (digit ? 2 | 8 : 0) | (c === 0x3a ? 4 | 8 : 0);
}

function isMetricNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a;
}

/** Quotes a fragment of input for an error message, shortened. */
function show(s: string): string {
  return JSON.stringify(s.length > 40 ? s.slice(0, 40) + "…" : s);
}

class Parser implements SampleContext {
  readonly metadata = new Map<string, MetricMetadata>();
  private pos = 0;
  private end = 0; // end of the current line (index of "\n" or text length)
  private lineNo = 0;
  private mtype: MetricType = "unknown";
  private familyName = "";

  // Scratch state of the current sample, read by the SampleContext methods.
  // Names and values are kept as offsets into the page and only sliced when
  // `labels()` asks for them: a scraper that finds the series in its cache
  // never pays for the strings.
  private hasName = false;
  private nameStart = 0;
  private nameEnd = 0;
  private nameDecoded: string | null = null; // a quoted name with escapes
  private readonly series = new LabelScratch();
  private readonly ex = new LabelScratch();
  private hasExemplar = false;
  // The span of the last quoted string read (contents, without quotes).
  private qs = 0;
  private qe = 0;
  private exV = 0;
  private exT: number | undefined = undefined;
  private isCreated = false;
  private normCache = new Map<string, string>();
  private nextBackslash = -1;

  constructor(
    private readonly s: string,
    private readonly om: boolean,
    private readonly handler: ExpositionHandler,
  ) {}

  // SampleContext -----------------------------------------------------------

  get metricName(): string {
    return this.nameDecoded ?? this.s.slice(this.nameStart, this.nameEnd);
  }
  get created(): boolean {
    return this.isCreated;
  }
  get metricType(): MetricType {
    return this.mtype;
  }
  get line(): number {
    return this.lineNo;
  }
  get family(): string {
    const name = this.metricName;
    const fam = this.familyName;
    if (name === fam || fam === "") return fam === "" ? name : fam;
    if (name.length > fam.length && name.startsWith(fam) && FAMILY_SUFFIXES.has(name.slice(fam.length))) return fam;
    return name;
  }

  labels(): Labels {
    const out: Label[] = [{ name: METRIC_NAME, value: this.metricName }];
    this.series.collect(this.s, out, this.mtype === "histogram" || this.mtype === "summary" ? this : null);
    return finishLabels(out, this.lineNo);
  }

  exemplar(): Exemplar | undefined {
    if (!this.hasExemplar) return undefined;
    const out: Label[] = [];
    this.ex.collect(this.s, out, null);
    const ex: Exemplar = { labels: finishLabels(out, this.lineNo), v: this.exV };
    if (this.exT !== undefined) ex.t = this.exT;
    return ex;
  }

  // Driver ------------------------------------------------------------------

  private fail(msg: string): never {
    throw new ExpositionParseError(this.lineNo, msg);
  }

  run(): void {
    const s = this.s;
    const n = s.length;
    let pos = 0;
    if (s.charCodeAt(0) === 0xfeff) pos = 1; // a UTF-8 BOM is not part of the page
    let sawEOF = false;
    while (pos < n) {
      let end = s.indexOf("\n", pos);
      if (end < 0) end = n;
      this.lineNo++;
      if (sawEOF) this.fail("unexpected data after # EOF");
      this.pos = pos;
      this.end = end;
      const c = s.charCodeAt(pos);
      if (c === C.HASH) {
        if (this.comment()) sawEOF = true;
      } else if (pos === end) {
        if (this.om) this.fail("unexpected empty line");
      } else {
        this.sampleLine();
      }
      pos = end + 1;
    }
    if (this.om && !sawEOF) {
      this.lineNo = 0;
      this.fail("data does not end with # EOF");
    }
  }

  // Comments and metadata ---------------------------------------------------

  /** Handles a line starting with "#"; returns true for `# EOF`. */
  private comment(): boolean {
    const s = this.s;
    const line = s.slice(this.pos, this.end);
    if (this.om) {
      if (line === "# EOF") return true;
      if (line.startsWith("# HELP ")) this.metaLine("HELP", this.pos + 7);
      else if (line.startsWith("# TYPE ")) this.metaLine("TYPE", this.pos + 7);
      else if (line.startsWith("# UNIT ")) this.metaLine("UNIT", this.pos + 7);
      else this.fail(`invalid comment or metadata line ${show(line)}: expected "# HELP", "# TYPE", "# UNIT" or "# EOF"`);
      return false;
    }
    // Text format: "#", blanks, then HELP or TYPE and a blank; anything else is a comment.
    let i = this.pos + 1;
    while (i < this.end && (s.charCodeAt(i) === C.SPACE || s.charCodeAt(i) === C.TAB)) i++;
    if (i === this.pos + 1) return false;
    const kw = s.slice(i, i + 4);
    if ((kw === "HELP" || kw === "TYPE") && i + 4 < this.end && (s.charCodeAt(i + 4) === C.SPACE || s.charCodeAt(i + 4) === C.TAB)) {
      i += 4;
      while (i < this.end && (s.charCodeAt(i) === C.SPACE || s.charCodeAt(i) === C.TAB)) i++;
      this.metaLine(kw, i);
    }
    return false;
  }

  private metaLine(kind: "HELP" | "TYPE" | "UNIT", at: number): void {
    const s = this.s;
    this.pos = at;
    let name: string;
    if (s.charCodeAt(at) === C.QUOTE) {
      name = this.quoted("metric name");
      if (name === "") this.fail("metric name must not be empty");
    } else {
      name = this.metricNameToken();
    }
    let rest = "";
    const e = this.end;
    if (this.pos < e) {
      const c = s.charCodeAt(this.pos);
      if (c !== C.SPACE && !(c === C.TAB && !this.om)) this.fail(`unexpected ${show(s.slice(this.pos, e))} after metric name in ${kind} line`);
      // Exactly one blank separates the name from the text; further blanks
      // belong to the text, as in Prometheus's lexers (so "# TYPE m  gauge"
      // is an invalid type " gauge").
      this.pos++;
      rest = s.slice(this.pos, e);
    } else if (this.om) {
      this.fail(`expected text in ${kind}`); // OpenMetrics: a space must follow the name, even before empty text
    } else if (kind !== "HELP") {
      this.fail(`missing metric type in ${kind} line`);
    }
    this.familyName = name;
    let meta = this.metadata.get(name);
    if (!meta) {
      meta = { name, type: "unknown", help: "", unit: "" };
      this.metadata.set(name, meta);
    }
    switch (kind) {
      case "HELP":
        meta.help = this.unescapeHelp(rest);
        break;
      case "TYPE": {
        const table = this.om ? OM_TYPES : TEXT_TYPES;
        if (!Object.prototype.hasOwnProperty.call(table, rest)) this.fail(`invalid metric type ${show(rest)}`);
        const t = table[rest];
        meta.type = t;
        this.mtype = t;
        break;
      }
      case "UNIT":
        if (rest !== "" && !(name.length > rest.length + 1 && name.endsWith(rest) && name.charCodeAt(name.length - rest.length - 1) === 0x5f)) {
          this.fail(`unit ${show(rest)} not a suffix of metric ${show(name)}`);
        }
        meta.unit = rest;
        break;
    }
    this.handler.onMetadata?.(meta);
  }

  private unescapeHelp(h: string): string {
    if (h.indexOf("\\") < 0) return h;
    let out = "";
    for (let i = 0; i < h.length; i++) {
      const c = h[i];
      if (c !== "\\" || i + 1 >= h.length) {
        out += c;
        continue;
      }
      const d = h[++i];
      if (d === "n") out += "\n";
      else if (d === "\\") out += "\\";
      else if (d === '"' && this.om) out += '"';
      else out += "\\" + d; // unknown escapes are kept verbatim, as Prometheus does
    }
    return out;
  }

  // Samples -----------------------------------------------------------------

  private metricNameToken(): string {
    const s = this.s;
    const start = this.pos;
    let i = start;
    if (i >= this.end || !isMetricNameStart(s.charCodeAt(i))) {
      this.fail(i >= this.end ? "expected metric name, got end of line" : `expected metric name, got ${show(s.slice(i, this.end))}`);
    }
    i++;
    const end = this.end;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c >= 128 || (CLASS[c] & 8) === 0) break;
      i++;
    }
    this.pos = i;
    return s.slice(start, i);
  }

  /** Reads an unquoted metric name into nameStart/nameEnd. */
  private metricNameSpan(): void {
    const s = this.s;
    const start = this.pos;
    const end = this.end;
    if (start >= end || !isMetricNameStart(s.charCodeAt(start))) {
      this.fail(start >= end ? "expected metric name, got end of line" : `expected metric name, got ${show(s.slice(start, end))}`);
    }
    let i = start + 1;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c >= 128 || (CLASS[c] & 8) === 0) break;
      i++;
    }
    this.pos = i;
    this.nameStart = start;
    this.nameEnd = i;
    this.hasName = true;
  }

  private skipBlanks(): void {
    if (this.om) return;
    const s = this.s;
    while (this.pos < this.end) {
      const c = s.charCodeAt(this.pos);
      if (c !== C.SPACE && c !== C.TAB) break;
      this.pos++;
    }
  }

  private sampleLine(): void {
    const s = this.s;
    if (!this.om) this.skipBlanks(); // the text format tolerates leading blanks
    const seriesStart = this.pos;
    if (this.pos === this.end) return; // blank line (text format)
    this.hasName = false;
    this.nameDecoded = null;
    this.series.n = 0;
    this.hasExemplar = false;
    let c = s.charCodeAt(this.pos);
    if (c !== C.LBRACE) {
      this.metricNameSpan();
      const afterName = this.pos;
      this.skipBlanks(); // the text format allows blanks before "{"
      c = s.charCodeAt(this.pos);
      if (this.pos >= this.end || c !== C.LBRACE) this.pos = afterName;
    }
    if (this.pos < this.end && c === C.LBRACE) {
      this.pos++;
      this.labelSet(this.series, true);
    }
    if (!this.hasName) this.fail("metric name is missing");
    const series = s.slice(seriesStart, this.pos);

    // Value. In the text format the blank may be omitted after "}", as
    // Prometheus's lexer allows (`m{a="b"}1`).
    if (this.om || s.charCodeAt(this.pos - 1) !== C.RBRACE || this.pos >= this.end || s.charCodeAt(this.pos) === C.SPACE || s.charCodeAt(this.pos) === C.TAB) {
      this.separator("value");
    }
    const v = this.floatToken("value");

    // Timestamp and exemplar.
    let t: number | undefined;
    if (this.pos < this.end) {
      this.separator("timestamp");
      if (this.pos < this.end && !(this.om && s.charCodeAt(this.pos) === C.HASH)) {
        t = this.om ? this.omTimestamp() : this.textTimestamp();
        if (this.pos < this.end) {
          this.separator(this.om ? "exemplar" : "end of line");
        }
      }
      if (this.pos < this.end) {
        if (this.om && s.charCodeAt(this.pos) === C.HASH) this.exemplarPart();
        else this.fail(`unexpected ${show(s.slice(this.pos, this.end))} after ${t === undefined ? "value" : "timestamp"}`);
      }
    }

    this.isCreated =
      this.om &&
      (this.mtype === "counter" || this.mtype === "summary" || this.mtype === "histogram") &&
      ((this.nameDecoded as string | null) !== null
        ? (this.nameDecoded as unknown as string).endsWith("_created")
        : this.nameEnd - this.nameStart >= 8 && s.startsWith("_created", this.nameEnd - 8));
    this.handler.onSample(series, v, t, this);
  }

  /** Consumes the separator before the next token: one space (OpenMetrics) or blanks (text). */
  private separator(what: string): void {
    const s = this.s;
    if (this.pos >= this.end) {
      if (what === "value") this.fail("expected value after metric, got end of line");
      return;
    }
    const c = s.charCodeAt(this.pos);
    if (this.om) {
      if (c !== C.SPACE) this.fail(`expected a single space before ${what}, got ${show(s.slice(this.pos, this.end))}`);
      this.pos++;
      if (this.pos >= this.end || s.charCodeAt(this.pos) === C.SPACE) this.fail(`expected ${what} after a single space`);
      return;
    }
    if (c !== C.SPACE && c !== C.TAB) this.fail(`expected blank before ${what}, got ${show(s.slice(this.pos, this.end))}`);
    this.skipBlanks();
    if (what === "value" && this.pos >= this.end) this.fail("expected value after metric, got end of line");
  }

  /**
   * Parses `name="value", ...}` after the opening brace into `into`. For the
   * sample's own label set (`isSeries`), a first item that is a quoted string
   * without "=" is the metric name.
   */
  private labelSet(into: LabelScratch, isSeries: boolean): void {
    const s = this.s;
    let n = 0;
    let first = true;
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.end) this.fail("unexpected end of line in label set");
      let c = s.charCodeAt(this.pos);
      if (c === C.RBRACE) {
        // A trailing comma is allowed in both formats, as Prometheus allows it.
        this.pos++;
        break;
      }
      let ns: number;
      let ne: number;
      let nameDecoded: string | null = null;
      if (c === C.QUOTE) {
        nameDecoded = this.quotedSpan("label name");
        ns = this.qs;
        ne = this.qe;
        this.skipBlanks();
        const d = s.charCodeAt(this.pos);
        if (isSeries && first && this.pos < this.end && (d === C.COMMA || d === C.RBRACE)) {
          // {"metric.name", ...}: the quoted metric name.
          if (this.hasName) this.fail(`metric name ${show(nameDecoded ?? s.slice(ns, ne))} given twice`);
          if (ns === ne) this.fail("metric name must not be empty");
          this.hasName = true;
          this.nameStart = ns;
          this.nameEnd = ne;
          this.nameDecoded = nameDecoded;
          first = false;
          this.pos++;
          if (d === C.COMMA) continue;
          break;
        }
        if (ns === ne) this.fail("label name must not be empty");
      } else if (c < 128 && (CLASS[c] & 1) !== 0) {
        ns = this.pos;
        const end = this.end;
        let i = ns + 1;
        while (i < end) {
          const d = s.charCodeAt(i);
          if (d >= 128 || (CLASS[d] & 2) === 0) break;
          i++;
        }
        ne = i;
        this.pos = i;
        this.skipBlanks();
      } else {
        this.fail(`expected label name, got ${show(s.slice(this.pos, this.end))}`);
      }
      first = false;
      if (this.pos >= this.end || s.charCodeAt(this.pos) !== C.EQ) {
        this.fail(`expected "=" after label name ${show(nameDecoded ?? s.slice(ns, ne))}, got ${show(s.slice(this.pos, this.end))}`);
      }
      this.pos++;
      this.skipBlanks();
      if (this.pos >= this.end || s.charCodeAt(this.pos) !== C.QUOTE) {
        this.fail(`expected quoted label value for ${show(nameDecoded ?? s.slice(ns, ne))}, got ${show(s.slice(this.pos, this.end))}`);
      }
      const valueDecoded = this.quotedSpan("label value");
      into.set(n, ns, ne, nameDecoded, this.qs, this.qe, valueDecoded);
      n++;
      this.skipBlanks();
      if (this.pos < this.end) {
        c = s.charCodeAt(this.pos);
        if (c === C.COMMA) {
          this.pos++;
          continue;
        }
        if (c === C.RBRACE) {
          this.pos++;
          break;
        }
        // Prometheus's text parser makes the comma optional (`{a="1" b="2"}`);
        // OpenMetrics requires it.
        if (!this.om && (c === C.QUOTE || (c < 128 && (CLASS[c] & 1) !== 0))) continue;
      }
      this.fail(`expected "," or "}" after label value, got ${show(s.slice(this.pos, this.end))}`);
    }
    into.n = n;
  }

  /** Reads a double-quoted string at `pos` with the format's escapes. */
  private quoted(what: string): string {
    const decoded = this.quotedSpan(what);
    return decoded ?? this.s.slice(this.qs, this.qe);
  }

  /**
   * Reads a double-quoted string at `pos`: its contents are at [qs, qe);
   * returns the decoded text when it has escapes, else null.
   */
  private quotedSpan(what: string): string | null {
    const s = this.s;
    const start = ++this.pos;
    // Native indexOf finds the closing quote; a backslash before it means
    // escapes. The next backslash position is cached for the whole page,
    // since most pages have none at all.
    const q = s.indexOf('"', start);
    if (this.nextBackslash < start) {
      const b = s.indexOf("\\", start);
      this.nextBackslash = b < 0 ? Infinity : b;
    }
    if (q >= 0 && q < this.end && this.nextBackslash > q) {
      this.pos = q + 1;
      this.qs = start;
      this.qe = q;
      return null;
    }
    let i = start;
    for (;;) {
      if (i >= this.end) this.fail(`unterminated quoted ${what}`);
      const c = s.charCodeAt(i);
      if (c === C.QUOTE) break;
      i += c === C.BACKSLASH ? 2 : 1;
    }
    this.pos = i + 1;
    this.qs = start;
    this.qe = i;
    let out = "";
    for (let k = start; k < i; k++) {
      const c = s.charCodeAt(k);
      if (c !== C.BACKSLASH) {
        out += s[k];
        continue;
      }
      const d = s[++k];
      if (d === "n") out += "\n";
      else if (d === "\\") out += "\\";
      else if (d === '"') out += '"';
      else out += "\\" + d; // unknown escapes are kept verbatim, as Prometheus does
    }
    return out;
  }

  /** A float token up to the next blank or end of line. */
  private floatToken(what: string): number {
    const s = this.s;
    const start = this.pos;
    let i = start;
    while (i < this.end) {
      const c = s.charCodeAt(i);
      if (c === C.SPACE || c === C.TAB) break;
      i++;
    }
    this.pos = i;
    const fast = fastDecimal(s, start, i);
    if (fast !== null) return fast;
    const tok = s.slice(start, i);
    const v = parsePromFloat(tok);
    if (v === null) this.fail(`invalid ${what} ${show(tok)}`);
    return v;
  }

  private textTimestamp(): number {
    const s = this.s;
    const start = this.pos;
    // The text format's lexer accepts only digits here: no sign.
    let i = start;
    const digitsStart = i;
    while (i < this.end) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) break;
      i++;
    }
    this.pos = i;
    const tok = s.slice(start, i);
    if (i === digitsStart || (i < this.end && s.charCodeAt(i) !== C.SPACE && s.charCodeAt(i) !== C.TAB)) {
      let j = i;
      while (j < this.end && s.charCodeAt(j) !== C.SPACE && s.charCodeAt(j) !== C.TAB) j++;
      this.fail(`invalid timestamp ${show(s.slice(start, j))}: expected integer milliseconds`);
    }
    const t = Number(tok);
    // Go's ParseInt accepts int64; beyond 2^53 a number loses precision, and
    // such timestamps are hundreds of thousands of years away anyway.
    if (!Number.isSafeInteger(t)) this.fail(`timestamp ${show(tok)} out of range`);
    return t;
  }

  private omTimestamp(): number {
    const start = this.pos;
    const ts = this.floatToken("timestamp");
    if (!Number.isFinite(ts)) this.fail(`invalid timestamp ${show(this.s.slice(start, this.pos))}`);
    // Prometheus: int64(ts * 1000), i.e. truncated toward zero.
    return Math.trunc(ts * 1000);
  }

  /** ` # {labels} value [timestamp]` after a sample, starting at "#". */
  private exemplarPart(): void {
    const s = this.s;
    this.pos++; // "#"
    if (!(this.pos + 1 < this.end && s.charCodeAt(this.pos) === C.SPACE && s.charCodeAt(this.pos + 1) === C.LBRACE)) {
      this.fail(`invalid exemplar ${show(s.slice(this.pos - 1, this.end))}: expected "# {"`);
    }
    this.pos += 2;
    this.labelSet(this.ex, false);
    this.hasExemplar = true;
    this.separator("exemplar value");
    if (this.pos >= this.end) this.fail("expected exemplar value, got end of line");
    this.exV = this.floatToken("exemplar value");
    this.exT = undefined;
    if (this.pos < this.end) {
      this.separator("exemplar timestamp");
      this.exT = this.omTimestamp();
      if (this.pos < this.end) this.fail(`unexpected ${show(s.slice(this.pos, this.end))} after exemplar`);
    }
  }

  /** Prometheus 3 rewrites `le` / `quantile` values in the OpenMetrics float form. */
  normalize(name: string, value: string): string {
    if (!((this.mtype === "histogram" && name === "le") || (this.mtype === "summary" && name === "quantile"))) return value;
    let out = this.normCache.get(value);
    if (out === undefined) {
      const f = parsePromFloat(value);
      out = f === null ? value : formatOpenMetricsFloat(f);
      if (this.normCache.size < 1000) this.normCache.set(value, out);
    }
    return out;
  }
}

/** Label names and values of one label set, as offsets into the page plus decoded text where escapes were used. */
class LabelScratch {
  n = 0;
  private off = new Int32Array(64);
  private decName: (string | null)[] = [];
  private decValue: (string | null)[] = [];

  set(i: number, ns: number, ne: number, dn: string | null, vs: number, ve: number, dv: string | null): void {
    if (4 * i + 4 > this.off.length) {
      const bigger = new Int32Array(this.off.length * 2);
      bigger.set(this.off);
      this.off = bigger;
    }
    const o = this.off;
    o[4 * i] = ns;
    o[4 * i + 1] = ne;
    o[4 * i + 2] = vs;
    o[4 * i + 3] = ve;
    this.decName[i] = dn;
    this.decValue[i] = dv;
  }

  collect(s: string, out: Label[], norm: { normalize(name: string, value: string): string } | null): void {
    const o = this.off;
    for (let i = 0; i < this.n; i++) {
      const name = this.decName[i] ?? s.slice(o[4 * i], o[4 * i + 1]);
      let value = this.decValue[i] ?? s.slice(o[4 * i + 2], o[4 * i + 3]);
      if (norm) value = norm.normalize(name, value);
      out.push({ name, value });
    }
  }
}

/** Sorts (when needed), rejects duplicate names and drops empty values. */
function finishLabels(out: Label[], line: number): Labels {
  let sorted = true;
  for (let i = 1; i < out.length; i++) {
    if (compareStrings(out[i - 1].name, out[i].name) >= 0) {
      sorted = false;
      break;
    }
  }
  if (!sorted) {
    out.sort((a, b) => compareStrings(a.name, b.name));
    for (let i = 1; i < out.length; i++) {
      if (out[i - 1].name === out[i].name) {
        throw new ExpositionParseError(line, `label name ${JSON.stringify(out[i].name)} is not unique`);
      }
    }
  }
  // An empty value means "no such label".
  for (let i = 0; i < out.length; i++) {
    if (out[i].value === "") return out.filter((l) => l.value !== "");
  }
  return out;
}

// ---------------------------------------------------------------------------
// Floats

/**
 * Parses a value as Prometheus does (Go's `strconv.ParseFloat` after
 * rejecting "p", "P" and "_"). Returns null when invalid or out of range.
 */
export function parsePromFloat(tok: string): number | null {
  const n = tok.length;
  if (n === 0) return null;
  // Fast path: starts with a digit, sign or dot and ends with a digit or dot,
  // and is not a 0x/0b/0o literal. JavaScript's Number then accepts exactly
  // Go's decimal syntax (it trims only whitespace, which cannot be at either end).
  const c0 = tok.charCodeAt(0);
  const cn = tok.charCodeAt(n - 1);
  if (
    ((c0 >= 0x30 && c0 <= 0x39) || c0 === 0x2d || c0 === 0x2b || c0 === 0x2e) &&
    ((cn >= 0x30 && cn <= 0x39) || cn === 0x2e) &&
    !(c0 === 0x30 && n > 1 && (tok.charCodeAt(1) | 0x20) > 0x60)
  ) {
    const fast = fastDecimal(tok);
    if (fast !== null) return fast;
    const v = Number(tok);
    if (v !== v || v === Infinity || v === -Infinity) return null; // invalid, or Go's ErrRange
    return v;
  }
  let plain = true;
  for (let i = 0; i < n; i++) {
    const c = tok.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d)) {
      plain = false;
      break;
    }
  }
  if (plain) {
    // For these characters JavaScript's Number accepts exactly Go's decimal
    // syntax, and both round correctly.
    const v = Number(tok);
    if (Number.isNaN(v)) return null;
    if (!Number.isFinite(v)) return null; // Go: ErrRange
    return v;
  }
  switch (tok.toLowerCase()) {
    case "nan":
      return NaN;
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
  }
  return null;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * `[-+]?digits[.digits]([eE][-+]?digits)?` with at most 15 significant
 * digits and a small exponent, converted exactly: both the digits and the
 * power of ten are exact doubles, so one multiplication or division rounds
 * correctly (Clinger's fast path). Returns null for anything else, which
 * then goes to Number().
 */
function fastDecimal(tok: string, from = 0, to = tok.length): number | null {
  const n = to;
  if (from >= n) return null;
  let i = from;
  let neg = false;
  const c0 = tok.charCodeAt(from);
  if (c0 === 0x2d || c0 === 0x2b) {
    neg = c0 === 0x2d;
    i = from + 1;
  }
  let m = 0;
  let digits = 0;
  let frac = 0;
  let sawDigit = false;
  let sawDot = false;
  for (; i < n; i++) {
    const c = tok.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      sawDigit = true;
      if (m !== 0 || c !== 0x30) digits++;
      m = m * 10 + (c - 0x30);
      if (sawDot) frac++;
    } else if (c === 0x2e && !sawDot) {
      sawDot = true;
    } else break;
  }
  if (!sawDigit || digits > 15) return null;
  let exp = 0;
  if (i < n) {
    const c = tok.charCodeAt(i);
    if (c !== 0x65 && c !== 0x45) return null;
    i++;
    let eneg = false;
    const s = tok.charCodeAt(i);
    if (s === 0x2d || s === 0x2b) {
      eneg = s === 0x2d;
      i++;
    }
    if (i >= n) return null;
    for (; i < n; i++) {
      const c = tok.charCodeAt(i);
      if (c < 0x30 || c > 0x39 || exp > 1000) return null;
      exp = exp * 10 + (c - 0x30);
    }
    if (eneg) exp = -exp;
  }
  exp -= frac;
  let v: number;
  if (exp === 0) v = m;
  else if (exp > 0 && exp <= 22) v = m * POW10[exp];
  else if (exp < 0 && exp >= -22) v = m / POW10[-exp];
  else return null;
  return neg ? -v : v;
}

/** Prometheus's formatOpenMetricsFloat: Go's %g with ".0" added to integers. */
export function formatOpenMetricsFloat(f: number): string {
  if (f === 1) return "1.0";
  if (f === 0) return "0.0";
  if (f === -1) return "-1.0";
  if (Number.isNaN(f)) return "NaN";
  if (f === Infinity) return "+Inf";
  if (f === -Infinity) return "-Inf";
  const g = formatFloatG(f);
  return g.includes("e") || g.includes(".") ? g : g + ".0";
}
