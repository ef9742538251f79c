// Typed evaluation errors. `Engine.exec` catches these in one place; the HTTP
// layer maps them to Prometheus's errorType (timeout, canceled, execution).

/** An error while evaluating a query (Prometheus errorType "execution"). */
export class QueryExecutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryExecutionError";
  }
}

/** The query ran longer than the engine's timeout. */
export class QueryTimeoutError extends Error {
  constructor(where = "query execution") {
    super(`query timed out in ${where}`);
    this.name = "QueryTimeoutError";
  }
}

/** The query was canceled (AbortSignal). */
export class QueryCanceledError extends Error {
  constructor(where = "query execution") {
    super(`query was canceled in ${where}`);
    this.name = "QueryCanceledError";
  }
}

/** More samples than maxSamples were loaded into memory. */
export class TooManySamplesError extends Error {
  constructor() {
    super("query processing would load too many samples into memory in query execution");
    this.name = "TooManySamplesError";
  }
}

/** The Querier failed. */
export class StorageError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "StorageError";
  }
}

/** Invalid use of the engine itself (bad range-query parameters and the like; errorType bad_data). */
export class BadQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadQueryError";
  }
}
