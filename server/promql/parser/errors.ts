// Positioned parse errors, worded as Prometheus words them.
//
// Prometheus reports `<line>:<col>: parse error: <reason>` where the column is
// a 1-based *byte* offset within the line (Go strings are bytes). We keep that
// exact text in `message`, and also expose UTF-16 `start`/`end` offsets so an
// editor can underline the offending range.

import type { PosRange } from "./ast";
import { utf8ByteLength } from "./go-format";

/** One problem found while parsing or type-checking a query. */
export interface ParseErrorDetail {
  /** The reason without position, e.g. `unexpected <op:+>`. */
  reason: string;
  /** UTF-16 offsets of the offending range. */
  posRange: PosRange;
}

/**
 * Converts an offset into Prometheus's `line:col` form (Go's
 * `PositionRange.StartPosInput`): lines count `\n`, the column counts bytes
 * from the previous newline, both 1-based. An empty query gives
 * "unknown position".
 */
export function positionToLineCol(query: string, offset: number): string {
  const lc = lineAndColumn(query, offset);
  if (lc === null) return query === "" ? "unknown position" : "invalid position";
  return `${lc.line}:${lc.column}`;
}

/** Line and byte column (both 1-based) of a UTF-16 offset, or null when out of range. */
export function lineAndColumn(query: string, offset: number): { line: number; column: number } | null {
  if (query === "" || offset < 0 || offset > query.length) return null;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (query.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: utf8ByteLength(query.slice(lineStart, offset)) + 1 };
}

/** Formats one detail as Prometheus's `ParseErr.Error()`. */
export function formatParseError(query: string, detail: ParseErrorDetail): string {
  return `${positionToLineCol(query, detail.posRange.start)}: parse error: ${detail.reason}`;
}

/**
 * Thrown by `parseExpr` and friends. `message` is exactly Prometheus's text for
 * the first error (e.g. `1:5: parse error: unexpected <op:+>`); `errors` holds
 * every problem found, first one first.
 */
export class PromQLParseError extends Error {
  override readonly name = "PromQLParseError";
  /** The query that failed to parse. */
  readonly query: string;
  /** The reason of the first error, without position. */
  readonly reason: string;
  /** 1-based line of the first error (0 when the query is empty). */
  readonly line: number;
  /** 1-based byte column of the first error, as Prometheus counts it (0 when the query is empty). */
  readonly column: number;
  /** UTF-16 offset where the first error starts. */
  readonly start: number;
  /** UTF-16 offset where the first error ends. */
  readonly end: number;
  /** All errors, in the order they were found. */
  readonly errors: readonly ParseErrorDetail[];

  constructor(query: string, errors: ParseErrorDetail[]) {
    const first = errors[0] ?? { reason: "error contains no error message", posRange: { start: 0, end: 0 } };
    super(formatParseError(query, first));
    this.query = query;
    this.reason = first.reason;
    this.start = first.posRange.start;
    this.end = first.posRange.end;
    const lc = lineAndColumn(query, first.posRange.start);
    this.line = lc?.line ?? 0;
    this.column = lc?.column ?? 0;
    this.errors = errors;
  }
}
