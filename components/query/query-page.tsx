"use client";

// The query page: a list of panels whose settings are the URL's query string
// (url-state.ts), so every view is a link and a reload restores it. Panels
// with an expression in the URL run once on load, as in Prometheus.

import { useCallback, useEffect, useState } from "react";
import { decodePanels, encodePanels } from "./url-state";
import { defaultPanel, newPanelId, type PanelState } from "./panel-state";
import { QueryPanel, type Execution } from "./query-panel";
import { addToHistory, loadHistory } from "./history";
import styles from "./query.module.css";

const UTC_KEY = "vigil.useUtc";

export function QueryPage({ initialSearch }: { initialSearch: string }) {
  const [panels, setPanels] = useState<PanelState[]>(() => {
    const ps = decodePanels(initialSearch);
    return ps.length > 0 ? ps : [defaultPanel()];
  });
  const [execs, setExecs] = useState<Record<string, Execution>>({});
  const [history, setHistory] = useState<string[]>([]);
  const [utc, setUtc] = useState(false);

  // Browser-only state after hydration: preferences, history, and the first run of linked panels.
  useEffect(() => {
    /* eslint-disable react-hooks/set-state-in-effect -- localStorage and the clock exist only in the browser */
    setHistory(loadHistory());
    setUtc(window.localStorage.getItem(UTC_KEY) === "1");
    const now = Date.now();
    setExecs((prev) => {
      const next = { ...prev };
      for (const p of panels) if (p.expr.trim() !== "" && !next[p.id]) next[p.id] = { seq: 1, nowMs: now, expr: p.expr };
      return next;
    });
    /* eslint-enable react-hooks/set-state-in-effect */
    // Only once, for the panels the URL brought.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // The URL follows the panels (replaceState: typing should not fill the back-button history).
  useEffect(() => {
    const qs = encodePanels(panels);
    if (window.location.search.replace(/^\?/, "") !== qs) window.history.replaceState(null, "", `${window.location.pathname}?${qs}`);
  }, [panels]);

  const update = useCallback((id: string, patch: Partial<PanelState>) => {
    setPanels((ps) => ps.map((p) => (p.id === id ? { ...p, ...patch } : p)));
  }, []);

  const execute = (p: PanelState) => {
    if (p.expr.trim() !== "") setHistory(addToHistory(p.expr));
    setExecs((prev) => ({ ...prev, [p.id]: { seq: (prev[p.id]?.seq ?? 0) + 1, nowMs: Date.now(), expr: p.expr } }));
  };

  const duplicate = (index: number) => {
    const src = panels[index]!;
    const copy = { ...src, id: newPanelId(), overlays: [...src.overlays] };
    setPanels((ps) => [...ps.slice(0, index + 1), copy, ...ps.slice(index + 1)]);
    const e = execs[src.id];
    if (e) setExecs((prev) => ({ ...prev, [copy.id]: { ...e } }));
  };

  const toggleUtc = (on: boolean) => {
    setUtc(on);
    try {
      window.localStorage.setItem(UTC_KEY, on ? "1" : "0");
    } catch {
      // Not persisted; the toggle still applies to this page.
    }
  };

  return (
    <div className={styles.page} data-testid="query-page">
      <div className="page-header" style={{ marginBottom: 0 }}>
        <h1>Query</h1>
        <div className={`page-header-extra ${styles.pageTools}`}>
          <label style={{ display: "inline-flex", gap: 6, alignItems: "center", cursor: "pointer" }}>
            <input type="checkbox" checked={utc} onChange={(e) => toggleUtc(e.target.checked)} data-testid="utc-toggle" />
            Show times in UTC
          </label>
        </div>
      </div>
      {panels.map((p, i) => (
        <QueryPanel
          key={p.id}
          panel={p}
          index={i}
          exec={execs[p.id] ?? null}
          history={history}
          utc={utc}
          onChange={(patch) => update(p.id, patch)}
          onExecute={() => execute(p)}
          onDuplicate={() => duplicate(i)}
          onRemove={panels.length > 1 ? () => setPanels((ps) => ps.filter((x) => x.id !== p.id)) : null}
        />
      ))}
      <button type="button" className={`${styles.button} ${styles.addPanel}`} onClick={() => setPanels((ps) => [...ps, defaultPanel()])} data-testid="add-panel">
        + Add panel
      </button>
    </div>
  );
}
