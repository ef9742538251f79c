import { relabelSteps } from "@/server/api/targets";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** A discovered label set relabeled rule by rule, as Prometheus 3's /api/v1/targets/relabel_steps. */
export const GET = instrumented(
  "/api/v1/targets/relabel_steps",
  apiRoute(async (req) => relabelSteps((await requireRuntime()).scrape, await readParams(req))),
);
export const POST = GET;
export const OPTIONS = corsPreflight;
