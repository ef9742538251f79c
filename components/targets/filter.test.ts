import { describe, expect, it } from "vitest";
import type { ActiveTarget } from "@/components/api/types/targets";
import { buildRows, filtersToParams, parseTargetFilters, summarizePools, targetKey, targetMatcher, type TargetFilters } from "./filter";

function target(pool: string, instance: string, health: ActiveTarget["health"], extra: Partial<ActiveTarget> = {}): ActiveTarget {
  return {
    discoveredLabels: { __address__: instance },
    labels: { instance, job: pool },
    scrapePool: pool,
    scrapeUrl: `http://${instance}/metrics`,
    globalUrl: `http://${instance}/metrics`,
    lastError: "",
    lastScrape: "2024-01-01T00:00:00Z",
    lastScrapeDuration: 0.01,
    health,
    scrapeInterval: "15s",
    scrapeTimeout: "10s",
    ...extra,
  };
}

const all: TargetFilters = { health: [], search: "", pool: "" };

describe("target filters in the URL", () => {
  it("round-trips and drops defaults", () => {
    const f: TargetFilters = { health: ["down", "unknown"], search: 'env="prod"', pool: "node" };
    const p = filtersToParams(f, new URLSearchParams("g0.expr=up"));
    expect(p.get("health")).toBe("down,unknown");
    expect(p.get("g0.expr")).toBe("up");
    expect(parseTargetFilters(p)).toEqual(f);
    expect(filtersToParams(all).toString()).toBe("");
    // All three states is the same as no filter.
    expect(filtersToParams({ ...all, health: ["up", "down", "unknown"] }).toString()).toBe("");
  });

  it("ignores unknown health values and keeps a canonical order", () => {
    expect(parseTargetFilters(new URLSearchParams("health=UNKNOWN,bogus,up")).health).toEqual(["up", "unknown"]);
  });
});

describe("targetMatcher", () => {
  const a = target("node", "a:9100", "up", { labels: { instance: "a:9100", job: "node", env: "prod" } });
  const b = target("node", "b:9100", "down", { lastError: "connection refused" });
  const c = target("api", "c:80", "unknown");

  it("filters by health, pool and every search term over labels, endpoint and error", () => {
    const run = (f: Partial<TargetFilters>) => [a, b, c].filter(targetMatcher({ ...all, ...f })).map((t) => t.labels.instance);
    expect(run({})).toEqual(["a:9100", "b:9100", "c:80"]);
    expect(run({ health: ["down", "unknown"] })).toEqual(["b:9100", "c:80"]);
    expect(run({ pool: "api" })).toEqual(["c:80"]);
    expect(run({ search: "REFUSED" })).toEqual(["b:9100"]);
    expect(run({ search: 'env="prod"' })).toEqual(["a:9100"]);
    expect(run({ search: "9100 prod" })).toEqual(["a:9100"]);
    expect(run({ search: "c:80/metrics" })).toEqual(["c:80"]);
    expect(run({ search: "nothing-matches" })).toEqual([]);
  });
});

describe("pools and rows", () => {
  const targets = [target("b", "1", "up"), target("a", "2", "down"), target("b", "3", "unknown"), target("b", "4", "up")];

  it("counts every target per pool and lists only matches", () => {
    const pools = summarizePools(targets, targetMatcher({ ...all, health: ["up"] }));
    expect(pools.map((p) => [p.name, p.total, p.up, p.down, p.unknown, p.shown.length])).toEqual([
      ["a", 1, 0, 1, 0, 0],
      ["b", 3, 2, 0, 1, 2],
    ]);
  });

  it("skips pools without matches while filtering, and collapsed pools keep only their header", () => {
    const filtered = summarizePools(targets, targetMatcher({ ...all, health: ["up"] }));
    expect(buildRows(filtered, new Set(), true).map((r) => r.kind)).toEqual(["pool", "target", "target"]);
    const unfiltered = summarizePools(targets, () => true);
    expect(buildRows(unfiltered, new Set(["b"]), false).map((r) => (r.kind === "pool" ? `pool ${r.pool.name}${r.collapsed ? " (collapsed)" : ""}` : r.kind))).toEqual([
      "pool a",
      "target",
      "pool b (collapsed)",
    ]);
    const emptyPool = summarizePools([target("a", "1", "up")], () => false);
    expect(buildRows(emptyPool, new Set(), false).map((r) => r.kind)).toEqual(["pool", "pool-empty"]);
  });

  it("keys targets by pool and labels", () => {
    const x = target("a", "1", "up");
    expect(targetKey(x)).toBe(targetKey({ ...x, health: "down" }));
    expect(targetKey(x)).not.toBe(targetKey({ ...x, labels: { ...x.labels, env: "x" } }));
    expect(targetKey(x)).not.toBe(targetKey({ ...x, scrapePool: "b" }));
  });
});
