// The Targets page's model: filters (kept in the URL, so a filtered view is a
// link), grouping into scrape pools, and the flat row list the virtualizer
// draws. Pure functions, unit-tested; the component only renders.

import type { ActiveTarget, TargetHealth } from "@/components/api/types/targets";

export const HEALTHS: TargetHealth[] = ["up", "down", "unknown"];

export interface TargetFilters {
  /** Health states to show; empty shows all. URL: `health=down,unknown`. */
  health: TargetHealth[];
  /** Free text; every whitespace-separated term must match. URL: `search=`. */
  search: string;
  /** One scrape pool, or "" for all. URL: `pool=`. */
  pool: string;
}

export function parseTargetFilters(params: URLSearchParams): TargetFilters {
  const health = (params.get("health") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s): s is TargetHealth => (HEALTHS as string[]).includes(s));
  return { health: HEALTHS.filter((h) => health.includes(h)), search: params.get("search") ?? "", pool: params.get("pool") ?? "" };
}

/** The filters written into `base` (other params kept); empty filters are removed so the default view has a clean URL. */
export function filtersToParams(f: TargetFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const p = new URLSearchParams(base);
  const set = (k: string, v: string) => (v ? p.set(k, v) : p.delete(k));
  set("health", f.health.length === 0 || f.health.length === HEALTHS.length ? "" : f.health.join(","));
  set("search", f.search);
  set("pool", f.pool);
  return p;
}

/** What the text search looks at: labels as `name="value"`, the endpoint, the error. Lower case. */
export function searchText(t: ActiveTarget): string {
  let s = t.scrapeUrl + "\n" + t.lastError + "\n";
  for (const [k, v] of Object.entries(t.labels)) s += `${k}="${v}"\n`;
  return s.toLowerCase();
}

/** A predicate for the filters; `text` caches searchText per target (it is the costly part on 10,000 targets). */
export function targetMatcher(f: TargetFilters, text: (t: ActiveTarget) => string = searchText): (t: ActiveTarget) => boolean {
  const terms = f.search.toLowerCase().split(/\s+/).filter(Boolean);
  const health = f.health.length === 0 ? null : new Set<string>(f.health);
  return (t) => {
    if (f.pool && t.scrapePool !== f.pool) return false;
    if (health && !health.has(t.health)) return false;
    if (terms.length === 0) return true;
    const s = text(t);
    return terms.every((term) => s.includes(term));
  };
}

export interface PoolSummary {
  name: string;
  /** Every target of the pool, filtered or not. */
  total: number;
  up: number;
  down: number;
  unknown: number;
  /** The targets that pass the filters, in API order. */
  shown: ActiveTarget[];
}

/** Pools sorted by name, with counts over all their targets and the filtered list. */
export function summarizePools(targets: ActiveTarget[], matches: (t: ActiveTarget) => boolean): PoolSummary[] {
  const byName = new Map<string, PoolSummary>();
  for (const t of targets) {
    let p = byName.get(t.scrapePool);
    if (!p) byName.set(t.scrapePool, (p = { name: t.scrapePool, total: 0, up: 0, down: 0, unknown: 0, shown: [] }));
    p.total++;
    p[t.health === "up" || t.health === "down" ? t.health : "unknown"]++;
    if (matches(t)) p.shown.push(t);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export type Row = { kind: "pool"; pool: PoolSummary; collapsed: boolean } | { kind: "target"; target: ActiveTarget; key: string; last: boolean } | { kind: "pool-empty"; pool: string };

/** A stable key for a target: its pool and labels (unique within a pool, as Prometheus's target hash). */
export function targetKey(t: ActiveTarget): string {
  let k = t.scrapePool + "\u0000" + t.scrapeUrl;
  for (const name of Object.keys(t.labels).sort()) k += "\u0000" + name + "\u0001" + t.labels[name];
  return k;
}

/**
 * The virtualizer's rows: a header per pool, then its shown targets unless
 * collapsed. Pools with no match are left out while a filter is active, so a
 * search for one target is not lost among empty pools.
 */
export function buildRows(pools: PoolSummary[], collapsed: ReadonlySet<string>, filtering: boolean): Row[] {
  const rows: Row[] = [];
  for (const pool of pools) {
    if (filtering && pool.shown.length === 0) continue;
    const isCollapsed = collapsed.has(pool.name);
    rows.push({ kind: "pool", pool, collapsed: isCollapsed });
    if (isCollapsed) continue;
    if (pool.shown.length === 0) rows.push({ kind: "pool-empty", pool: pool.name });
    pool.shown.forEach((t, i) => rows.push({ kind: "target", target: t, key: targetKey(t), last: i === pool.shown.length - 1 }));
  }
  return rows;
}
