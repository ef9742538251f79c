import { labelValues, parseLabelValuesParams } from "@/server/api/series";
import { instrumented } from "@/server/http/instrument";
import { readParams } from "@/server/http/params";
import { apiRoute, corsPreflight } from "@/server/http/respond";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Values of one label (GET only, as in Prometheus); `U__`-escaped names are unescaped. */
export const GET = instrumented(
  "/api/v1/label/:name/values",
  apiRoute(async (req: Request, { params }: { params: Promise<{ name: string }> }) =>
    labelValues(await requireRuntime(), parseLabelValuesParams((await params).name, await readParams(req))),
  ),
);
export const OPTIONS = corsPreflight;
