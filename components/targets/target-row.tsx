"use client";

import { memo } from "react";
import type { ActiveTarget } from "@/components/api/types/targets";
import { formatRelative, formatSeconds, parseApiTime } from "@/components/ui/format";
import { HealthBadge, LabelChips } from "@/components/ui/labels";

interface Props {
  target: ActiveTarget;
  /** The pool's last row: rounded bottom corners. */
  last: boolean;
  now: number;
  showDiscovered: boolean;
  onToggleDiscovered: () => void;
}

/** One target: endpoint, labels, last scrape, duration, interval and timeout, health, and the last error in red. */
export const TargetRow = memo(function TargetRow({ target: t, last: isLast, now, showDiscovered, onToggleDiscovered }: Props) {
  const last = parseApiTime(t.lastScrape);
  return (
    <div className={`target-row health-${t.health}${isLast ? " last" : ""}`} data-testid="target-row" data-health={t.health}>
      <div className="target-endpoint">
        <a className="link mono" href={t.globalUrl || t.scrapeUrl} target="_blank" rel="noreferrer" data-testid="target-endpoint">
          {t.scrapeUrl}
        </a>
        <button type="button" className="btn-link small-text" onClick={onToggleDiscovered} aria-expanded={showDiscovered}>
          {showDiscovered ? "hide discovered labels" : "discovered labels"}
        </button>
      </div>
      <div className="target-labels">
        <LabelChips labels={t.labels} testId="target-labels" />
        {showDiscovered && (
          <div className="target-discovered" data-testid="target-discovered">
            <span className="muted small-text">Discovered:</span> <LabelChips labels={t.discoveredLabels} />
          </div>
        )}
      </div>
      <div className="target-cell" title={t.lastScrape}>
        <span className="cell-label">Last scrape</span>
        {last === null ? <span className="muted">never</span> : formatRelative(last, now)}
      </div>
      <div className="target-cell num">
        <span className="cell-label">Duration</span>
        {last === null ? <span className="muted">—</span> : formatSeconds(t.lastScrapeDuration)}
      </div>
      <div className="target-cell">
        <span className="cell-label">Interval / timeout</span>
        {t.scrapeInterval} / {t.scrapeTimeout}
      </div>
      <div className="target-cell target-health">
        <HealthBadge health={t.health} />
      </div>
      {t.lastError && (
        <div className="target-error error-text" data-testid="target-error">
          {t.lastError}
        </div>
      )}
    </div>
  );
});
