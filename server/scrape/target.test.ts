import { describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { labelsFromRecord, labelsToRecord } from "@/server/storage/labels/labels";
import { fnv64a, populateLabels, Target, targetURL } from "./target";

function cfg(extra = "") {
  return loadConfig(
    `scrape_configs:
  - job_name: node
    scrape_interval: 30s
    params:
      module: [http_2xx, other]
${extra}`,
    "prometheus.yml",
  ).scrapeConfigs[0]!;
}

describe("populateLabels", () => {
  it("adds the scrape labels, defaults instance, removes __meta_*", () => {
    const r = populateLabels(cfg(), labelsFromRecord({ __address__: "h:9100" }), labelsFromRecord({ __meta_x: "y", env: "prod" }));
    expect(labelsToRecord(r.discovered)).toEqual({
      __address__: "h:9100",
      __meta_x: "y",
      env: "prod",
      job: "node",
      __scrape_interval__: "30s",
      __scrape_timeout__: "10s",
      __metrics_path__: "/metrics",
      __scheme__: "http",
      __param_module: "http_2xx",
    });
    expect(labelsToRecord(r.labels!)).toEqual({
      __address__: "h:9100",
      env: "prod",
      job: "node",
      instance: "h:9100",
      __scrape_interval__: "30s",
      __scrape_timeout__: "10s",
      __metrics_path__: "/metrics",
      __scheme__: "http",
      __param_module: "http_2xx",
    });
    const t = new Target(r.labels!, r.discovered, cfg().params);
    expect(labelsToRecord(t.publicLabels())).toEqual({ env: "prod", job: "node", instance: "h:9100" });
    expect(t.url).toBe("http://h:9100/metrics?module=http_2xx&module=other");
  });

  it("prefers target labels over group labels", () => {
    const r = populateLabels(cfg(), labelsFromRecord({ __address__: "h:1", env: "a" }), labelsFromRecord({ env: "b" }));
    expect(labelsToRecord(r.labels!).env).toBe("a");
  });

  it("keeps dropped targets' discovered labels", () => {
    const c = cfg(`    relabel_configs:
      - source_labels: [__address__]
        regex: "h:.*"
        action: drop`);
    const r = populateLabels(c, labelsFromRecord({ __address__: "h:1" }), []);
    expect(r.labels).toBeNull();
    expect(r.error).toBeUndefined();
    expect(labelsToRecord(r.discovered).__address__).toBe("h:1");
  });

  it("rejects a timeout above the interval set by relabeling, and a missing address", () => {
    const c = cfg(`    relabel_configs:
      - target_label: __scrape_timeout__
        replacement: 1m`);
    expect(populateLabels(c, labelsFromRecord({ __address__: "h:1" }), []).error).toBe('scrape timeout cannot be greater than scrape interval ("1m" > "30s")');
    const c2 = cfg(`    relabel_configs:
      - target_label: __address__
        replacement: ""`);
    expect(populateLabels(c2, labelsFromRecord({ __address__: "h:1" }), []).error).toBe("no address");
    expect(populateLabels(cfg(), labelsFromRecord({ __address__: "h:1/x" }), []).error).toBe('"h:1/x" is not a valid hostname');
  });
});

describe("targetURL", () => {
  it("lets __param_ labels override the first value and escapes as Go", () => {
    const ls = labelsFromRecord({ __scheme__: "https", __address__: "h:1", __metrics_path__: "/probe", __param_target: "a b&c", __param_x: "1" });
    expect(targetURL(ls, { target: ["z", "w"] })).toBe("https://h:1/probe?target=a+b%26c&target=w&x=1");
  });
});

describe("Target.offset", () => {
  it("is stable, within the interval, and pinned to absolute time", () => {
    const t = new Target(labelsFromRecord({ __address__: "h:1", __scheme__: "http", __metrics_path__: "/m" }), [], {});
    const o = t.offset(15_000, 0n, 1_000_000);
    expect(o).toBeGreaterThanOrEqual(0);
    expect(o).toBeLessThanOrEqual(15_000);
    // Called 5 s later, the next scrape is 5 s nearer (mod the interval).
    expect((t.offset(15_000, 0n, 1_005_000) - (o - 5000) + 15_000) % 15_000).toBe(0);
    expect(fnv64a("")).toBe(0xcbf29ce484222325n);
    expect(fnv64a("a")).toBe(0xaf63dc4c8601ec8cn);
  });
});
