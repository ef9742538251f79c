import type { IncomingMessage, ServerResponse } from "node:http";
import type { SeriesStore } from "../storage/store";
import { singletonMetric } from "../metrics/registry";
import { Counter } from "prom-client";
import { RemoteWriteError, type SeriesKeyCache, decodeWriteRequest, uncompressSnappy } from "./decode";

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

/** What a remote-write request is answered with, independent of the HTTP layer. */
export interface WriteOutcome {
  status: number;
  /** Plain-text body; empty for 204. */
  body: string;
}

/**
 * Prometheus remote write 1.0: a snappy-compressed protobuf WriteRequest.
 * 204 once every sample is durably committed; 400 for a request that must not
 * be retried (malformed, invalid labels, out of order); 413 when too large;
 * 5xx when the sender should retry.
 */
export async function processRemoteWrite(
  headers: { contentType: string | null; contentEncoding: string | null },
  readBody: () => Promise<Uint8Array>,
  store: SeriesStore,
  cache: SeriesKeyCache,
  opts: RemoteWriteOptions,
): Promise<WriteOutcome> {
  if (/proto=io\.prometheus\.write\.v2/.test(headers.contentType ?? "")) {
    return { status: 415, body: "remote write 2.0 is not supported; send remote write 1.0 (prometheus.WriteRequest)" };
  }
  const enc = headers.contentEncoding;
  if (enc && enc.toLowerCase() !== "snappy") return { status: 415, body: `unsupported content encoding ${JSON.stringify(enc)}; use snappy` };
  try {
    const raw = uncompressSnappy(await readBody(), opts.maxDecompressedBytes);
    const decoded = decodeWriteRequest(raw, cache, (ls) => store.lookup(ls));
    if (decoded.histograms > 0) histogramsDropped.inc(decoded.histograms);
    if (decoded.entries.length > 0) {
      const res = await store.append(decoded);
      for (const u of decoded.uncached) cache.set(decoded.raw, u.start, u.end, res.series[u.index]!);
    }
    if (decoded.metadata.length > 0) await store.putMetadata(decoded.metadata);
    return { status: 204, body: "" };
  } catch (err) {
    // By name, not instanceof: the route handlers and the runtime may load these classes from different module graphs.
    const name = (err as Error)?.name;
    if (name === "RemoteWriteError") {
      const e = err as RemoteWriteError;
      if (e.status === 400) store.countRejected("malformed", 1);
      if (e.status === 413) store.countRejected("too_large", 1);
      return { status: e.status, body: e.message };
    }
    if (name === "AppendError") return { status: 400, body: (err as Error).message };
    if (name === "StoreClosedError") return { status: 503, body: (err as Error).message };
    console.error("vigil: remote write failed", err);
    return { status: 500, body: `storage error: ${(err as Error).message}` };
  }
}

/** The Fetch-API adapter (the Next.js route handler). */
export async function handleRemoteWrite(
  req: Request,
  store: SeriesStore,
  cache: SeriesKeyCache,
  opts: RemoteWriteOptions,
): Promise<Response> {
  const out = await processRemoteWrite(
    { contentType: req.headers.get("content-type"), contentEncoding: req.headers.get("content-encoding") },
    () => readBodyLimited(req, opts.maxBodyBytes),
    store,
    cache,
    opts,
  );
  return new Response(out.body ? out.body + "\n" : null, { status: out.status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

/** Reads a Node request body, failing with 413 as soon as it exceeds the limit. */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers["content-length"] ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new RemoteWriteError(413, `request body of ${declared} bytes exceeds the limit of ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let total = 0;
    req.on("data", (c: Buffer) => {
      total += c.length;
      if (total > limit) {
        req.destroy();
        reject(new RemoteWriteError(413, `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      parts.push(c);
    });
    req.on("end", () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, total)));
    req.on("error", reject);
  });
}

/**
 * The Node http adapter, used by Vigil's server (scripts/server.mjs) for
 * POST /api/v1/write without Next.js's per-request machinery, which costs
 * several milliseconds of CPU per request.
 */
export async function handleRemoteWriteNode(
  req: IncomingMessage,
  res: ServerResponse,
  store: SeriesStore,
  cache: SeriesKeyCache,
  opts: RemoteWriteOptions,
): Promise<void> {
  const out = await processRemoteWrite(
    { contentType: req.headers["content-type"] ?? null, contentEncoding: (req.headers["content-encoding"] as string | undefined) ?? null },
    () => readNodeBody(req, opts.maxBodyBytes),
    store,
    cache,
    opts,
  );
  if (out.status === 204) {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(out.status, { "content-type": "text/plain; charset=utf-8", connection: out.status === 413 ? "close" : "keep-alive" });
  res.end(out.body + "\n");
}
