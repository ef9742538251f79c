import { targetsMetadata } from "@/server/api/targets";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Metric metadata per target, as Prometheus's /api/v1/targets/metadata. */
export const GET = instrumented(
  "/api/v1/targets/metadata",
  apiRoute(async (req) => targetsMetadata((await requireRuntime()).scrape, await readParams(req))),
);
export const OPTIONS = corsPreflight;
