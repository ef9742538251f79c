import { metricMetadata, parseMetadataParams } from "@/server/api/metadata";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Metric metadata, as Prometheus's /api/v1/metadata. */
export const GET = instrumented(
  "/api/v1/metadata",
  apiRoute(async (req) => metricMetadata(await requireRuntime(), parseMetadataParams(await readParams(req)))),
);
export const OPTIONS = corsPreflight;
