import { instantQuery, parseInstantQueryParams } from "@/server/api/query";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Instant query (GET or POST form), as Prometheus's /api/v1/query. */
export const GET = instrumented(
  "/api/v1/query",
  apiRoute(async (req) => instantQuery(await requireRuntime(), parseInstantQueryParams(await readParams(req), Date.now()), req.signal)),
);
export const POST = GET;
export const OPTIONS = corsPreflight;
