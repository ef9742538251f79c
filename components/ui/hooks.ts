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

/**
 * A text box's value kept in the URL parameter `key` (a filter, say): the
 * box shows each keystroke at once and the URL follows, so the filter
 * survives a reload and can be shared.
 */
export function useUrlText(key: string): [string, (value: string) => void] {
  const [params, , setParam] = useUrlParams();
  const [value, setValue] = useState(params.get(key) ?? "");
  const set = (v: string) => {
    setValue(v);
    setParam(key, v);
  };
  return [value, set];
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

/**
 * A set of strings kept in localStorage under `key` (collapsed scrape pools,
 * say), so a choice survives reloads as Prometheus's UI keeps it. The set is
 * read after the first render (the server renders without it); `toggle`
 * adds or removes one member and `setAll` replaces the whole set.
 */
export function useStoredSet(key: string): [Set<string>, (member: string) => void, (members: Iterable<string>) => void] {
  const [set, setSet] = useState<Set<string>>(() => new Set());
  useEffect(() => {
    try {
      const raw = window.localStorage.getItem(key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      // eslint-disable-next-line react-hooks/set-state-in-effect -- localStorage exists only in the browser
      if (Array.isArray(parsed)) setSet(new Set(parsed.filter((x): x is string => typeof x === "string")));
    } catch {
      // unreadable or blocked storage: start empty
    }
  }, [key]);
  const store = useCallback(
    (next: Set<string>) => {
      try {
        if (next.size === 0) window.localStorage.removeItem(key);
        else window.localStorage.setItem(key, JSON.stringify([...next]));
      } catch {
        // full or blocked storage: the choice lasts for this page only
      }
      return next;
    },
    [key],
  );
  const toggle = useCallback(
    (member: string) =>
      setSet((s) => {
        const n = new Set(s);
        if (n.has(member)) n.delete(member);
        else n.add(member);
        return store(n);
      }),
    [store],
  );
  const setAll = useCallback((members: Iterable<string>) => setSet(store(new Set(members))), [store]);
  return [set, toggle, setAll];
}
