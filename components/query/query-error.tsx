"use client";

// An API error as a readable box; a PromQL parse error also shows the
// expression with a caret under the position the server reported.

import { ApiRequestError } from "@/components/api/use-api-query";
import { parseErrorPosition } from "./format";
import styles from "./query.module.css";

export function QueryError({ error, expr }: { error: unknown; expr?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof ApiRequestError ? titleFor(error) : "Error";
  const pos = expr ? parseErrorPosition(message) : null;
  let caret: React.ReactNode = null;
  if (pos && expr) {
    const line = expr.split("\n")[pos.line - 1];
    if (line !== undefined) {
      // Prometheus counts columns in bytes; for ASCII they equal characters.
      const col = Math.min(Math.max(pos.column - 1, 0), line.length);
      caret = (
        <pre className={styles.errorCaret} data-testid="error-caret">
          {line}
          {"\n"}
          {" ".repeat(col)}
          <mark>^</mark>
        </pre>
      );
    }
  }
  return (
    <div className={styles.error} role="alert" data-testid="query-error">
      <strong>{kind}</strong>
      <span data-testid="query-error-message">{message}</span>
      {caret}
    </div>
  );
}

function titleFor(e: ApiRequestError): string {
  switch (e.errorType) {
    case "bad_data":
      return "Invalid query";
    case "execution":
      return "Query failed";
    case "timeout":
      return "Query timed out";
    case "canceled":
      return "Query canceled";
    case "network":
      return "Cannot reach the server";
    default:
      return `Error (${e.errorType})`;
  }
}

/** Warnings and infos the API returned beside the data. */
export function Annotations({ warnings, infos }: { warnings: string[]; infos: string[] }) {
  if (warnings.length === 0 && infos.length === 0) return null;
  return (
    <>
      {warnings.map((w, i) => (
        <div key={`w${i}`} className={styles.notice} data-testid="query-warning">
          <strong>Warning:</strong> {w}
        </div>
      ))}
      {infos.map((w, i) => (
        <div key={`i${i}`} className={styles.info} data-testid="query-info">
          <strong>Info:</strong> {w}
        </div>
      ))}
    </>
  );
}
