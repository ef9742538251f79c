import { getOverview } from "@/server/runtime/overview";

export const dynamic = "force-dynamic";

function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export default async function HomePage() {
  const o = await getOverview();
  return (
    <main>
      <section className="card" data-testid="server-status">
        <p className="status">
          <span className={`dot ${o.ready ? "ok" : "warn"}`} aria-hidden />
          <span data-testid="status-text">{o.ready ? "Vigil is up" : "Vigil is starting…"}</span>
        </p>
        <dl className="facts">
          <dt>Storage</dt>
          <dd data-testid="storage-kind">{o.storage ?? "opening"}</dd>
          <dt>Series</dt>
          <dd data-testid="series-count">{o.series.toLocaleString("en-US")}</dd>
          <dt>Started</dt>
          <dd>{o.startedAt ? formatTime(o.startedAt) : "—"}</dd>
          <dt>Server time</dt>
          <dd>{formatTime(o.serverTime)}</dd>
        </dl>
        <p className="links">
          Remote write: <code>POST /api/v1/write</code> · Own metrics: <a href="/metrics">/metrics</a> · Health:{" "}
          <a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a>
        </p>
      </section>
    </main>
  );
}
