// The state of one query panel. Everything here is encoded in the page URL
// (url-state.ts), so any view is a link; nothing else about a panel survives a
// reload except the query history (localStorage).

export type PanelTab = "table" | "graph" | "explain";
export type DisplayMode = "lines" | "stacked";
export type ResolutionDensity = "low" | "medium" | "high";

export type Resolution =
  | { type: "auto"; density: ResolutionDensity }
  /** A fixed step, ms. */
  | { type: "fixed"; stepMs: number };

export interface PanelState {
  /** Stable React key; not encoded (panels are numbered by position in the URL). */
  id: string;
  expr: string;
  /**
   * More expressions drawn on the same graph (`g0.overlay`, repeatable).
   * Prometheus has one expression per panel; Vigil lets a panel overlay others
   * so a ratio can be read against its parts.
   */
  overlays: string[];
  tab: PanelTab;
  /** Graph range, ms. */
  rangeMs: number;
  /**
   * Graph end and table evaluation time, Unix ms; null means "now" (re-read
   * at every execution). Prometheus 3 also shares one time between the tabs.
   */
  endMs: number | null;
  resolution: Resolution;
  displayMode: DisplayMode;
  showExemplars: boolean;
}

export const DEFAULT_RANGE_MS = 3600_000;

let nextId = 0;
/** A process-unique panel id. */
export function newPanelId(): string {
  nextId += 1;
  return `p${nextId}`;
}

export function defaultPanel(overrides: Partial<PanelState> = {}): PanelState {
  return {
    id: newPanelId(),
    expr: "",
    overlays: [],
    tab: "table",
    rangeMs: DEFAULT_RANGE_MS,
    endMs: null,
    resolution: { type: "auto", density: "medium" },
    displayMode: "lines",
    showExemplars: false,
    ...overrides,
  };
}

/** Points per range each auto density aims at. Medium is Prometheus's classic rule (range/250). */
const DENSITY_POINTS: Record<ResolutionDensity, number> = { low: 125, medium: 250, high: 500 };

/**
 * The step a range query uses, ms. Auto follows Prometheus's
 * `max(floor(range_s / 250), 1)` seconds (for medium density); a fixed step is
 * kept but raised when it would exceed the API's 11,000 points per series.
 */
export function effectiveStepMs(resolution: Resolution, rangeMs: number): number {
  if (resolution.type === "fixed") return Math.max(resolution.stepMs, Math.ceil(rangeMs / 11_000));
  return Math.max(Math.floor(rangeMs / 1000 / DENSITY_POINTS[resolution.density]), 1) * 1000;
}
