"use client";

// The one data hook of the UI (Prometheus's `useAPIQuery` in web/ui/mantine-ui):
// it builds the URL, passes the AbortSignal, unwraps the
// `{status, data, errorType, error, warnings, infos}` envelope of /api/v1 and
// throws an ApiRequestError carrying the server's message, so every page shows
// the same readable errors.

import {
  useQuery,
  useSuspenseQuery,
  type UseQueryOptions,
  type UseSuspenseQueryOptions,
} from "@tanstack/react-query";

export type QueryParams = Record<string, string | number | string[] | undefined>;

/** The envelope every /api/v1 endpoint answers with. */
export interface ApiEnvelope<T> {
  status: "success" | "error";
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

/** The data of a successful call with its annotations. */
export interface ApiSuccess<T> {
  data: T;
  warnings: string[];
  infos: string[];
}

/** An error from the API (its errorType and message) or from the network. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    /** Prometheus's errorType (`bad_data`, `execution`, …), or `network` when no envelope came back. */
    readonly errorType: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

/** `path` plus the query string; array values repeat the key (`match[]=a&match[]=b`). */
export function apiUrl(path: string, params: QueryParams = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, v);
    else search.append(key, String(value));
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * Calls an /api/v1 endpoint and unwraps its envelope. GET sends params in the
 * query string; POST sends them form-encoded, as Prometheus's UI does for long
 * queries.
 */
export async function apiFetch<T>(
  path: string,
  params: QueryParams = {},
  init: { signal?: AbortSignal; method?: "GET" | "POST" } = {},
): Promise<ApiSuccess<T>> {
  const method = init.method ?? "GET";
  let response: Response;
  try {
    if (method === "POST") {
      const body = new URLSearchParams(apiUrl("", params).replace(/^\?/, ""));
      response = await fetch(path, { method, body, signal: init.signal, headers: { "content-type": "application/x-www-form-urlencoded" } });
    } else {
      response = await fetch(apiUrl(path, params), { signal: init.signal });
    }
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiRequestError(`Cannot reach the Vigil server: ${(err as Error).message}`, "network", 0);
  }
  let envelope: ApiEnvelope<T>;
  try {
    envelope = (await response.json()) as ApiEnvelope<T>;
  } catch {
    throw new ApiRequestError(`Unexpected response from ${path}: HTTP ${response.status} ${response.statusText}`, "network", response.status);
  }
  if (envelope.status !== "success") {
    throw new ApiRequestError(envelope.error ?? `HTTP ${response.status}`, envelope.errorType ?? "unknown", response.status);
  }
  return { data: envelope.data as T, warnings: envelope.warnings ?? [], infos: envelope.infos ?? [] };
}

type Extra<T> = Omit<UseQueryOptions<ApiSuccess<T>, ApiRequestError>, "queryKey" | "queryFn">;
type SuspenseExtra<T> = Omit<UseSuspenseQueryOptions<ApiSuccess<T>, ApiRequestError>, "queryKey" | "queryFn">;

/** TanStack Query over an /api/v1 endpoint, keyed by `[path, params]`. */
export function useApiQuery<T>(path: string, params: QueryParams = {}, options: Extra<T> = {}) {
  return useQuery<ApiSuccess<T>, ApiRequestError>({
    queryKey: [path, params],
    queryFn: ({ signal }) => apiFetch<T>(path, params, { signal }),
    ...options,
  });
}

/** The Suspense form, for sections wrapped in `<Suspense fallback={<Skeleton/>}>`. */
export function useSuspenseApiQuery<T>(path: string, params: QueryParams = {}, options: SuspenseExtra<T> = {}) {
  return useSuspenseQuery<ApiSuccess<T>, ApiRequestError>({
    queryKey: [path, params],
    queryFn: ({ signal }) => apiFetch<T>(path, params, { signal }),
    ...options,
  });
}
