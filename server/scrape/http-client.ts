import "server-only";
// The HTTP client scrapes and HTTP SD use, configured as prometheus/common's
// HTTPClientConfig: basic_auth, authorization (bearer_token folded in by the
// config loader), tls_config, follow_redirects. It is a `fetch`-shaped
// function so that loops can take any fetch (tests pass fakes), built on
// node:http/https because the global fetch cannot take a CA, a client
// certificate or insecure_skip_verify without the undici package.
//
// Prometheus does not decompress anything but gzip; we also decode deflate
// when a server sends it, which Prometheus would fail on. Secrets in files
// (`password_file`, `credentials_file`) are read on every request, as
// Prometheus does, so that rotated secrets are picked up.

import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import type { HTTPClientConfig, TLSConfig } from "@/server/config";

/** The subset of `fetch` the scrapers and HTTP SD use. */
export type FetchLike = (url: string, init: { method?: string; headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

/** Prometheus's User-Agent, so that exporters that special-case it behave as with Prometheus. */
export const USER_AGENT = "Prometheus/3.0.0";

function readSecret(inline: string, file: string): string {
  if (file) return fs.readFileSync(file, "utf8").trim();
  return inline;
}

/** Authorization header for a client config, or undefined. Throws when a secret file cannot be read. */
export function authorizationHeader(cfg: HTTPClientConfig | null | undefined): string | undefined {
  if (!cfg) return undefined;
  if (cfg.basicAuth) {
    const user = readSecret(cfg.basicAuth.username, cfg.basicAuth.usernameFile);
    const pass = readSecret(cfg.basicAuth.password, cfg.basicAuth.passwordFile);
    return "Basic " + Buffer.from(`${user}:${pass}`).toString("base64");
  }
  if (cfg.authorization) {
    const creds = readSecret(cfg.authorization.credentials, cfg.authorization.credentialsFile);
    return `${cfg.authorization.type || "Bearer"} ${creds}`;
  }
  return undefined;
}

const tlsVersions: Record<string, "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3"> = { TLS10: "TLSv1", TLS11: "TLSv1.1", TLS12: "TLSv1.2", TLS13: "TLSv1.3" };

function tlsOptions(t: TLSConfig): https.AgentOptions {
  const o: https.AgentOptions = {};
  const ca = t.ca || (t.caFile ? fs.readFileSync(t.caFile, "utf8") : "");
  if (ca) o.ca = ca;
  const cert = t.cert || (t.certFile ? fs.readFileSync(t.certFile, "utf8") : "");
  if (cert) o.cert = cert;
  const key = t.key || (t.keyFile ? fs.readFileSync(t.keyFile, "utf8") : "");
  if (key) o.key = key;
  if (t.serverName) o.servername = t.serverName;
  if (t.insecureSkipVerify) o.rejectUnauthorized = false;
  if (t.minVersion && tlsVersions[t.minVersion]) o.minVersion = tlsVersions[t.minVersion];
  if (t.maxVersion && tlsVersions[t.maxVersion]) o.maxVersion = tlsVersions[t.maxVersion];
  return o;
}

const MAX_REDIRECTS = 10;

/**
 * A fetch over node:http/https honouring `cfg` (auth header, TLS, redirects).
 * Bodies are decompressed (gzip, deflate) and streamed.
 */
export function newHTTPClient(cfg: HTTPClientConfig | null | undefined): FetchLike {
  const agentOpts = cfg ? tlsOptions(cfg.tlsConfig) : {};
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ...agentOpts });
  const follow = cfg ? cfg.followRedirects : true;

  const once = (url: URL, init: Parameters<FetchLike>[1]): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...init.headers };
      const auth = authorizationHeader(cfg);
      if (auth && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) headers.Authorization = auth;
      const mod = url.protocol === "https:" ? https : http;
      const req = mod.request(url, { method: init.method ?? "GET", headers, agent: url.protocol === "https:" ? httpsAgent : httpAgent, signal: init.signal }, resolve);
      req.on("error", reject);
      req.end();
    });

  return async (input, init) => {
    let url = new URL(input);
    let res = await once(url, init);
    for (let i = 0; follow && i < MAX_REDIRECTS && res.statusCode && [301, 302, 303, 307, 308].includes(res.statusCode) && res.headers.location; i++) {
      res.resume();
      url = new URL(res.headers.location, url);
      res = await once(url, init);
    }
    let body: Readable = res;
    const enc = (res.headers["content-encoding"] ?? "").toLowerCase();
    if (enc === "gzip" || enc === "x-gzip") body = res.pipe(zlib.createGunzip());
    else if (enc === "deflate") body = res.pipe(zlib.createInflate());
    res.on("error", (e) => body.destroy(e));
    const headers = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined || k === "content-encoding" || k === "content-length") continue;
      if (Array.isArray(v)) for (const x of v) headers.append(k, x);
      else headers.set(k, v);
    }
    const status = res.statusCode ?? 0;
    const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
    return new Response(nullBody ? null : (Readable.toWeb(body) as ReadableStream<Uint8Array>), {
      status: status < 200 || status > 599 ? 500 : status,
      statusText: res.statusMessage ?? http.STATUS_CODES[status] ?? "",
      headers,
    });
  };
}

/** Go's `resp.Status` text: "500 Internal Server Error". */
export function statusText(res: Response): string {
  return `${res.status} ${res.statusText || http.STATUS_CODES[res.status] || ""}`.trim();
}

/** Body size limit exceeded (Prometheus's errBodySizeLimit). */
export class BodySizeLimitError extends Error {
  override name = "BodySizeLimitError";
  constructor() {
    super("body size limit exceeded");
  }
}

/**
 * Reads a whole body, failing once `limit` bytes (0 = no limit) have arrived:
 * Prometheus copies through `io.LimitReader(body, limit)` and fails when
 * `n >= limit`, so a body of exactly `limit` bytes fails too.
 */
export async function readBody(res: Response, limit: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (limit > 0 && n >= limit) {
      await reader.cancel().catch(() => {});
      throw new BodySizeLimitError();
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
