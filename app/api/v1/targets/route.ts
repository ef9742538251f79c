import { targets } from "@/server/api/targets";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Scrape targets, active and dropped, as Prometheus's /api/v1/targets. */
export const GET = instrumented(
  "/api/v1/targets",
  apiRoute(async (req) => targets((await requireRuntime()).scrape, await readParams(req))),
);
export const OPTIONS = corsPreflight;
