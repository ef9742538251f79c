import { parseTSDBStatusParams, tsdbStatus } from "@/server/api/status";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Head and cardinality statistics, as Prometheus's /api/v1/status/tsdb. */
export const GET = instrumented(
  "/api/v1/status/tsdb",
  apiRoute(async (req) => tsdbStatus(await requireRuntime(), parseTSDBStatusParams(await readParams(req)))),
);
export const OPTIONS = corsPreflight;
