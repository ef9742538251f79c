import { runtimeInfo } from "@/server/api/status";
import { instrumented } from "@/server/http/instrument";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Runtime information, as Prometheus's /api/v1/status/runtimeinfo. */
export const GET = instrumented(
  "/api/v1/status/runtimeinfo",
  apiRoute(async () => {
    const rt = await requireRuntime();
    return runtimeInfo({ startedAt: rt.startedAt, now: Date.now(), retentionMs: rt.env.retentionMs, lastConfigTime: rt.config.loadedAt, reloadConfigSuccess: rt.config.lastReloadOk });
  }),
);
export const OPTIONS = corsPreflight;
