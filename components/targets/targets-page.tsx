"use client";

// /targets: scrape pools and their targets (Prometheus's /api/v1/targets),
// filtered by health, pool and free text kept in the URL. The list is one
// window-scrolled virtualizer over pool headers and target rows, so 10,000
// targets render only the rows on screen.

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { ActiveTarget, TargetHealth, TargetsResult } from "@/components/api/types/targets";
import { useSuspenseApiQuery } from "@/components/api/use-api-query";
import { formatCount, formatTimestamp } from "@/components/ui/format";
import { useDebounced, useNow, useStoredSet, useUrlParams } from "@/components/ui/hooks";
import { buildRows, filtersToParams, HEALTHS, parseTargetFilters, searchText, summarizePools, targetMatcher, type Row, type TargetFilters } from "./filter";
import { TargetRow } from "./target-row";

/** How often the page refreshes, ms (Prometheus's UI offers manual refresh; live is more useful here). */
export const TARGETS_REFRESH_MS = 5000;

// Search text per target object: computed again only when a refetch brings new objects.
const searchTextCache = new WeakMap<ActiveTarget, string>();
function cachedSearchText(t: ActiveTarget): string {
  let s = searchTextCache.get(t);
  if (s === undefined) searchTextCache.set(t, (s = searchText(t)));
  return s;
}

function HealthFilter({ value, counts, onChange }: { value: TargetHealth[]; counts: Record<TargetHealth, number>; onChange: (h: TargetHealth[]) => void }) {
  const toggle = (h: TargetHealth) => onChange(value.includes(h) ? value.filter((x) => x !== h) : HEALTHS.filter((x) => x === h || value.includes(x)));
  return (
    <div className="segmented" role="group" aria-label="Filter by health" data-testid="health-filter">
      <button type="button" aria-pressed={value.length === 0} onClick={() => onChange([])}>
        All
      </button>
      {HEALTHS.map((h) => (
        <button key={h} type="button" aria-pressed={value.includes(h)} onClick={() => toggle(h)} data-testid={`health-filter-${h}`}>
          <span className={`dot ${h}`} aria-hidden />
          {h[0]!.toUpperCase() + h.slice(1)} <span className="muted">{formatCount(counts[h])}</span>
        </button>
      ))}
    </div>
  );
}

function PoolHeader({ row, onToggle }: { row: Extract<Row, { kind: "pool" }>; onToggle: () => void }) {
  const p = row.pool;
  const allUp = p.up === p.total;
  return (
    <div className={`pool-header${row.collapsed ? " collapsed" : ""}`} data-testid="pool-header" data-pool={p.name}>
      <button type="button" className="pool-toggle" onClick={onToggle} aria-expanded={!row.collapsed}>
        <svg className="chevron" viewBox="0 0 12 12" width="12" height="12" aria-hidden>
          <path d="M4 2l4 4-4 4" fill="none" stroke="currentColor" strokeWidth="1.8" />
        </svg>
        <span className="pool-name">{p.name}</span>
        <span className={`pool-count ${allUp ? "all-up" : p.down > 0 ? "some-down" : "some-unknown"}`} data-testid="pool-count">
          {formatCount(p.up)} / {formatCount(p.total)} up
        </span>
        {p.shown.length !== p.total && <span className="muted small-text">showing {formatCount(p.shown.length)}</span>}
      </button>
      {!row.collapsed && p.shown.length > 0 && (
        <div className="target-columns" aria-hidden>
          <span>Endpoint</span>
          <span>Labels</span>
          <span>Last scrape</span>
          <span className="num">Duration</span>
          <span>Interval / timeout</span>
          <span>State</span>
        </div>
      )}
    </div>
  );
}

/** Where the collapsed pools are remembered. */
const COLLAPSED_POOLS_KEY = "vigil.targets.collapsedPools";

