"use client";

import { QueryClient, QueryClientProvider, isServer } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ApiRequestError } from "@/components/api/use-api-query";

/**
 * Retry once, and only what a retry can fix: an unreachable server or a 5xx.
 * A bad_data or not_found answer will not change, and TanStack's default of
 * three retries with backoff would keep the user waiting seven seconds for
 * the error message.
 */
function shouldRetry(failureCount: number, error: Error): boolean {
  if (failureCount >= 1) return false;
  return !(error instanceof ApiRequestError) || error.status === 0 || error.status >= 500;
}

function makeQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { staleTime: 15_000, refetchOnWindowFocus: false, retry: shouldRetry, retryDelay: 500 } } });
}

let browserQueryClient: QueryClient | undefined;

/** A fresh client per server render; one shared client in the browser. */
function getQueryClient(): QueryClient {
  if (isServer) return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function Providers({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={getQueryClient()}>{children}</QueryClientProvider>;
}
