"use client";

// The Graph tab's controls: range (with −/+ through preset steps), end time
// (with ←/→ by one range, and "now"), resolution (auto density or a fixed
// step), stacked mode, and the expressions overlaid on the same graph.

import { useState } from "react";
import type { PanelState, ResolutionDensity } from "./panel-state";
import { formatDuration, fromDateTimeInput, parseDuration, stepRange, toDateTimeInput } from "./time";
import styles from "./query.module.css";

interface Props {
  panel: PanelState;
  /** The end actually used (panel end, or the time of the last execution), Unix ms. */
  resolvedEndMs: number;
  utc: boolean;
  onChange: (patch: Partial<PanelState>) => void;
}

/** A text input for a duration that commits on Enter or blur, and reverts when invalid. */
export function DurationInput({ valueMs, onCommit, className, label, testId }: { valueMs: number; onCommit: (ms: number) => void; className?: string; label: string; testId?: string }) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    if (draft === null) return;
    const ms = parseDuration(draft);
    if (ms !== null) onCommit(ms);
    setDraft(null);
  };
  return (
    <input
      className={`${styles.input} ${className ?? ""}`}
      value={draft ?? formatDuration(valueMs)}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit();
        if (e.key === "Escape") setDraft(null);
      }}
      aria-label={label}
      title={`${label} (a duration such as 30m, 1h, 1d12h)`}
      data-testid={testId}
    />
  );
}

/** The end / evaluation time: a local or UTC date-time input with a "now" reset. */
export function TimeInput({ endMs, resolvedEndMs, utc, onChange, label }: { endMs: number | null; resolvedEndMs: number; utc: boolean; onChange: (ms: number | null) => void; label: string }) {
  if (endMs === null && resolvedEndMs === 0) {
    // Nothing executed yet, so "now" has no value: an empty date mask would only confuse.
    return (
      <>
        <input key="pending" className={styles.input} value="now (at execution)" readOnly aria-label={label} data-testid="end-input" onFocus={() => onChange(Math.floor(Date.now() / 1000) * 1000)} />
        <button type="button" className={styles.button} disabled>
          Now
        </button>
      </>
    );
  }
  return (
    <>
      <input
        key="time"
        type="datetime-local"
        step={1}
        className={styles.input}
        // "Now" shows the time of the last execution, so the box is never an empty date mask.
        value={toDateTimeInput(endMs ?? resolvedEndMs, utc)}
        onChange={(e) => {
          const ms = fromDateTimeInput(e.target.value, utc);
          if (ms !== null) onChange(Math.floor(ms / 1000) * 1000);
        }}
        aria-label={label}
        title={`${label}${utc ? " (UTC)" : " (local time)"}`}
        data-testid="end-input"
      />
      <button type="button" className={styles.button} onClick={() => onChange(null)} disabled={endMs === null} title="Use the current time" data-testid="end-now">
        {endMs === null ? "Now" : "Back to now"}
      </button>
    </>
  );
}

const DENSITIES: ResolutionDensity[] = ["low", "medium", "high"];

export function GraphControls({ panel, resolvedEndMs, utc, onChange }: Props) {
  const res = panel.resolution;
  const shiftEnd = (dir: 1 | -1) => onChange({ endMs: Math.floor((resolvedEndMs + dir * panel.rangeMs) / 1000) * 1000 });
  return (
    <div className={styles.controls} data-testid="graph-controls">
      <span className={styles.controlGroup}>
        <button type="button" className={styles.button} onClick={() => onChange({ rangeMs: stepRange(panel.rangeMs, -1) })} aria-label="Shorter range" data-testid="range-minus">
          −
        </button>
        <DurationInput valueMs={panel.rangeMs} onCommit={(rangeMs) => onChange({ rangeMs })} className={styles.rangeInput} label="Range" testId="range-input" />
        <button type="button" className={styles.button} onClick={() => onChange({ rangeMs: stepRange(panel.rangeMs, 1) })} aria-label="Longer range" data-testid="range-plus">
          +
        </button>
      </span>
      <span className={styles.controlGroup}>
        <button type="button" className={styles.button} onClick={() => shiftEnd(-1)} aria-label="Earlier by one range" title="Earlier by one range">
          ←
        </button>
        <TimeInput endMs={panel.endMs} resolvedEndMs={resolvedEndMs} utc={utc} onChange={(endMs) => onChange({ endMs })} label="End time" />
        <button type="button" className={styles.button} onClick={() => shiftEnd(1)} aria-label="Later by one range" title="Later by one range">
          →
        </button>
      </span>
      <span className={styles.controlGroup}>
        <select
          className={styles.select}
          value={res.type === "auto" ? `auto:${res.density}` : "fixed"}
          onChange={(e) => {
            const v = e.target.value;
            if (v === "fixed") onChange({ resolution: { type: "fixed", stepMs: 15_000 } });
            else onChange({ resolution: { type: "auto", density: v.slice(5) as ResolutionDensity } });
          }}
          aria-label="Resolution"
          data-testid="resolution-select"
        >
          {DENSITIES.map((d) => (
            <option key={d} value={`auto:${d}`}>
              Auto resolution ({d})
            </option>
          ))}
          <option value="fixed">Fixed step</option>
        </select>
        {res.type === "fixed" && <DurationInput valueMs={res.stepMs} onCommit={(stepMs) => onChange({ resolution: { type: "fixed", stepMs } })} className={styles.stepInput} label="Step" testId="step-input" />}
      </span>
      <button
        type="button"
        className={`${styles.button} ${panel.displayMode === "stacked" ? styles.toggleOn : ""}`}
        onClick={() => onChange({ displayMode: panel.displayMode === "stacked" ? "lines" : "stacked" })}
        aria-pressed={panel.displayMode === "stacked"}
        data-testid="stacked-toggle"
      >
        Stacked
      </button>
    </div>
  );
}

/** The expressions drawn on the panel's graph besides the main one. */
export function OverlayEditor({ overlays, onChange }: { overlays: string[]; onChange: (overlays: string[]) => void }) {
  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 6 }}>
      {overlays.map((o, i) => (
        <OverlayRow key={`${i}:${o}`} index={i} value={o} onCommit={(v) => onChange(overlays.map((x, j) => (j === i ? v : x)))} onRemove={() => onChange(overlays.filter((_, j) => j !== i))} />
      ))}
      <button type="button" className={`${styles.linkButton}`} style={{ alignSelf: "flex-start" }} onClick={() => onChange([...overlays, ""])} data-testid="add-overlay">
        + overlay another expression on this graph
      </button>
    </div>
  );
}

function OverlayRow({ index, value, onCommit, onRemove }: { index: number; value: string; onCommit: (v: string) => void; onRemove: () => void }) {
  const [draft, setDraft] = useState(value);
  return (
    <div className={styles.overlayRow}>
      <span className={styles.label}>#{index + 2}</span>
      <input
        className={styles.input}
        value={draft}
        placeholder="Another expression, drawn on the same axes (Enter to apply)"
        autoFocus={value === ""}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => draft !== value && onCommit(draft)}
        onKeyDown={(e) => e.key === "Enter" && draft !== value && onCommit(draft)}
        aria-label={`Overlay expression ${index + 2}`}
        data-testid="overlay-input"
      />
      <button type="button" className={`${styles.button} ${styles.iconButton}`} onClick={onRemove} aria-label="Remove this expression">
        ✕
      </button>
    </div>
  );
}