function TargetsList({ data, filters }: { data: TargetsResult; filters: TargetFilters }) {
  const now = useNow(1000);
  const [collapsed, togglePool, setCollapsed] = useStoredSet(COLLAPSED_POOLS_KEY);
  const [discovered, setDiscovered] = useState<Set<string>>(() => new Set());

  const pools = useMemo(() => summarizePools(data.activeTargets, targetMatcher(filters, cachedSearchText)), [data, filters]);
  const filtering = filters.health.length > 0 || filters.search !== "" || filters.pool !== "";
  const rows = useMemo(() => buildRows(pools, collapsed, filtering), [pools, collapsed, filtering]);

  const listRef = useRef<HTMLDivElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  useLayoutEffect(() => {
    // The list's offset from the top of the document, for the window virtualizer.
    setScrollMargin(listRef.current ? listRef.current.getBoundingClientRect().top + window.scrollY : 0);
  }, []);

  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: (i) => (rows[i]!.kind === "pool" ? 76 : rows[i]!.kind === "target" ? 58 : 40),
    overscan: 12,
    scrollMargin,
    getItemKey: (i) => {
      const r = rows[i]!;
      return r.kind === "target" ? r.key : `${r.kind}:${r.kind === "pool" ? r.pool.name : r.pool}`;
    },
  });

  const toggleDiscovered = (key: string) =>
    setDiscovered((s) => {
      const n = new Set(s);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });

  const allCollapsed = pools.length > 0 && pools.every((p) => collapsed.has(p.name));

  if (data.activeTargets.length === 0) {
    return (
      <div className="card empty" data-testid="targets-empty">
        No targets. Add <code>scrape_configs</code> to the configuration file (<code>CONFIG_FILE</code>) to scrape some.
      </div>
    );
  }
  if (rows.length === 0) {
    return (
      <div className="card empty" data-testid="targets-no-match">
        No target matches these filters.
      </div>
    );
  }

  return (
    <>
      <div className="list-actions">
        <span className="muted small-text" data-testid="targets-summary">
          {filtering
            ? `${formatCount(pools.reduce((n, p) => n + p.shown.length, 0))} of ${formatCount(data.activeTargets.length)} targets match`
            : `${formatCount(data.activeTargets.length)} targets in ${formatCount(pools.length)} scrape pools`}
        </span>
        <button type="button" className="btn small" onClick={() => setCollapsed(allCollapsed ? [] : pools.map((p) => p.name))}>
          {allCollapsed ? "Expand all" : "Collapse all"}
        </button>
      </div>
      <div ref={listRef} className="vlist" style={{ height: virtualizer.getTotalSize() }} data-testid="targets-list">
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className={`vrow vrow-${row.kind}`}
              style={{ transform: `translateY(${item.start - virtualizer.options.scrollMargin}px)` }}
            >
              {row.kind === "pool" ? (
                <PoolHeader row={row} onToggle={() => togglePool(row.pool.name)} />
              ) : row.kind === "pool-empty" ? (
                <div className="pool-empty muted">No targets in this pool.</div>
              ) : (
                <TargetRow target={row.target} last={row.last} now={now} showDiscovered={discovered.has(row.key)} onToggleDiscovered={() => toggleDiscovered(row.key)} />
              )}
            </div>
          );
        })}
      </div>
    </>
  );
}

export function TargetsView() {
  const [params, replaceParams] = useUrlParams();
  // useUrlParams gives a new URLSearchParams each render; its string is the value.
  const qs = params.toString();
  const filters = useMemo(() => parseTargetFilters(new URLSearchParams(qs)), [qs]);
  const [searchInput, setSearchInput] = useState(filters.search);
  const debouncedSearch = useDebounced(searchInput, 200);

  const setFilters = useCallback((f: TargetFilters) => replaceParams(filtersToParams(f, params)), [params, replaceParams]);
  useEffect(() => {
    if (debouncedSearch !== filters.search) setFilters({ ...filters, search: debouncedSearch });
  }, [debouncedSearch]); // eslint-disable-line react-hooks/exhaustive-deps -- only a settled search text writes the URL

  const { data: res, error, isRefetchError, dataUpdatedAt } = useSuspenseApiQuery<TargetsResult>("/api/v1/targets", { state: "active" }, { refetchInterval: TARGETS_REFRESH_MS });
  const data = res.data;

  const counts = useMemo(() => {
    const c: Record<TargetHealth, number> = { up: 0, down: 0, unknown: 0 };
    for (const t of data.activeTargets) c[t.health === "up" || t.health === "down" ? t.health : "unknown"]++;
    return c;
  }, [data]);
  const poolNames = useMemo(() => [...new Set(data.activeTargets.map((t) => t.scrapePool))].sort(), [data]);

  return (
    <>
      {isRefetchError && (
        <div className="notice notice-warn" role="status" data-testid="refresh-error">
          Could not refresh: {error?.message}. Showing targets as of {formatTimestamp(dataUpdatedAt)}.
        </div>
      )}
      <div className="toolbar">
        <HealthFilter value={filters.health} counts={counts} onChange={(health) => setFilters({ ...filters, health })} />
        <select className="input" value={filters.pool} onChange={(e) => setFilters({ ...filters, pool: e.target.value })} aria-label="Scrape pool" data-testid="pool-filter">
          <option value="">All scrape pools</option>
          {poolNames.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <input
          className="input grow"
          type="search"
          placeholder="Filter by endpoint, labels or error"
          value={searchInput}
          onChange={(e) => setSearchInput(e.target.value)}
          aria-label="Filter targets"
          data-testid="target-search"
        />
      </div>
      <TargetsList data={data} filters={filters} />
    </>
  );
}
