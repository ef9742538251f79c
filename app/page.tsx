import Link from "next/link";
import { isMenu, NAV, type NavLink } from "@/components/ui/nav-items";
import { formatTimestamp } from "@/components/ui/format";
import { getOverview } from "@/server/runtime/overview";

export const dynamic = "force-dynamic";

// Every page of the navigation, for the overview's shortcuts.
const PAGES: NavLink[] = NAV.flatMap((e) => (isMenu(e) ? e.items : [e]));

export default async function HomePage() {
  const o = await getOverview();
  return (
    <div className="home">
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
          <dd>{formatTimestamp(o.startedAt)}</dd>
          <dt>Server time</dt>
          <dd>{formatTimestamp(o.serverTime)}</dd>
        </dl>
        <p className="links">
          Remote write: <code>POST /api/v1/write</code> · Own metrics: <a href="/metrics">/metrics</a> · Health:{" "}
          <a href="/-/healthy">/-/healthy</a>, <a href="/-/ready">/-/ready</a>
        </p>
      </section>
      <nav className="home-grid" aria-label="Pages">
        {PAGES.map((p) => (
          <Link key={p.href} href={p.href}>
            <strong>{p.label}</strong>
            {p.description && <small>{p.description}</small>}
          </Link>
        ))}
      </nav>
    </div>
  );
}
