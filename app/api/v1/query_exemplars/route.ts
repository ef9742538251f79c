import { queryExemplars } from "@/server/api/format";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Exemplars (none are stored yet), as Prometheus's /api/v1/query_exemplars. */
export const GET = instrumented(
  "/api/v1/query_exemplars",
  apiRoute(async (req) => queryExemplars(await requireRuntime(), await readParams(req))),
);
export const POST = GET;
export const OPTIONS = corsPreflight;
