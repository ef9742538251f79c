"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect, useState } from "react";

/** The current time, updated every `intervalMs`, for "3s ago" texts. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/**
 * The URL's query string as page state: read with `params`, write with
 * `replace` (history.replaceState through the router, without scrolling), so
 * filters survive a reload and a filtered view can be shared as a link.
 * `setParam(key, value)` changes one parameter, removing it when `value` is
 * empty so default views keep clean URLs.
 */
export function useUrlParams(): [URLSearchParams, (next: URLSearchParams) => void, (key: string, value: string) => void] {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const replace = useCallback(
    (next: URLSearchParams) => {
      const qs = next.toString();
      router.replace(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [router, pathname],
  );
  const params = new URLSearchParams(search?.toString() ?? "");
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    replace(next);
  };
  return [params, replace, setParam];
}

/** `value`, delayed until it has not changed for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}
