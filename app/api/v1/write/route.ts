import { instrumented } from "@/server/http/instrument";
import { handleRemoteWrite } from "@/server/remote/write-handler";
import { requireRuntime } from "@/server/runtime/start";

export const dynamic = "force-dynamic";

/** Prometheus remote write 1.0 receiver. */
export const POST = instrumented("/api/v1/write", async (req: Request) => {
  const rt = await requireRuntime();
  return handleRemoteWrite(req, rt.store, rt.remoteWriteCache, {
    maxBodyBytes: rt.env.remoteWriteMaxBodyBytes,
    maxDecompressedBytes: rt.env.remoteWriteMaxDecompressedBytes,
  });
});
