import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testBackends, type TestDatabase } from "@/server/testing/databases";
import { ensureProductionBuild, startServer } from "@/server/testing/next-server";

const backends = await testBackends();

/** CONFIG_FILE, /api/v1/targets, and POST /-/reload with a valid and an invalid file, on the production server. */
describe.each(backends.slice(0, 1))("configuration reload on $name", (backend) => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    ensureProductionBuild();
    db = await backend.create();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-reload-"));
  }, 900_000);
  afterAll(async () => {
    await db?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("applies a valid file, rejects an invalid one with file:line:column and keeps the running one", async () => {
    const file = path.join(dir, "prometheus.yml");
    const write = (jobs: string[]) =>
      fs.writeFileSync(
        file,
        ["global:", "  scrape_interval: 1s", "scrape_configs:", ...jobs.flatMap((j) => [`  - job_name: ${j}`, "    static_configs: [{targets: ['127.0.0.1:1']}]"]), ""].join("\n"),
      );
    write(["first"]);
    const server = await startServer({ ...db.env, CONFIG_FILE: file });
    try {
      const pools = async () => ((await (await fetch(`${server.url}/api/v1/scrape_pools`)).json()) as { data: { scrapePools: string[] } }).data.scrapePools;
      expect(await pools()).toEqual(["first"]);

      write(["first", "second"]);
      expect((await fetch(`${server.url}/-/reload`, { method: "POST" })).status).toBe(200);
      expect(await pools()).toEqual(["first", "second"]);

      fs.writeFileSync(file, "scrape_configs:\n  - job_name: x\n    scrape_interval: 1s\n    scrape_timeout: 5s\n");
      const bad = await fetch(`${server.url}/-/reload`, { method: "POST" });
      expect(bad.status).toBe(500);
      expect(await bad.text()).toMatch(/prometheus\.yml:\d+:\d+: scrape_configs\[0\]\.scrape_timeout: scrape timeout greater than scrape interval/);
      expect(await pools()).toEqual(["first", "second"]);

      // The unreachable target shows as down with its error.
      const deadline = Date.now() + 20_000;
      let health = "unknown";
      let lastError = "";
      while (Date.now() < deadline && health !== "down") {
        await new Promise((r) => setTimeout(r, 500));
        const t = (await (await fetch(`${server.url}/api/v1/targets?scrapePool=first`)).json()) as {
          data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] };
        };
        health = t.data.activeTargets[0]?.health ?? "unknown";
        lastError = t.data.activeTargets[0]?.lastError ?? "";
      }
      expect(health).toBe("down");
      expect(lastError).not.toBe("");
    } finally {
      await server.stop();
    }
  }, 300_000);
});
