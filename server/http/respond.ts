// The single wrapper of every /api/v1 route handler (Prometheus's `wrap()` and
// `respond`/`respondError` in web/api/v1): builds the
// `{status, data, errorType, error, warnings, infos}` envelope and maps typed
// errors to errorType and status code in one place.

import { ApiError, type ErrorType } from "./errors";
import { toJSON } from "./json";

/** What a domain function returns: the data plus annotations. */
export interface ApiResult<T = unknown> {
  data: T;
  warnings?: string[];
  infos?: string[];
}

/** Prometheus caps each annotation list at 10 (`annotations.AsStrings(query, 10, 10)`). */
const MAX_ANNOTATIONS = 10;

const STATUS: Record<ErrorType, number> = {
  bad_data: 400,
  execution: 422,
  // 499 is nginx's "client closed request", which Prometheus uses for canceled queries.
  canceled: 499,
  timeout: 503,
  unavailable: 503,
  not_found: 404,
  internal: 500,
};

const JSON_HEADERS = { "content-type": "application/json" };

function capped(list: string[] | undefined, kind: "warning" | "info"): string[] | undefined {
  if (!list || list.length === 0) return undefined;
  if (list.length <= MAX_ANNOTATIONS) return list;
  return [...list.slice(0, MAX_ANNOTATIONS), `${list.length - MAX_ANNOTATIONS} more ${kind} annotations omitted`];
}

/** A success envelope. */
export function successResponse(result: ApiResult): Response {
  const body = toJSON({
    status: "success",
    data: result.data,
    warnings: capped(result.warnings, "warning"),
    infos: capped(result.infos, "info"),
  });
  return new Response(body, { status: 200, headers: JSON_HEADERS });
}

/** An error envelope; Prometheus sends no annotations with errors. */
export function errorResponse(type: ErrorType, message: string): Response {
  return new Response(toJSON({ status: "error", errorType: type, error: message }), { status: STATUS[type], headers: JSON_HEADERS });
}

// Error classes are matched by `name`, not `instanceof`: the engine runs in
// the runtime started from instrumentation.ts, a different module graph from
// the route handlers', so its classes are not the ones this module imports.
const ERROR_TYPES: Record<string, ErrorType> = {
  QueryTimeoutError: "timeout",
  QueryCanceledError: "canceled",
  StorageError: "internal",
  QueryExecutionError: "execution",
  TooManySamplesError: "execution",
  PromQLParseError: "bad_data",
  BadQueryError: "bad_data",
};

/** Maps any thrown value to Prometheus's errorType (its `returnAPIError`), or null for an unexpected one. */
export function classifyError(err: unknown): { type: ErrorType; message: string } | null {
  if (err instanceof ApiError) return { type: err.type, message: err.message };
  if (!(err instanceof Error)) return null;
  if (err.name === "ApiError" && "type" in err) return { type: (err as ApiError).type, message: err.message };
  const type = ERROR_TYPES[err.name];
  return type ? { type, message: err.message } : null;
}

// Prometheus's httputil.SetCORS with its default --web.cors.origin=".*":
// set only when the request carries an Origin header.
const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, Origin",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Expose-Headers": "Date",
  Vary: "Origin",
  "Access-Control-Allow-Origin": "*",
};

function withCORS(req: Request, res: Response): Response {
  if (!req.headers.get("origin")) return res;
  for (const [k, v] of Object.entries(CORS_HEADERS)) res.headers.set(k, v);
  return res;
}

/** OPTIONS handler of every API route: 204 with CORS headers, as Prometheus's `api.options`. */
export async function corsPreflight(req: Request): Promise<Response> {
  return withCORS(req, new Response(null, { status: 204 }));
}

/**
 * Wraps an API handler. The handler returns an `ApiResult` (200 with the
 * envelope) or `undefined` (204, as Prometheus answers when data is nil).
 * Unexpected errors are logged and answered with a generic `internal` error:
 * Prometheus sends their text, we do not leak internals.
 */
export function apiRoute<A extends unknown[]>(
  handler: (req: Request, ...rest: A) => Promise<ApiResult | undefined>,
): (req: Request, ...rest: A) => Promise<Response> {
  return async (req, ...rest) => {
    let res: Response;
    try {
      const result = await handler(req, ...rest);
      res = result === undefined ? new Response(null, { status: 204 }) : successResponse(result);
    } catch (err) {
      const known = classifyError(err);
      if (known) res = errorResponse(known.type, known.message);
      else {
        console.error(`vigil: ${req.method} ${new URL(req.url).pathname} failed:`, err);
        res = errorResponse("internal", "internal server error");
      }
    }
    return withCORS(req, res);
  };
}
