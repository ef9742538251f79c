import { parseQuery } from "@/server/api/format";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** The query's AST as JSON, as Prometheus's /api/v1/parse_query. */
export const GET = instrumented(
  "/api/v1/parse_query",
  apiRoute(async (req) => parseQuery(await requireRuntime(), await readParams(req))),
);
export const POST = GET;
export const OPTIONS = corsPreflight;
