import { scrapePools } from "@/server/api/targets";
import { instrumented } from "@/server/http/instrument";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Names of the scrape pools, as Prometheus's /api/v1/scrape_pools. */
export const GET = instrumented(
  "/api/v1/scrape_pools",
  apiRoute(async () => scrapePools((await requireRuntime()).scrape)),
);
export const OPTIONS = corsPreflight;
