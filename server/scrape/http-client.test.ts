import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { BodySizeLimitError, newHTTPClient, readBody } from "./http-client";

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function listen(s: http.Server | https.Server): Promise<number> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as net.AddressInfo).port;
}

function httpClientOf(yaml: string) {
  return loadConfig(`scrape_configs:\n  - job_name: x\n${yaml}`, "p.yml").scrapeConfigs[0]!.httpClient;
}

const sig = () => new AbortController().signal;

describe("newHTTPClient", () => {
  it("sends basic auth, follows redirects and decompresses gzip", async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const port = await listen(
      http.createServer((req, res) => {
        seen.push(req.headers);
        if (req.url === "/old") {
          res.writeHead(302, { Location: "/metrics" });
          return res.end();
        }
        res.writeHead(200, { "Content-Type": "text/plain", "Content-Encoding": "gzip" });
        res.end(zlib.gzipSync("m 1\n"));
      }),
    );
    const fetch = newHTTPClient(httpClientOf("    basic_auth: {username: u, password: p}\n"));
    const res = await fetch(`http://127.0.0.1:${port}/old`, { headers: { "Accept-Encoding": "gzip" }, signal: sig() });
    expect(res.status).toBe(200);
    expect(new TextDecoder().decode(await readBody(res, 0))).toBe("m 1\n");
    expect(seen[1]!.authorization).toBe("Basic " + Buffer.from("u:p").toString("base64"));
  });

  it("sends authorization credentials from a file", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-auth-"));
    fs.writeFileSync(path.join(dir, "token"), "s3cret\n");
    let auth = "";
    const port = await listen(http.createServer((req, res) => ((auth = req.headers.authorization ?? ""), res.end("ok"))));
    const fetch = newHTTPClient(httpClientOf(`    authorization: {credentials_file: ${dir}/token}\n`));
    await (await fetch(`http://127.0.0.1:${port}/`, { headers: {}, signal: sig() })).text();
    expect(auth).toBe("Bearer s3cret");
    fs.rmSync(dir, { recursive: true });
  });

  it("enforces the body size limit as Prometheus (n >= limit fails)", async () => {
    const port = await listen(http.createServer((_req, res) => res.end("0123456789")));
    const fetch = newHTTPClient(null);
    await expect(readBody(await fetch(`http://127.0.0.1:${port}/`, { headers: {}, signal: sig() }), 10)).rejects.toThrow(BodySizeLimitError);
    expect((await readBody(await fetch(`http://127.0.0.1:${port}/`, { headers: {}, signal: sig() }), 11)).length).toBe(10);
  });

  const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
  it.skipIf(!hasOpenssl)("verifies TLS with ca_file, and skips verification with insecure_skip_verify", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-tls-"));
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
    expect(r.status).toBe(0);
    const port = await listen(https.createServer({ key: fs.readFileSync(`${dir}/key.pem`), cert: fs.readFileSync(`${dir}/cert.pem`) }, (_req, res) => res.end("tls ok")));
    const url = `https://127.0.0.1:${port}/`;
    await expect(newHTTPClient(httpClientOf(""))(url, { headers: {}, signal: sig() })).rejects.toThrow();
    const withCA = newHTTPClient(httpClientOf(`    tls_config: {ca_file: ${dir}/cert.pem}\n`));
    expect(await (await withCA(url, { headers: {}, signal: sig() })).text()).toBe("tls ok");
    const insecure = newHTTPClient(httpClientOf(`    tls_config: {insecure_skip_verify: true}\n`));
    expect(await (await insecure(url, { headers: {}, signal: sig() })).text()).toBe("tls ok");
    fs.rmSync(dir, { recursive: true });
  });
});
