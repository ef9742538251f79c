import { instrumented } from "@/server/http/instrument";
import { metricsRegistry } from "@/server/metrics/registry";

export const dynamic = "force-dynamic";

/** Vigil's own metrics in the Prometheus text format. */
export const GET = instrumented("/metrics", async () => {
  const r = metricsRegistry();
  return new Response(await r.metrics(), { headers: { "content-type": r.contentType } });
});
