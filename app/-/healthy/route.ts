import { instrumented } from "@/server/http/instrument";

export const dynamic = "force-dynamic";

/** Liveness, as Prometheus's /-/healthy: 200 whenever the process serves HTTP. */
export const GET = instrumented("/-/healthy", async () => {
  return new Response("Vigil is Healthy.\n", { headers: { "content-type": "text/plain; charset=utf-8" } });
});

export const HEAD = GET;
