import { flags, flagsFromEnv } from "@/server/api/status";
import { instrumented } from "@/server/http/instrument";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Command-line flags (our settings under Prometheus's flag names), as /api/v1/status/flags. */
export const GET = instrumented("/api/v1/status/flags", apiRoute(async () => flags(flagsFromEnv((await requireRuntime()).env))));
export const OPTIONS = corsPreflight;
