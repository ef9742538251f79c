import { buildInfo } from "@/server/api/status";
import { instrumented } from "@/server/http/instrument";
import { apiRoute, corsPreflight } from "@/server/http/respond";

export const dynamic = "force-dynamic";

/** Version information, as Prometheus's /api/v1/status/buildinfo. */
export const GET = instrumented("/api/v1/status/buildinfo", apiRoute(async () => buildInfo()));
export const OPTIONS = corsPreflight;
