// A real scrape target for the e2e specs: a node:http server on 127.0.0.1
// answering /metrics in the Prometheus text format, which the specs start and
// stop to watch a target go up and down.

import http from "node:http";

export interface FakeExporter {
  url: string;
  /** Scrapes answered so far. */
  scrapes(): number;
  stop(): Promise<void>;
}

export async function startFakeExporter(port: number): Promise<FakeExporter> {
  let scrapes = 0;
  const server = http.createServer((req, res) => {
    if (req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404).end("not found\n");
      return;
    }
    scrapes++;
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(
      [
        "# HELP fake_requests_total Requests handled by the fake exporter.",
        "# TYPE fake_requests_total counter",
        `fake_requests_total{code="200"} ${scrapes * 10}`,
        `fake_requests_total{code="500"} ${scrapes}`,
        "# HELP fake_temperature_celsius A gauge that moves.",
        "# TYPE fake_temperature_celsius gauge",
        `fake_temperature_celsius ${20 + Math.sin(scrapes / 5) * 3}`,
        "",
      ].join("\n"),
    );
  });
  // Scrapes use keep-alive: without this, stop() would wait for Vigil's idle connection.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    scrapes: () => scrapes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
