import { instrumented } from "@/server/http/instrument";
import { isReady } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

const text = { "content-type": "text/plain; charset=utf-8" };

/** Readiness, as Prometheus's /-/ready: 200 only once migrations ran and the store is open. */
export const GET = instrumented("/-/ready", async () => {
  if (!isReady()) return new Response("Service Unavailable\n", { status: 503, headers: text });
  return new Response("Vigil is Ready.\n", { headers: text });
});

export const HEAD = GET;
