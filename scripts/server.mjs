// Vigil's HTTP server: Next.js (the production build) for the portal and the
// APIs, plus a direct Node.js path for POST /api/v1/write. Remote write is the
// highest-volume endpoint, and Next's per-request machinery costs several
// milliseconds of CPU per request; the direct handler is registered by the
// runtime (server/runtime/start.ts) once storage is ready, and until then the
// request goes to the Next.js route, which waits for storage.
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 9090);
const host = process.env.HOST || undefined;
process.env.PORT = String(port);

const app = next({ dev: false, dir: root, hostname: host ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

const RUNTIME = Symbol.for("vigil.runtime");
const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url !== undefined && (req.url === "/api/v1/write" || req.url.startsWith("/api/v1/write?"))) {
    const fast = globalThis[RUNTIME]?.nodeHandlers?.remoteWrite;
    if (fast) {
      fast(req, res).catch((err) => {
        console.error("vigil: remote write failed", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("internal server error\n");
      });
      return;
    }
  }
  handle(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  console.log(`vigil: listening on http://${host ?? "0.0.0.0"}:${port}`);
});
