import { config } from "@/server/api/status";
import { instrumented } from "@/server/http/instrument";
import { apiRoute, corsPreflight } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** The loaded configuration as YAML, as /api/v1/status/config (empty until configuration loading lands). */
export const GET = instrumented("/api/v1/status/config", apiRoute(async () => config("")));
export const OPTIONS = corsPreflight;
