// The query page's URL scheme, Prometheus 3's (web/ui/mantine-ui
// urlStateEncoding.ts), so links work in both directions:
//   g<i>.expr, g<i>.tab (table|graph|explain; legacy 0 = graph, 1 = table),
//   g<i>.display_mode (lines|stacked; legacy g<i>.stacked=0|1),
//   g<i>.show_exemplars (0|1), g<i>.range_input (duration), g<i>.end_input and
//   g<i>.moment_input (UTC "YYYY-MM-DD HH:mm:ss"), g<i>.res_type (auto|fixed),
//   g<i>.res_density (low|medium|high), g<i>.res_step (seconds; legacy
//   g<i>.step_input).
// Vigil adds g<i>.overlay (repeatable): more expressions on the panel's graph.
// Panels are read from g0 upwards until one has no expr, as Prometheus does.

import { formatDuration, formatUrlTime, parseDuration, parseUrlTime } from "./time";
import { defaultPanel, type PanelState, type PanelTab, type ResolutionDensity } from "./panel-state";

const TABS: Record<string, PanelTab> = { "0": "graph", "1": "table", graph: "graph", table: "table", explain: "explain" };
const DENSITIES = new Set<ResolutionDensity>(["low", "medium", "high"]);

/** Panels from a query string (`?g0.expr=…` or a URLSearchParams). */
export function decodePanels(search: string | URLSearchParams): PanelState[] {
  const params = typeof search === "string" ? new URLSearchParams(search) : search;
  const panels: PanelState[] = [];
  for (let i = 0; params.has(`g${i}.expr`); i++) {
    const get = (key: string) => params.get(`g${i}.${key}`);
    const p = defaultPanel({ expr: get("expr") ?? "", overlays: params.getAll(`g${i}.overlay`) });
    const tab = get("tab");
    if (tab !== null && TABS[tab]) p.tab = TABS[tab];
    const stacked = get("stacked");
    if (stacked !== null) p.displayMode = stacked === "1" ? "stacked" : "lines";
    const mode = get("display_mode");
    if (mode === "lines" || mode === "stacked") p.displayMode = mode;
    p.showExemplars = get("show_exemplars") === "1";
    const range = parseDuration(get("range_input") ?? "");
    if (range !== null) p.rangeMs = range;
    // Prometheus writes both; an explicit end wins over the moment.
    const end = parseUrlTime(get("end_input") ?? "") ?? parseUrlTime(get("moment_input") ?? "");
    if (end !== null) p.endMs = end;
    const legacyStep = Number(get("step_input"));
    if (Number.isFinite(legacyStep) && legacyStep > 0) p.resolution = { type: "fixed", stepMs: Math.round(legacyStep * 1000) };
    const resType = get("res_type");
    if (resType === "auto") {
      const density = get("res_density") as ResolutionDensity | null;
      p.resolution = { type: "auto", density: density && DENSITIES.has(density) ? density : "medium" };
    } else if (resType === "fixed" || resType === "custom") {
      const step = Number(get("res_step"));
      if (Number.isFinite(step) && step > 0) p.resolution = { type: "fixed", stepMs: Math.round(step * 1000) };
    }
    panels.push(p);
  }
  return panels;
}

/** The query string for `panels` (without `?`); defaults are written too, as Prometheus does, so links are explicit. */
export function encodePanels(panels: PanelState[]): string {
  const params = new URLSearchParams();
  panels.forEach((p, i) => {
    const add = (key: string, value: string) => params.append(`g${i}.${key}`, value);
    add("expr", p.expr);
    for (const o of p.overlays) add("overlay", o);
    add("tab", p.tab);
    add("display_mode", p.displayMode);
    add("show_exemplars", p.showExemplars ? "1" : "0");
    add("range_input", formatDuration(p.rangeMs));
    if (p.endMs !== null) {
      add("end_input", formatUrlTime(p.endMs));
      add("moment_input", formatUrlTime(p.endMs));
    }
    if (p.resolution.type === "auto") {
      add("res_type", "auto");
      add("res_density", p.resolution.density);
    } else {
      add("res_type", "fixed");
      add("res_step", String(p.resolution.stepMs / 1000));
    }
  });
  return params.toString();
}
