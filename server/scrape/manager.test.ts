import { describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { labelsToRecord, type Labels } from "@/server/storage/labels/labels";
import { newMatcher } from "@/server/storage/labels/matcher";
import type { AppendBatch, MetricMetadata } from "@/server/storage/store";
import { ScrapeManager } from "./manager";
import { isStaleNaN } from "./scrape-loop";

class FakeAppendable {
  written: { labels: Record<string, string>; t: number; v: number }[] = [];
  async append(batch: AppendBatch): Promise<void> {
    for (let i = 0; i < batch.entries.length; i++) this.written.push({ labels: labelsToRecord(batch.entries[i] as Labels), t: batch.t[i]!, v: batch.v[i]! });
  }
  async putMetadata(_items: MetricMetadata[]): Promise<void> {}
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
};

const config = loadConfig(
  `global:
  scrape_interval: 15s
scrape_configs:
  - job_name: a
    static_configs:
      - targets: ["t1:80", "t2:80"]
        labels: {env: prod}
    relabel_configs:
      - source_labels: [__address__]
        regex: "t2:.*"
        action: drop
  - job_name: b
    scrape_interval: 30s
    static_configs:
      - targets: ["t3:80"]
`,
  "prometheus.yml",
);

describe("ScrapeManager", () => {
  it("runs pools from discovery and answers the targets API", async () => {
    let clock = 1_700_000_000_000;
    const app = new FakeAppendable();
    const m = new ScrapeManager({
      appendable: app,
      now: () => clock,
      // Fake time: every wait moves the clock and yields for real for a moment.
      sleep: async (ms, signal) => {
        await new Promise((r) => setTimeout(r, 2));
        if (!signal.aborted) clock += ms;
      },
      fetch: async (url) => new Response(`# HELP m_total Help of ${url}.\n# TYPE m_total counter\nm_total 1\n`, { headers: { "content-type": "text/plain; version=0.0.4" } }),
      discovery: { updateIntervalMs: 1 },
    });
    const ac = new AbortController();
    m.start(ac.signal);
    m.applyConfig(config);
    await until(() => m.targets().activeTargets.every((t) => t.health === "up") && m.targets().activeTargets.length === 2);

    expect(m.scrapePools()).toEqual({ scrapePools: ["a", "b"] });
    const all = m.targets();
    const t1 = all.activeTargets.find((t) => t.scrapePool === "a")!;
    expect(t1).toMatchObject({
      labels: { env: "prod", instance: "t1:80", job: "a" },
      scrapeUrl: "http://t1:80/metrics",
      globalUrl: "http://t1:80/metrics",
      lastError: "",
      health: "up",
      scrapeInterval: "15s",
      scrapeTimeout: "10s",
    });
    expect(t1.discoveredLabels).toMatchObject({ __address__: "t1:80", env: "prod", job: "a" });
    expect(t1.lastScrape).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(all.activeTargets.find((t) => t.scrapePool === "b")!.scrapeInterval).toBe("30s");
    expect(all.droppedTargets).toEqual([
      { scrapePool: "a", discoveredLabels: { __address__: "t2:80", __metrics_path__: "/metrics", __scheme__: "http", __scrape_interval__: "15s", __scrape_timeout__: "10s", env: "prod", job: "a" } },
    ]);
    expect(all.droppedTargetCounts).toEqual({ a: 1, b: 0 });
    expect(m.targets({ state: "active" }).droppedTargets).toEqual([]);
    expect(m.targets({ state: "dropped" }).activeTargets).toEqual([]);
    expect(m.targets({ scrapePool: "b" }).activeTargets.map((t) => t.scrapePool)).toEqual(["b"]);

    expect(m.targetsMetadata({ matchTarget: [newMatcher("=", "job", "b")] })).toEqual([
      { target: { instance: "t3:80", job: "b" }, metric: "m_total", type: "counter", help: "Help of http://t3:80/metrics.", unit: "" },
    ]);
    expect(m.targetsMetadata({ metric: "m_total", limit: 1 })).toHaveLength(1);

    const steps = m.relabelSteps("a", { __address__: "t2:80" })!.steps;
    expect(steps).toEqual([
      { rule: { source_labels: ["__address__"], separator: ";", regex: "t2:.*", modulus: 0, target_label: "", replacement: "$1", action: "drop" }, output: {}, keep: false },
    ]);
    expect(m.relabelSteps("nope", {})).toBeNull();

    // Reload without job b: its target's series are marked stale once the loop has waited two intervals.
    const cfg2 = { ...config, scrapeConfigs: [config.scrapeConfigs[0]!] };
    m.applyConfig(cfg2);
    expect(m.scrapePools()).toEqual({ scrapePools: ["a"] });
    await until(() => app.written.some((w) => w.labels.job === "b" && w.labels.__name__ === "up" && isStaleNaN(w.v)));
    expect(app.written.some((w) => w.labels.job === "b" && w.labels.__name__ === "m_total" && isStaleNaN(w.v))).toBe(true);
    await m.stop();
    // Stopped: no staleness for job a.
    await new Promise((r) => setTimeout(r, 50));
    expect(app.written.some((w) => w.labels.job === "a" && isStaleNaN(w.v))).toBe(false);
  });

  it("reloads a changed scrape config without staleness for targets that stay, and marks removed ones stale", async () => {
    let clock = 1_700_000_000_000;
    const app = new FakeAppendable();
    let scrapes = 0;
    const m = new ScrapeManager({
      appendable: app,
      now: () => clock,
      sleep: async (ms, signal) => {
        await new Promise((r) => setTimeout(r, 2));
        if (!signal.aborted) clock += ms;
      },
      fetch: async () => new Response("m_total 1\n", { headers: { "content-type": "text/plain" } }),
      discovery: { updateIntervalMs: 1 },
      onScrape: () => scrapes++,
    });
    const ac = new AbortController();
    const cfg = (extra: string) =>
      loadConfig(
        `scrape_configs:
  - job_name: a
    static_configs: [{targets: ["t1:80", "t2:80"]}]
${extra}`,
        "p.yml",
      );
    m.start(ac.signal);
    m.applyConfig(cfg(""));
    await until(() => scrapes >= 6);
    // A changed setting (sample_limit) and a relabeling that removes t2.
    m.applyConfig(cfg(`    sample_limit: 100
    relabel_configs: [{source_labels: [__address__], regex: "t2:80", action: drop}]
`));
    const at = scrapes;
    await until(() => app.written.some((w) => w.labels.instance === "t2:80" && w.labels.__name__ === "m_total" && isStaleNaN(w.v)));
    await until(() => scrapes >= at + 4);
    expect(app.written.some((w) => w.labels.instance === "t1:80" && isStaleNaN(w.v))).toBe(false);
    expect(m.targets().activeTargets.map((t) => t.labels.instance)).toEqual(["t1:80"]);
    expect(m.targets().activeTargets[0]!.health).toBe("up");
    ac.abort();
    await m.stop();
  });
});
