"use client";

// /service-discovery: per scrape pool, each discovered target's labels before
// and after relabeling, dropped targets included (with the per-pool dropped
// counts of Prometheus 3, which also covers truncated lists), and the
// relabeling of any one target, rule by rule.

import { useMemo, useState } from "react";
import type { ActiveTarget, DroppedTarget, TargetsResult } from "@/components/api/types/targets";
import { useSuspenseApiQuery } from "@/components/api/use-api-query";
import { formatCount } from "@/components/ui/format";
import { useDebounced, useStoredSet, useUrlParams, useUrlText } from "@/components/ui/hooks";
import { LabelChips } from "@/components/ui/labels";
import { RelabelDrawer, type RelabelSubject } from "./relabel-view";

/** Rows shown per pool before "Show more" (a pool can have thousands). */
const PAGE = 50;

type Entry = { kind: "active"; target: ActiveTarget } | { kind: "dropped"; target: DroppedTarget };
type Show = "all" | "active" | "dropped";

interface Pool {
  name: string;
  entries: Entry[];
  active: number;
  /** Dropped targets in the list. */
  dropped: number;
  /** Dropped targets per droppedTargetCounts (can exceed the list, which the server may truncate). */
  droppedTotal: number;
}

function entryText(e: Entry): string {
  let s = "";
  for (const [k, v] of Object.entries(e.target.discoveredLabels)) s += `${k}="${v}"\n`;
  if (e.kind === "active") for (const [k, v] of Object.entries(e.target.labels)) s += `${k}="${v}"\n`;
  return s.toLowerCase();
}

export function groupPools(data: TargetsResult): Pool[] {
  const pools = new Map<string, Pool>();
  const pool = (name: string) => {
    let p = pools.get(name);
    if (!p) pools.set(name, (p = { name, entries: [], active: 0, dropped: 0, droppedTotal: 0 }));
    return p;
  };
  for (const t of data.activeTargets) {
    const p = pool(t.scrapePool);
    p.entries.push({ kind: "active", target: t });
    p.active++;
  }
  for (const t of data.droppedTargets) {
    // Prometheus 3 sets scrapePool on dropped targets; older servers only have the job label.
    const p = pool(t.scrapePool ?? t.discoveredLabels.job ?? "unknown");
    p.entries.push({ kind: "dropped", target: t });
    p.dropped++;
  }
  for (const [name, n] of Object.entries(data.droppedTargetCounts ?? {})) pool(name).droppedTotal = n;
  for (const p of pools.values()) p.droppedTotal = Math.max(p.droppedTotal, p.dropped);
  return [...pools.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function PoolCard({
  pool,
  entries,
  open,
  onToggle,
  onRelabel,
}: {
  pool: Pool;
  entries: Entry[];
  open: boolean;
  onToggle: () => void;
  onRelabel: (s: RelabelSubject) => void;
}) {
  const [limit, setLimit] = useState(PAGE);
  return (
    <div className="card sd-pool" data-testid="sd-pool" data-pool={pool.name}>
      <button type="button" className="pool-toggle sd-pool-toggle" onClick={onToggle} aria-expanded={open}>
        <svg className="chevron" viewBox="0 0 12 12" width="12" height="12" aria-hidden style={{ transform: open ? "rotate(90deg)" : undefined }}>
          <path d="M4 2l4 4-4 4" fill="none" stroke="currentColor" strokeWidth="1.8" />
        </svg>
        <span className="pool-name">{pool.name}</span>
        <span className="muted small-text">
          {formatCount(pool.active)} active · {formatCount(pool.droppedTotal)} dropped
          {pool.droppedTotal > pool.dropped && ` (${formatCount(pool.dropped)} listed)`}
        </span>
      </button>
      {open && (
        <div className="table-wrap">
          {entries.length === 0 ? (
            <div className="empty">No targets match.</div>
          ) : (
            <table className="data sd-table">
              <thead>
                <tr>
                  <th>Discovered labels</th>
                  <th>Target labels</th>
                  <th className="sd-actions" aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {entries.slice(0, limit).map((e, i) => (
                  <tr key={i} data-testid="sd-row" data-kind={e.kind}>
                    <td>
                      <LabelChips labels={e.target.discoveredLabels} testId="sd-discovered" />
                    </td>
                    <td>{e.kind === "active" ? <LabelChips labels={e.target.labels} testId="sd-target-labels" /> : <span className="badge badge-down">DROPPED</span>}</td>
                    <td className="nowrap">
                      <button
                        type="button"
                        className="btn small"
                        data-testid="show-relabeling"
                        onClick={() => onRelabel({ scrapePool: pool.name, discoveredLabels: e.target.discoveredLabels, targetLabels: e.kind === "active" ? e.target.labels : null })}
                      >
                        Relabeling
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {entries.length > limit && (
            <div className="show-more">
              <button type="button" className="btn" onClick={() => setLimit((l) => l + PAGE * 4)}>
                Show more ({formatCount(entries.length - limit)} hidden)
              </button>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

export function ServiceDiscoveryView() {
  const [params, , set] = useUrlParams();
  const show = (["active", "dropped"].includes(params.get("show") ?? "") ? params.get("show") : "all") as Show;
  const poolFilter = params.get("pool") ?? "";
  const [searchInput, setSearchInput] = useUrlText("search");
  const search = useDebounced(searchInput, 200).toLowerCase();
  const [subject, setSubject] = useState<RelabelSubject | null>(null);
  const [collapsed, togglePool] = useStoredSet("vigil.serviceDiscovery.collapsedPools");

  const { data: res } = useSuspenseApiQuery<TargetsResult>("/api/v1/targets", { state: "any" }, { refetchInterval: 15_000 });
  const pools = useMemo(() => groupPools(res.data), [res.data]);
  const terms = search.split(/\s+/).filter(Boolean);
  const visible = pools
    .filter((p) => !poolFilter || p.name === poolFilter)
    .map((p) => ({
      pool: p,
      entries: p.entries.filter((e) => (show === "all" || e.kind === show) && (terms.length === 0 || terms.every((t) => entryText(e).includes(t)))),
    }))
    .filter((x) => x.entries.length > 0 || (terms.length === 0 && show === "all"));

  return (
    <>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Show">
          {(["all", "active", "dropped"] as Show[]).map((s) => (
            <button key={s} type="button" aria-pressed={show === s} onClick={() => set("show", s === "all" ? "" : s)}>
              {s[0]!.toUpperCase() + s.slice(1)}
            </button>
          ))}
        </div>
        <select className="input" value={poolFilter} onChange={(e) => set("pool", e.target.value)} aria-label="Scrape pool">
          <option value="">All scrape pools</option>
          {pools.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
        <input
          className="input grow"
          type="search"
          placeholder="Filter by label"
          value={searchInput}
          onChange={(e) => setSearchInput(e.target.value)}
          aria-label="Filter by label"
          data-testid="sd-search"
        />
      </div>
      {pools.length === 0 ? (
        <div className="card empty">No scrape pools. Add scrape_configs to the configuration file to discover targets.</div>
      ) : visible.length === 0 ? (
        <div className="card empty">Nothing matches these filters.</div>
      ) : (
        visible.map(({ pool, entries }) => (
          <PoolCard
            key={pool.name}
            pool={pool}
            entries={entries}
            open={!collapsed.has(pool.name)}
            onToggle={() => togglePool(pool.name)}
            onRelabel={setSubject}
          />
        ))
      )}
      {subject && <RelabelDrawer subject={subject} onClose={() => setSubject(null)} />}
    </>
  );
}
