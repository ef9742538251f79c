"use client";

// The relabeling of one target, rule by rule, from Prometheus 3's
// /api/v1/targets/relabel_steps: the discovered labels, then for each rule
// its fields and the labels after it as a diff, "dropped here" on the rule
// that drops the target, and the final target labels.

import { useEffect } from "react";
import type { RelabelStepsResult } from "@/components/api/types/relabel-steps";
import { useApiQuery } from "@/components/api/use-api-query";
import { LabelChip, LabelChips } from "@/components/ui/labels";
import { Skeleton } from "@/components/ui/skeleton";
import { relabelStepViews, ruleFields, type LabelDiffEntry } from "./relabel-diff";

export interface RelabelSubject {
  scrapePool: string;
  discoveredLabels: Record<string, string>;
  /** Labels of the active target; null when it was dropped. */
  targetLabels: Record<string, string> | null;
}

function DiffChips({ diff }: { diff: LabelDiffEntry[] }) {
  const changed = diff.filter((d) => d.change !== "same");
  const same = diff.length - changed.length;
  return (
    <div className="diff" data-testid="step-diff">
      {changed.length === 0 && <span className="muted small-text">no change</span>}
      {changed.map((d) =>
        d.change === "changed" ? (
          <span key={d.name} className="diff-change" data-change="changed">
            <LabelChip name={d.name} value={d.before!} tone="removed" />
            <span className="muted" aria-hidden>
              →
            </span>
            <LabelChip name={d.name} value={d.after!} tone="changed" />
          </span>
        ) : (
          <span key={d.name} data-change={d.change}>
            <LabelChip name={d.name} value={(d.change === "added" ? d.after : d.before)!} tone={d.change === "added" ? "added" : "removed"} />
          </span>
        ),
      )}
      {changed.length > 0 && same > 0 && <span className="muted small-text">{same} unchanged</span>}
    </div>
  );
}

function Steps({ subject }: { subject: RelabelSubject }) {
  const q = useApiQuery<RelabelStepsResult>("/api/v1/targets/relabel_steps", { scrapePool: subject.scrapePool, labels: JSON.stringify(subject.discoveredLabels) }, { retry: false });
  if (q.isPending) return <Skeleton lines={6} />;
  if (q.isError)
    return (
      <div className="error-box" role="alert">
        <div>
          <strong>Could not load the relabeling steps</strong>
          <p>{q.error.message}</p>
        </div>
        <button type="button" className="btn" onClick={() => q.refetch()}>
          Retry
        </button>
      </div>
    );
  const views = relabelStepViews(subject.discoveredLabels, q.data.data.steps);
  return (
    <ol className="steps" data-testid="relabel-steps">
      <li className="step step-input">
        <div className="step-head">
          <strong>Discovered labels</strong>
        </div>
        <LabelChips labels={subject.discoveredLabels} />
      </li>
      {views.length === 0 && <li className="step muted">This scrape pool has no relabel_configs.</li>}
      {views.map((v) => (
        <li key={v.index} className={`step step-${v.outcome}`} data-testid="relabel-step" data-outcome={v.outcome}>
          <div className="step-head">
            <span className="step-num">{v.index + 1}</span>
            <code className="step-action">{v.rule.action}</code>
            <span className="step-fields">
              {ruleFields(v.rule).map(([k, val]) => (
                <span key={k} className="step-field">
                  <span className="muted">{k}:</span> <code>{val}</code>
                </span>
              ))}
            </span>
          </div>
          {v.outcome === "dropped" ? (
            <div className="step-dropped" data-testid="dropped-here">
              Dropped here: the target is not scraped.
            </div>
          ) : v.outcome === "skipped" ? (
            <div className="muted small-text">Not applied: the target was already dropped.</div>
          ) : (
            <DiffChips diff={v.diff} />
          )}
        </li>
      ))}
      <li className="step step-result">
        <div className="step-head">
          <strong>Target labels</strong>
          <span className="muted small-text">after relabeling; labels starting with __ are removed and instance defaults to __address__</span>
        </div>
        {subject.targetLabels ? <LabelChips labels={subject.targetLabels} /> : <span className="badge badge-down">DROPPED</span>}
      </li>
    </ol>
  );
}

export function RelabelDrawer({ subject, onClose }: { subject: RelabelSubject; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onClose]);
  const title = subject.discoveredLabels.__address__ ?? "target";
  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <aside className="drawer" role="dialog" aria-modal="true" aria-label={`Relabeling of ${title}`} onClick={(e) => e.stopPropagation()} data-testid="relabel-drawer">
        <div className="drawer-head">
          <div>
            <h2>Relabeling</h2>
            <div className="muted small-text">
              <code>{title}</code> in scrape pool <strong>{subject.scrapePool}</strong>
            </div>
          </div>
          <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <div className="drawer-body">
          <Steps subject={subject} />
        </div>
      </aside>
    </div>
  );
}
