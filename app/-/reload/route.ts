import { instrumented } from "@/server/http/instrument";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

const text = { "content-type": "text/plain; charset=utf-8" };

/** Reloads CONFIG_FILE, as Prometheus's POST /-/reload; an invalid file keeps the running configuration. */
export const POST = instrumented("/-/reload", async () => {
  const rt = await requireRuntime();
  try {
    await rt.reloadConfig();
    return new Response(null, { status: 200, headers: text });
  } catch (err) {
    return new Response(`failed to reload config: ${(err as Error).message}\n`, { status: 500, headers: text });
  }
});

export const PUT = POST;
