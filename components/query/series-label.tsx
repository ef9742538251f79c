// `name{a="b", …}` with the name in bold and the label names muted, as
// Prometheus's table shows a series.

import styles from "./query.module.css";

export function SeriesLabel({ metric }: { metric: Record<string, string> }) {
  const names = Object.keys(metric)
    .filter((k) => k !== "__name__")
    .sort();
  const name = metric.__name__;
  if (names.length === 0) return <span className={styles.seriesCell}>{name ? <b>{name}</b> : "{}"}</span>;
  return (
    <span className={styles.seriesCell}>
      {name && <b>{name}</b>}
      {"{"}
      {names.map((k, i) => (
        <span key={k}>
          {i > 0 && ", "}
          <span className={styles.labelName}>{k}</span>=&quot;{metric[k]}&quot;
        </span>
      ))}
      {"}"}
    </span>
  );
}
