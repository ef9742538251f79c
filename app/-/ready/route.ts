import { isReady } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Readiness, as Prometheus's /-/ready: 200 only once migrations ran and the store is open. */
export function GET(): Response {
  if (!isReady()) return new Response("Service Unavailable\n", { status: 503, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response("Vigil is Ready.\n", { headers: { "content-type": "text/plain; charset=utf-8" } });
}

export const HEAD = GET;
