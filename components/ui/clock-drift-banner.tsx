"use client";

import { useEffect, useState } from "react";
import { apiFetch } from "@/components/api/use-api-query";
import type { RuntimeInfo } from "@/components/api/types/runtime-info";
import { CLOCK_DRIFT_LIMIT_MS, clockDriftMs, formatDrift } from "./clock-drift";

/** Checks once per page load (and every 10 minutes) and warns when the clocks differ by more than 30 s. */
export function ClockDriftBanner() {
  const [drift, setDrift] = useState<number | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    const check = async () => {
      const sent = Date.now();
      try {
        const { data } = await apiFetch<RuntimeInfo>("/api/v1/status/runtimeinfo", {}, { signal: ac.signal });
        const received = Date.now();
        const server = data.serverTime ? Date.parse(data.serverTime) : NaN;
        if (!Number.isNaN(server)) setDrift(clockDriftMs(server, sent, received));
      } catch {
        // An unreachable server is reported by the page sections; the banner stays quiet.
      }
    };
    void check();
    const timer = setInterval(check, 600_000);
    return () => {
      ac.abort();
      clearInterval(timer);
    };
  }, []);

  if (drift === null || Math.abs(drift) <= CLOCK_DRIFT_LIMIT_MS) return null;
  return (
    <div className="banner banner-warn" role="status" data-testid="clock-drift-banner">
      Your browser&apos;s clock is {formatDrift(drift)} {drift > 0 ? "ahead of" : "behind"} the server&apos;s. Times and graphs are shown on the
      browser&apos;s clock and may look shifted; consider syncing your system clock.
    </div>
  );
}
