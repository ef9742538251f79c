// The one error type of the HTTP API, carrying Prometheus's errorType. Domain
// functions in server/api throw it for bad input; `apiRoute` maps it (and the
// engine's typed errors) to the envelope and status code.

/** Prometheus's `errorType` values (web/api/v1). */
export type ErrorType = "bad_data" | "execution" | "timeout" | "canceled" | "not_found" | "internal" | "unavailable";

/** An API error with Prometheus's errorType; `message` is sent verbatim. */
export class ApiError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Prometheus's `invalidParamError`: `invalid parameter "<name>": <cause>` (bad_data). */
export function invalidParamError(err: unknown, name: string): ApiError {
  const msg = err instanceof Error ? err.message : String(err);
  return new ApiError("bad_data", `invalid parameter "${name}": ${msg}`);
}

/** A bad_data error with exactly `message`. */
export function badData(message: string): ApiError {
  return new ApiError("bad_data", message);
}
