// Label chips: `name="value"` the way Prometheus's UI shows them.

export function LabelChip({ name, value, tone }: { name: string; value: string; tone?: "added" | "removed" | "changed" }) {
  return (
    <span className={`chip${tone ? " chip-" + tone : ""}`} title={`${name}="${value}"`}>
      <span className="chip-name">{name}</span>=<span className="chip-value">&quot;{value}&quot;</span>
    </span>
  );
}

/** All labels of a set as chips, sorted by name. */
export function LabelChips({ labels, testId }: { labels: Record<string, string>; testId?: string }) {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return <span className="muted">no labels</span>;
  return (
    <span className="chips" data-testid={testId}>
      {names.map((n) => (
        <LabelChip key={n} name={n} value={labels[n]!} />
      ))}
    </span>
  );
}

export function HealthBadge({ health }: { health: string }) {
  const h = health === "up" || health === "down" ? health : "unknown";
  return (
    <span className={`badge badge-${h}`} data-testid="health-badge">
      {h.toUpperCase()}
    </span>
  );
}
