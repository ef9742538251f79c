"use client";

// One query panel: the editor row (metrics explorer, expression, format,
// execute), the Table / Graph / Explain tabs and their controls. The panel's
// settings are in the URL (panel-state.ts); what was last executed (and when,
// for "now") lives in the page's memory.

import { useRef, useState } from "react";
import { apiFetch } from "@/components/api/use-api-query";
import type { FormatQueryData } from "@/components/api/types/query";
import { ErrorBoundary } from "@/components/ui/error-boundary";
import type { PanelState, PanelTab } from "./panel-state";
import { PromqlEditor, type PromqlEditorHandle } from "./promql-editor";
import { TableView } from "./table-view";
import { Graph } from "./graph";
import { ExplainView } from "./explain-view";
import { GraphControls, OverlayEditor, TimeInput } from "./graph-controls";
import { MetricsExplorer } from "./metrics-explorer";
import { QueryError } from "./query-error";
import { formatDisplayTime } from "./time";
import styles from "./query.module.css";

/** What the panel last executed. */
export interface Execution {
  /** Increments on every execution, so running the same query again refetches. */
  seq: number;
  /** Wall clock at execution, Unix ms: "now" for panels without an end time. */
  nowMs: number;
  expr: string;
}

interface Props {
  panel: PanelState;
  index: number;
  exec: Execution | null;
  history: string[];
  utc: boolean;
  onChange: (patch: Partial<PanelState>) => void;
  onExecute: () => void;
  onRemove: (() => void) | null;
  onDuplicate: () => void;
}

const TABS: { id: PanelTab; label: string }[] = [
  { id: "table", label: "Table" },
  { id: "graph", label: "Graph" },
  { id: "explain", label: "Explain" },
];

export function QueryPanel({ panel, index, exec, history, utc, onChange, onExecute, onRemove, onDuplicate }: Props) {
  const editor = useRef<PromqlEditorHandle>(null);
  const [explorerOpen, setExplorerOpen] = useState(false);
  const [formatError, setFormatError] = useState<unknown>(null);
  const [formatting, setFormatting] = useState(false);
  const resolvedEndMs = panel.endMs ?? exec?.nowMs ?? 0;
  const executed = exec?.expr ?? "";

  const format = async () => {
    setFormatting(true);
    setFormatError(null);
    try {
      const res = await apiFetch<FormatQueryData>("/api/v1/format_query", { query: panel.expr }, { method: "POST" });
      onChange({ expr: res.data });
    } catch (err) {
      setFormatError(err);
    } finally {
      setFormatting(false);
    }
  };

  return (
    <section className={styles.panel} data-testid="query-panel" aria-label={`Query panel ${index + 1}`}>
      <div className={styles.editorRow}>
        <button type="button" className={`${styles.button} ${styles.iconButton}`} onClick={() => setExplorerOpen(true)} title="Open the metrics explorer" aria-label="Open the metrics explorer" data-testid="open-metrics-explorer">
          <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden fill="none" stroke="currentColor" strokeWidth="1.6">
            <circle cx="7" cy="7" r="4.5" />
            <path d="M10.5 10.5 14 14" strokeLinecap="round" />
          </svg>
        </button>
        <PromqlEditor
          ref={editor}
          value={panel.expr}
          onChange={(expr) => onChange({ expr })}
          onExecute={onExecute}
          history={history}
        />
        <button type="button" className={styles.button} onClick={format} disabled={formatting || panel.expr.trim() === ""} title="Format the expression (/api/v1/format_query)" data-testid="format-button">
          Format
        </button>
        <button type="button" className={`${styles.button} ${styles.primary}`} onClick={onExecute} data-testid="execute-button">
          Execute
        </button>
      </div>
      {formatError !== null && <QueryError error={formatError} expr={panel.expr} />}
      <div className={styles.tabs} role="tablist">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={panel.tab === t.id}
            className={`${styles.tab} ${panel.tab === t.id ? styles.tabActive : ""}`}
            onClick={() => onChange({ tab: t.id })}
            data-testid={`tab-${t.id}`}
          >
            {t.label}
          </button>
        ))}
        <span className={styles.panelActions}>
          <button type="button" className={`${styles.button} ${styles.iconButton}`} onClick={onDuplicate} title="Duplicate this panel" data-testid="duplicate-panel">
            Duplicate
          </button>
          {onRemove && (
            <button type="button" className={`${styles.button} ${styles.iconButton}`} onClick={onRemove} title="Remove this panel" aria-label="Remove this panel" data-testid="remove-panel">
              ✕
            </button>
          )}
        </span>
      </div>
      {panel.tab === "table" && (
        <div className={styles.controls}>
          <span className={styles.label}>Evaluation time</span>
          <span className={styles.controlGroup}>
            <TimeInput endMs={panel.endMs} resolvedEndMs={resolvedEndMs} utc={utc} onChange={(endMs) => onChange({ endMs })} label="Evaluation time" />
          </span>
          {exec && <span className={styles.label}>{panel.endMs === null ? `evaluated at ${formatDisplayTime(resolvedEndMs, utc)}` : ""}</span>}
        </div>
      )}
      {panel.tab === "graph" && (
        <>
          <GraphControls panel={panel} resolvedEndMs={resolvedEndMs} utc={utc} onChange={onChange} />
          <OverlayEditor overlays={panel.overlays} onChange={(overlays) => onChange({ overlays })} />
        </>
      )}
      <ErrorBoundary key={`${panel.tab}:${exec?.seq ?? 0}`} title={`The ${panel.tab} view failed`}>
        {!exec ? (
          <p className={styles.empty}>Enter an expression and press Execute (or Enter). Shift+Enter adds a line.</p>
        ) : panel.tab === "table" ? (
          <TableView expr={executed} timeMs={resolvedEndMs} utc={utc} execSeq={exec.seq} />
        ) : panel.tab === "graph" ? (
          <Graph
            exprs={[executed, ...panel.overlays]}
            rangeMs={panel.rangeMs}
            endMs={resolvedEndMs}
            resolution={panel.resolution}
            stacked={panel.displayMode === "stacked"}
            utc={utc}
            execSeq={exec.seq}
            onZoom={(rangeMs, endMs) => onChange({ rangeMs, endMs })}
          />
        ) : (
          <ExplainView expr={executed} timeMs={resolvedEndMs} utc={utc} />
        )}
      </ErrorBoundary>
      <MetricsExplorer open={explorerOpen} onClose={() => setExplorerOpen(false)} onInsert={(text) => editor.current?.insert(text)} />
    </section>
  );
}
