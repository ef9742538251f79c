"use client";

// The metrics explorer: every metric name with its type and help text
// (/api/v1/label/__name__/values and /api/v1/metadata), searchable; choosing a
// name inserts it into the editor. Drilling into a metric lists its label
// names with their cardinality (distinct values among the metric's series of
// the last hour, from /api/v1/series) and the most common values, each of
// which inserts a selector.

import { useEffect, useMemo, useRef, useState } from "react";
import { useApiQuery } from "@/components/api/use-api-query";
import type { LabelValuesData, MetadataData, SeriesData } from "@/components/api/types/metadata";
import { labelCardinality, metadataFor } from "./metrics";
import { Skeleton } from "@/components/ui/skeleton";
import { QueryError } from "./query-error";
import styles from "./query.module.css";

/** Rows rendered at once; the search narrows the rest. */
const LIST_LIMIT = 300;
/** Cardinality over this recent window, ms (what "how many series does it have now" means to a user). */
const SERIES_WINDOW_MS = 3600_000;

interface Props {
  open: boolean;
  onClose: () => void;
  onInsert: (text: string) => void;
}

export function MetricsExplorer({ open, onClose, onInsert }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [search, setSearch] = useState("");
  const [drill, setDrill] = useState<string | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const choose = (text: string) => {
    onInsert(text);
    onClose();
  };

  return (
    <dialog ref={ref} className={styles.dialog} onClose={onClose} onCancel={onClose} data-testid="metrics-explorer" aria-label="Metrics explorer">
      {open && (
        <div className={styles.dialogInner}>
          <div className={styles.dialogHeader}>
            {drill ? (
              <>
                <button type="button" className={styles.button} onClick={() => setDrill(null)} data-testid="explorer-back">
                  ← All metrics
                </button>
                <h2 style={{ fontFamily: "ui-monospace, monospace" }}>{drill}</h2>
              </>
            ) : (
              <>
                <h2>Metrics explorer</h2>
                <input
                  className={styles.input}
                  style={{ width: 320 }}
                  placeholder="Search metric names and help"
                  value={search}
                  autoFocus
                  onChange={(e) => setSearch(e.target.value)}
                  data-testid="explorer-search"
                  aria-label="Search metrics"
                />
              </>
            )}
            <button type="button" className={`${styles.button} ${styles.iconButton}`} onClick={onClose} aria-label="Close">
              ✕
            </button>
          </div>
          <div className={styles.dialogBody}>{drill ? <LabelCardinality metric={drill} onInsert={choose} /> : <MetricList search={search} onInsert={choose} onDrill={setDrill} />}</div>
        </div>
      )}
    </dialog>
  );
}

function MetricList({ search, onInsert, onDrill }: { search: string; onInsert: (t: string) => void; onDrill: (m: string) => void }) {
  const names = useApiQuery<LabelValuesData>("/api/v1/label/__name__/values", {}, { retry: false, staleTime: 60_000 });
  const meta = useApiQuery<MetadataData>("/api/v1/metadata", {}, { retry: false, staleTime: 60_000 });
  const matches = useMemo(() => {
    const all = names.data?.data ?? [];
    const words = search.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return all;
    return all.filter((n) => {
      const text = `${n} ${metadataFor(n, meta.data?.data)?.help ?? ""}`.toLowerCase();
      return words.every((w) => text.includes(w));
    });
  }, [names.data, meta.data, search]);

  if (names.isPending) return <Skeleton lines={8} />;
  if (names.isError) return <QueryError error={names.error} />;
  return (
    <>
      <div className={styles.stats}>
        <span data-testid="explorer-count">
          {matches.length.toLocaleString("en-US")} of {(names.data.data.length ?? 0).toLocaleString("en-US")} metrics
        </span>
        {meta.isError && <span>metadata unavailable: {meta.error.message}</span>}
      </div>
      <ul className={styles.metricList}>
        {matches.slice(0, LIST_LIMIT).map((name) => {
          const m = metadataFor(name, meta.data?.data);
          return (
            <li key={name} className={styles.metricItem} data-testid="explorer-metric">
              <button type="button" className={styles.metricName} onClick={() => onInsert(name)} title="Insert into the expression">
                {name}
              </button>
              <span className={styles.metricSide}>
                {m && <span className={styles.badge}>{m.type}</span>}
                <button type="button" className={styles.linkButton} onClick={() => onDrill(name)} data-testid="explorer-drill">
                  labels
                </button>
              </span>
              {m?.help && <span className={styles.metricHelp}>{m.help}</span>}
            </li>
          );
        })}
      </ul>
      {matches.length > LIST_LIMIT && <p className={styles.label}>and {(matches.length - LIST_LIMIT).toLocaleString("en-US")} more; refine the search.</p>}
    </>
  );
}

function LabelCardinality({ metric, onInsert }: { metric: string; onInsert: (t: string) => void }) {
  // Fixed at mount so the query key is stable while the view is open.
  const [span] = useState(() => {
    const end = Math.floor(Date.now() / 1000);
    return { start: end - SERIES_WINDOW_MS / 1000, end };
  });
  const q = useApiQuery<SeriesData>("/api/v1/series", { "match[]": [metric], start: span.start, end: span.end }, { retry: false, staleTime: 60_000 });
  const stats = useMemo(() => (q.data ? labelCardinality(q.data.data) : []), [q.data]);
  if (q.isPending) return <Skeleton lines={6} />;
  if (q.isError) return <QueryError error={q.error} />;
  return (
    <div data-testid="explorer-labels">
      <div className={styles.stats} style={{ marginBottom: 8 }}>
        <span data-testid="explorer-series-count">{q.data.data.length.toLocaleString("en-US")} series in the last hour</span>
        <button type="button" className={styles.linkButton} onClick={() => onInsert(metric)}>
          insert {metric}
        </button>
      </div>
      <table className={styles.table}>
        <thead>
          <tr>
            <th>Label</th>
            <th style={{ textAlign: "right" }}>Values</th>
            <th>Most common values (click to insert a selector)</th>
          </tr>
        </thead>
        <tbody>
          {stats.map((l) => (
            <tr key={l.name} data-testid="explorer-label-row">
              <td className={styles.seriesCell}>{l.name}</td>
              <td className={styles.valueCell}>{l.cardinality.toLocaleString("en-US")}</td>
              <td>
                <div className={styles.chips}>
                  {l.top.map(([v, n]) => (
                    <button type="button" key={v} className={styles.chip} onClick={() => onInsert(`${metric}{${l.name}=${JSON.stringify(v)}}`)}>
                      {v === "" ? '""' : v}
                      <small>{n}</small>
                    </button>
                  ))}
                  {l.cardinality > l.top.length && <span className={styles.label}>+{(l.cardinality - l.top.length).toLocaleString("en-US")} more</span>}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
