import { findSeries, parseSeriesParams } from "@/server/api/series";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Series matching match[] (GET or POST form), as Prometheus's /api/v1/series. */
export const GET = instrumented(
  "/api/v1/series",
  apiRoute(async (req) => findSeries(await requireRuntime(), parseSeriesParams(await readParams(req)))),
);
export const POST = GET;
export const OPTIONS = corsPreflight;
