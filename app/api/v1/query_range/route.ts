import { parseRangeQueryParams, rangeQuery } from "@/server/api/query";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Range query (GET or POST form), as Prometheus's /api/v1/query_range. */
export const GET = instrumented(
  "/api/v1/query_range",
  apiRoute(async (req) => rangeQuery(await requireRuntime(), parseRangeQueryParams(await readParams(req)), req.signal)),
);
export const POST = GET;
export const OPTIONS = corsPreflight;
