import { config } from "@/server/api/status";
import { instrumented } from "@/server/http/instrument";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { configYAML } from "@/server/runtime/config";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** The loaded configuration as YAML, as /api/v1/status/config. */
export const GET = instrumented(
  "/api/v1/status/config",
  apiRoute(async () => config(configYAML((await requireRuntime()).config))),
);
export const OPTIONS = corsPreflight;
