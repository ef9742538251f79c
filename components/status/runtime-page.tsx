"use client";

// /status: Prometheus's "Runtime & build information" page.

import type { BuildInfo } from "@/components/api/types/build-info";
import type { RuntimeInfo } from "@/components/api/types/runtime-info";
import { useSuspenseApiQuery } from "@/components/api/use-api-query";
import { formatBytes, formatTimestamp, formatUptime, parseApiTime } from "@/components/ui/format";
import { useNow } from "@/components/ui/hooks";

function Facts({ rows, testId }: { rows: [string, React.ReactNode][]; testId: string }) {
  return (
    <div className="card">
      <dl className="facts" data-testid={testId}>
        {rows.map(([k, v]) => (
          <div key={k} style={{ display: "contents" }}>
            <dt>{k}</dt>
            <dd>{v === "" || v === undefined || v === null ? <span className="muted">—</span> : v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

export function BuildInfoCard() {
  const { data } = useSuspenseApiQuery<BuildInfo>("/api/v1/status/buildinfo");
  const b = data.data;
  return (
    <Facts
      testId="build-info"
      rows={[
        ["Version (Prometheus API)", b.version],
        ["Revision", b.revision],
        ["Branch", b.branch],
        ["Build user", b.buildUser],
        ["Build date", b.buildDate],
        ["Runtime", b.goVersion],
      ]}
    />
  );
}

export function RuntimeInfoCard() {
  const now = useNow(1000);
  const { data } = useSuspenseApiQuery<RuntimeInfo>("/api/v1/status/runtimeinfo", {}, { refetchInterval: 30_000 });
  const r = data.data;
  const start = parseApiTime(r.startTime);
  const lastConfig = parseApiTime(r.lastConfigTime);
  return (
    <Facts
      testId="runtime-info"
      rows={[
        ["Start time", start === null ? "" : `${formatTimestamp(start)} (up ${formatUptime(now - start)})`],
        ["Hostname", r.hostname],
        ["Working directory", <code key="cwd">{r.CWD}</code>],
        ["Server time", formatTimestamp(parseApiTime(r.serverTime))],
        [
          "Configuration reload",
          r.reloadConfigSuccess ? (
            <span key="ok" className="badge badge-up">
              SUCCESSFUL
            </span>
          ) : (
            <span key="bad" className="badge badge-down">
              FAILED
            </span>
          ),
        ],
        ["Last configuration load", formatTimestamp(lastConfig)],
        ["Storage retention", r.storageRetention],
        ["Corruptions", String(r.corruptionCount)],
        ["Threads (goroutines)", String(r.goroutineCount)],
        ["CPUs available (GOMAXPROCS)", String(r.GOMAXPROCS)],
        ["Heap limit (GOMEMLIMIT)", r.GOMEMLIMIT ? formatBytes(r.GOMEMLIMIT) : ""],
        ["GOGC", r.GOGC],
        ["GODEBUG", r.GODEBUG],
      ]}
    />
  );
}
