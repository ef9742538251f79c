import type { SeriesStore } from "../storage/store";
import { AppendError, StoreClosedError } from "../storage/store";
import { singletonMetric } from "../metrics/registry";
import { Counter } from "prom-client";
import { RemoteWriteError, SeriesKeyCache, decodeWriteRequest, uncompressSnappy } from "./decode";

export interface RemoteWriteOptions {
  /** Largest accepted request body (compressed), in bytes; larger gets 413. */
  maxBodyBytes: number;
  /** Largest accepted decompressed WriteRequest, in bytes; larger gets 413. */
  maxDecompressedBytes: number;
}

const histogramsDropped = singletonMetric(
  "vigil_remote_write_histograms_dropped_total",
  (r) =>
    new Counter({
      name: "vigil_remote_write_histograms_dropped_total",
      help: "Native histogram samples received over remote write and not stored (not supported yet).",
      registers: [r],
    }),
);

/** Reads a body stream, failing with 413 as soon as it exceeds the limit. */
export async function readBodyLimited(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) {
    throw new RemoteWriteError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new RemoteWriteError(413, `request body exceeds the limit of ${limit} bytes`);
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0]!;
  return Buffer.concat(parts, total);
}

function text(status: number, body: string): Response {
  return new Response(body ? body + "\n" : null, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/**
 * Prometheus remote write 1.0: a snappy-compressed protobuf WriteRequest.
 * 204 once every sample is durably committed; 400 for a request that must not
 * be retried (malformed, invalid labels, out of order); 413 when too large;
 * 5xx when the sender should retry.
 */
export async function handleRemoteWrite(
  req: Request,
  store: SeriesStore,
  cache: SeriesKeyCache,
  opts: RemoteWriteOptions,
): Promise<Response> {
  const ct = req.headers.get("content-type") ?? "";
  if (/proto=io\.prometheus\.write\.v2/.test(ct)) {
    return text(415, "remote write 2.0 is not supported; send remote write 1.0 (prometheus.WriteRequest)");
  }
  const enc = req.headers.get("content-encoding");
  if (enc && enc.toLowerCase() !== "snappy") return text(415, `unsupported content encoding ${JSON.stringify(enc)}; use snappy`);
  try {
    const body = await readBodyLimited(req, opts.maxBodyBytes);
    const raw = uncompressSnappy(body, opts.maxDecompressedBytes);
    const decoded = decodeWriteRequest(raw, cache, (ls) => store.lookup(ls));
    if (decoded.histograms > 0) histogramsDropped.inc(decoded.histograms);
    if (decoded.entries.length > 0) {
      const res = await store.append(decoded);
      for (const u of decoded.uncached) cache.set(decoded.raw, u.start, u.end, res.series[u.index]!);
    }
    if (decoded.metadata.length > 0) await store.putMetadata(decoded.metadata);
    return new Response(null, { status: 204 });
  } catch (err) {
    if (err instanceof RemoteWriteError) {
      if (err.status === 400) store.countRejected("malformed", 1);
      if (err.status === 413) store.countRejected("too_large", 1);
      return text(err.status, err.message);
    }
    if (err instanceof AppendError) return text(400, err.message);
    if (err instanceof StoreClosedError) return text(503, err.message);
    console.error("remote write failed", err);
    return text(500, `storage error: ${(err as Error).message}`);
  }
}
