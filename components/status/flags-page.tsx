"use client";

import type { FlagsResult } from "@/components/api/types/flags";
import { useSuspenseApiQuery } from "@/components/api/use-api-query";
import { useUrlText } from "@/components/ui/hooks";

/** /flags: the settings Vigil runs with under Prometheus's flag names, filterable (`search` in the URL). */
export function FlagsView() {
  const [search, setSearch] = useUrlText("search");
  const { data } = useSuspenseApiQuery<FlagsResult>("/api/v1/status/flags");
  const q = search.toLowerCase();
  const rows = Object.entries(data.data)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .filter(([k, v]) => !q || k.toLowerCase().includes(q) || v.toLowerCase().includes(q));
  return (
    <>
      <div className="toolbar">
        <input
          className="input grow"
          type="search"
          placeholder="Filter by flag name or value"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label="Filter flags"
          data-testid="flags-search"
        />
      </div>
      <div className="card flush">
        {rows.length === 0 ? (
          <div className="empty">No flag matches “{search}”.</div>
        ) : (
          <table className="data" data-testid="flags-table">
            <thead>
              <tr>
                <th>Flag</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k}>
                  <td className="mono nowrap">--{k}</td>
                  <td className="mono">{v === "" ? <span className="muted">(empty)</span> : v}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
