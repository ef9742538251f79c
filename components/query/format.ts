// How series and values are written on the query page.

/** `{a="b", c="d"}` without the metric name; `{}` when there are no other labels. */
export function formatLabelSet(metric: Record<string, string>): string {
  const parts = Object.keys(metric)
    .filter((k) => k !== "__name__")
    .sort()
    .map((k) => `${k}=${JSON.stringify(metric[k])}`);
  return `{${parts.join(", ")}}`;
}

/** `name{a="b"}` as Prometheus shows a series; a nameless series is just its label set. */
export function formatSeries(metric: Record<string, string>): string {
  const name = metric.__name__ ?? "";
  const labels = formatLabelSet(metric);
  if (name === "") return labels;
  return labels === "{}" ? name : `${name}${labels}`;
}

/** A sample value string from the API as shown: kept verbatim (it is Prometheus's exact formatting). */
export function parseSampleValue(v: string): number {
  if (v === "+Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  return Number(v);
}

/** A number for axes and tooltips: short, with SI-like suffixes for big magnitudes. */
export function formatValueShort(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
  const abs = Math.abs(v);
  if (abs === 0) return "0";
  const units: [number, string][] = [
    [1e15, "P"],
    [1e12, "T"],
    [1e9, "G"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, suffix] of units) if (abs >= size) return `${trim(v / size)}${suffix}`;
  if (abs < 1e-3) return v.toExponential(2);
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** A positioned parse error (`1:5: parse error: …`) split into line, column and message. */
export function parseErrorPosition(message: string): { line: number; column: number } | null {
  const m = /(?:^|: )(\d+):(\d+): parse error/.exec(message);
  if (!m) return null;
  return { line: Number(m[1]), column: Number(m[2]) };
}
