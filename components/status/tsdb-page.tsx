"use client";

// /tsdb-status: head statistics and the cardinality tables of
// /api/v1/status/tsdb, each bar relative to the table's largest value.

import type { TSDBStat, TSDBStatus } from "@/components/api/types/tsdb-status";
import { useSuspenseApiQuery } from "@/components/api/use-api-query";
import { formatBytes, formatCount, formatTimestamp } from "@/components/ui/format";
import { useUrlParams } from "@/components/ui/hooks";
import { Section } from "@/components/ui/section";

const LIMITS = [10, 20, 50, 100];

/** Head times are Unix ms; an empty head reports MaxInt64/MinInt64, which mean "no data". */
function headTime(ms: number): string {
  return Math.abs(ms) > 1e17 ? "—" : formatTimestamp(ms);
}

function StatTable({ title, stats, nameHeader, valueHeader, bytes, testId }: { title: string; stats: TSDBStat[]; nameHeader: string; valueHeader: string; bytes?: boolean; testId: string }) {
  const max = Math.max(1, ...stats.map((s) => s.value));
  return (
    <Section title={title} testId={testId}>
      <div className="card flush">
        {stats.length === 0 ? (
          <div className="empty">No data yet.</div>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>{nameHeader}</th>
                <th className="num">{valueHeader}</th>
                <th aria-hidden />
              </tr>
            </thead>
            <tbody>
              {stats.map((s) => (
                <tr key={s.name}>
                  <td className="mono">{s.name}</td>
                  <td className="num">{bytes ? formatBytes(s.value) : formatCount(s.value)}</td>
                  <td className="bar-cell">
                    <div className="bar" style={{ width: `${(100 * s.value) / max}%` }} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </Section>
  );
}

export function TSDBStatusView() {
  const [params, , setParam] = useUrlParams();
  const limit = LIMITS.includes(Number(params.get("limit"))) ? Number(params.get("limit")) : 10;
  const { data } = useSuspenseApiQuery<TSDBStatus>("/api/v1/status/tsdb", { limit }, { refetchInterval: 30_000 });
  const s = data.data;
  const h = s.headStats;
  return (
    <>
      <Section
        title="Head"
        actions={
          <label className="muted small-text">
            Top{" "}
            <select
              className="input"
              value={limit}
              onChange={(e) => setParam("limit", e.target.value === "10" ? "" : e.target.value)}
              aria-label="Entries per table"
            >
              {LIMITS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <div className="stat-tiles" data-testid="head-stats">
          {(
            [
              ["Series", formatCount(h.numSeries)],
              ["Label pairs", formatCount(h.numLabelPairs)],
              ["Chunks", formatCount(h.chunkCount)],
              ["Oldest sample", headTime(h.minTime)],
              ["Newest sample", headTime(h.maxTime)],
            ] as const
          ).map(([label, value]) => (
            <div className="stat-tile" key={label}>
              <div className="label">{label}</div>
              <div className={`value${label.endsWith("sample") ? " small" : ""}`} data-testid={`head-${label.toLowerCase().replace(/ /g, "-")}`}>
                {value}
              </div>
            </div>
          ))}
        </div>
      </Section>
      <div className="grid-2">
        <StatTable title="Top metrics by series" nameHeader="Metric" valueHeader="Series" stats={s.seriesCountByMetricName} testId="tsdb-metrics" />
        <StatTable title="Top label names by value count" nameHeader="Label" valueHeader="Values" stats={s.labelValueCountByLabelName} testId="tsdb-label-names" />
        <StatTable title="Top label pairs by series" nameHeader="Pair" valueHeader="Series" stats={s.seriesCountByLabelValuePair} testId="tsdb-label-pairs" />
        {s.memoryInBytesByLabelName && s.memoryInBytesByLabelName.length > 0 && (
          <StatTable title="Memory by label name" nameHeader="Label" valueHeader="Bytes" bytes stats={s.memoryInBytesByLabelName} testId="tsdb-memory" />
        )}
      </div>
    </>
  );
}
