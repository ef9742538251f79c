import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { ensureProductionBuild, freePort, startServer } from "@/server/testing/next-server";
import { newMatcher } from "../storage/labels/matcher";
import { SeriesStore } from "../storage/store";

const backends = await testBackends();
const prometheusBin = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";
const havePrometheus = fs.existsSync(prometheusBin) && spawnSync(prometheusBin, ["--version"]).status === 0;
if (!havePrometheus && process.env.VIGIL_REQUIRE_PROMETHEUS === "1") throw new Error(`no Prometheus at ${prometheusBin}`);

/**
 * A real Prometheus (Debian's package) scrapes itself and remote-writes to the
 * production Vigil server; what it sent must be in Vigil's store, metadata too.
 */
describe.skipIf(!havePrometheus).each(backends)("a real Prometheus remote-writing to Vigil on $name", (backend) => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    ensureProductionBuild();
    db = await backend.create();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-prom-"));
  }, 900_000);
  afterAll(async () => {
    await db?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("stores Prometheus's samples and metadata", async () => {
    const vigil = await startServer(db.env);
    const promPort = await freePort();
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  external_labels: {replica: test}",
        "scrape_configs:",
        "  - job_name: prometheus",
        `    static_configs: [{targets: ['127.0.0.1:${promPort}']}]`,
        "remote_write:",
        `  - url: ${vigil.url}/api/v1/write`,
        "    queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}",
        "    metadata_config: {send_interval: 1s}",
        "",
      ].join("\n"),
    );
    let promOut = "";
    const prom = spawn(
      prometheusBin,
      [
        `--config.file=${path.join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    prom.stdout!.on("data", (d) => (promOut += d));
    prom.stderr!.on("data", (d) => (promOut += d));
    try {
      // Bounded wait (≤ 60 s): samples keep arriving, and metadata (sent every 1 s) has had time to come.
      const started = Date.now();
      const deadline = started + 60_000;
      let appended = 0;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1000));
        const text = await (await fetch(`${vigil.url}/metrics`)).text();
        appended = Number(/^vigil_tsdb_head_samples_appended_total (\S+)$/m.exec(text)?.[1] ?? 0);
        if (appended > 2000 && Date.now() - started > 8000) break;
      }
      expect(appended, promOut).toBeGreaterThan(2000);
    } finally {
      prom.kill("SIGTERM");
      await new Promise((r) => prom.once("exit", r));
      expect(await vigil.stop()).toBe(0);
    }
    const client = await db.open();
    try {
      const store = await SeriesStore.open(client);
      const up = await store.select([newMatcher("=", "__name__", "up"), newMatcher("=", "job", "prometheus")], 0, Date.now());
      expect(up).toHaveLength(1);
      expect(up[0]!.labels.find((l) => l.name === "replica")?.value).toBe("test");
      expect(up[0]!.t.length).toBeGreaterThan(3);
      expect([...up[0]!.v].every((v) => v === 1)).toBe(true);
      expect(store.labelValues("__name__").filter((n) => n.startsWith("prometheus_")).length).toBeGreaterThan(50);
      const meta = await store.getMetadata("prometheus_http_requests_total");
      expect(meta[0]).toMatchObject({ type: "counter" });
      await store.close({ flush: false });
    } finally {
      await client.close();
    }
  }, 300_000);
});
