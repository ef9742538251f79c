import { labelNames, parseLabelNamesParams } from "@/server/api/series";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Label names (GET or POST form), as Prometheus's /api/v1/labels. */
export const GET = instrumented(
  "/api/v1/labels",
  apiRoute(async (req) => labelNames(await requireRuntime(), parseLabelNamesParams(await readParams(req)))),
);
export const POST = GET;
export const OPTIONS = corsPreflight;
