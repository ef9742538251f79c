import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { labelsToRecord } from "@/server/storage/labels/labels";
import { lookupGroup, DNSDiscoverer, type DNSResolver } from "./dns";
import { FileDiscoverer, globToRegExp } from "./file";
import { HTTPDiscoverer } from "./http";
import { DiscoveryManager, type TargetSets } from "./manager";
import type { TargetGroup } from "./target-group";

const plain = (groups: TargetGroup[]) => groups.map((g) => ({ source: g.source, targets: g.targets.map((t) => labelsToRecord(t).__address__), labels: labelsToRecord(g.labels) }));

const tmpDirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-sd-"));
  tmpDirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("file SD", () => {
  it("matches globs as Go's filepath.Match", () => {
    expect(globToRegExp("*.json").test("a.json")).toBe(true);
    expect(globToRegExp("*.json").test("a.yml")).toBe(false);
    expect(globToRegExp("t?[0-9].y*ml").test("tx5.yaml")).toBe(true);
  });

  it("reads JSON and YAML files, sends emptied sources when a file goes", () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, "a.json"), JSON.stringify([{ targets: ["a:1", "a:2"], labels: { env: "prod" } }]));
    fs.writeFileSync(path.join(d, "b.yml"), "- targets: ['b:1']\n- targets: ['b:2']\n  labels: {x: y}\n");
    fs.writeFileSync(path.join(d, "c.txt"), "ignored");
    const sd = new FileDiscoverer({ files: [path.join(d, "*.json"), path.join(d, "*.yml")], refreshInterval: 300_000 });
    const g = sd.refresh();
    expect(plain(g)).toEqual([
      { source: `${d}/a.json:0`, targets: ["a:1", "a:2"], labels: { env: "prod", __meta_filepath: `${d}/a.json` } },
      { source: `${d}/b.yml:0`, targets: ["b:1"], labels: { __meta_filepath: `${d}/b.yml` } },
      { source: `${d}/b.yml:1`, targets: ["b:2"], labels: { x: "y", __meta_filepath: `${d}/b.yml` } },
    ]);
    fs.writeFileSync(path.join(d, "b.yml"), "- targets: ['b:3']\n");
    fs.rmSync(path.join(d, "a.json"));
    expect(plain(sd.refresh())).toEqual([
      { source: `${d}/b.yml:0`, targets: ["b:3"], labels: { __meta_filepath: `${d}/b.yml` } },
      { source: `${d}/b.yml:1`, targets: [], labels: {} },
      { source: `${d}/a.json:0`, targets: [], labels: {} },
    ]);
  });

  it("keeps a file's groups when it becomes invalid", () => {
    const d = tmp();
    const f = path.join(d, "a.json");
    fs.writeFileSync(f, JSON.stringify([{ targets: ["a:1"] }]));
    const errors: string[] = [];
    const sd = new FileDiscoverer({ files: [f], refreshInterval: 300_000 }, { onError: (file) => errors.push(file) });
    sd.refresh();
    fs.writeFileSync(f, "[{");
    expect(sd.refresh()).toEqual([]);
    expect(errors).toEqual([f]);
  });

  it("picks up changes through fs.watch", async () => {
    const d = tmp();
    const f = path.join(d, "a.json");
    fs.writeFileSync(f, JSON.stringify([{ targets: ["a:1"] }]));
    const sd = new FileDiscoverer({ files: [path.join(d, "*.json")], refreshInterval: 300_000 }, { watchDebounceMs: 10 });
    const ac = new AbortController();
    const updates: TargetGroup[][] = [];
    const running = sd.run(ac.signal, (g) => updates.push(g));
    expect(updates).toHaveLength(1);
    fs.writeFileSync(f, JSON.stringify([{ targets: ["a:2"] }]));
    for (let i = 0; i < 100 && updates.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    ac.abort();
    await running;
    expect(plain(updates[1]!)[0]!.targets).toEqual(["a:2"]);
  });
});

describe("HTTP SD", () => {
  it("fetches groups, adds __meta_url, empties removed groups, keeps targets on failure", async () => {
    const bodies = [
      { status: 200, body: [{ targets: ["a:1"], labels: { l: "1" } }, { targets: ["b:1"] }] },
      { status: 200, body: [{ targets: ["a:2"] }] },
      { status: 500, body: [] },
    ];
    let i = 0;
    const headers: Record<string, string>[] = [];
    const sd = new HTTPDiscoverer(
      { url: "http://sd/targets", refreshInterval: 60_000, httpClient: null as never },
      {
        fetch: async (_url, init) => {
          headers.push(init.headers);
          const b = bodies[i++]!;
          return new Response(JSON.stringify(b.body), { status: b.status, headers: { "content-type": "application/json; charset=utf-8" } });
        },
      },
    );
    const sig = new AbortController().signal;
    expect(plain(await sd.refresh(sig))).toEqual([
      { source: "http://sd/targets:0", targets: ["a:1"], labels: { l: "1", __meta_url: "http://sd/targets" } },
      { source: "http://sd/targets:1", targets: ["b:1"], labels: { __meta_url: "http://sd/targets" } },
    ]);
    expect(headers[0]!["X-Prometheus-Refresh-Interval-Seconds"]).toBe("60");
    expect(plain(await sd.refresh(sig))).toEqual([
      { source: "http://sd/targets:0", targets: ["a:2"], labels: { __meta_url: "http://sd/targets" } },
      { source: "http://sd/targets:1", targets: [], labels: {} },
    ]);
    await expect(sd.refresh(sig)).rejects.toThrow("server returned HTTP status 500 Internal Server Error");
  });
});

describe("DNS SD", () => {
  const resolver: DNSResolver = {
    resolveSrv: async () => [{ name: "node1.example.com", port: 9100, priority: 0, weight: 0 }],
    resolve4: async () => ["10.0.0.1"],
    resolve6: async () => ["::1"],
    resolveMx: async () => [{ exchange: "mx.example.com", priority: 1 }],
    resolveNs: async () => ["ns.example.com"],
  };
  it("builds Prometheus's meta labels", async () => {
    const srv = await lookupGroup({ names: ["_x._tcp.example.com"], refreshInterval: 30_000, type: "SRV", port: 0 }, "_x._tcp.example.com", resolver);
    expect(srv.targets.map(labelsToRecord)).toEqual([
      { __address__: "node1.example.com:9100", __meta_dns_name: "_x._tcp.example.com", __meta_dns_srv_record_target: "node1.example.com.", __meta_dns_srv_record_port: "9100" },
    ]);
    const a = await lookupGroup({ names: ["h"], refreshInterval: 30_000, type: "A", port: 80 }, "h", resolver);
    expect(labelsToRecord(a.targets[0]!)).toEqual({ __address__: "10.0.0.1:80", __meta_dns_name: "h" });
    const aaaa = await lookupGroup({ names: ["h"], refreshInterval: 30_000, type: "AAAA", port: 80 }, "h", resolver);
    expect(labelsToRecord(aaaa.targets[0]!).__address__).toBe("[::1]:80");
    const mx = await lookupGroup({ names: ["h"], refreshInterval: 30_000, type: "MX", port: 25 }, "h", resolver);
    expect(labelsToRecord(mx.targets[0]!)).toEqual({ __address__: "mx.example.com:25", __meta_dns_name: "h", __meta_dns_mx_record_target: "mx.example.com." });
  });
  it("empties a name that no longer resolves and keeps it on other errors", async () => {
    let fail: string | null = null;
    const r = { ...resolver, resolve4: async () => (fail ? Promise.reject(Object.assign(new Error(fail), { code: fail })) : ["10.0.0.1"]) };
    const sd = new DNSDiscoverer({ names: ["h"], refreshInterval: 30_000, type: "A", port: 80 }, { resolver: r });
    expect((await sd.refresh())[0]!.targets).toHaveLength(1);
    fail = "ETIMEOUT";
    expect(await sd.refresh()).toEqual([]);
    fail = "ENOTFOUND";
    expect((await sd.refresh())[0]!.targets).toHaveLength(0);
  });
});

describe("DiscoveryManager", () => {
  it("merges providers per pool, keeps unchanged pools and drops removed ones", async () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, "t.json"), JSON.stringify([{ targets: ["f:1"] }]));
    const cfg = loadConfig(
      `scrape_configs:
  - job_name: a
    static_configs: [{targets: ["s:1"]}]
    file_sd_configs: [{files: ["${d}/*.json"]}]
  - job_name: b
    static_configs: [{targets: ["s:2"]}]
`,
      "p.yml",
    );
    const m = new DiscoveryManager({ updateIntervalMs: 10 });
    const sets: TargetSets[] = [];
    m.subscribe((s) => sets.push(s));
    m.applyConfig(new Map(cfg.scrapeConfigs.map((c) => [c.jobName, c])));
    for (let i = 0; i < 50 && sets.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const addrs = (s: TargetSets, pool: string) => (s.get(pool) ?? []).flatMap((g) => g.targets.map((t) => labelsToRecord(t).__address__)).sort();
    expect(addrs(sets[0]!, "a")).toEqual(["f:1", "s:1"]);
    expect(addrs(sets[0]!, "b")).toEqual(["s:2"]);
    m.applyConfig(new Map([["a", cfg.scrapeConfigs[0]!]]));
    const n = sets.length;
    for (let i = 0; i < 50 && sets.length === n; i++) await new Promise((r) => setTimeout(r, 10));
    const last = sets.at(-1)!;
    expect([...last.keys()]).toEqual(["a"]);
    expect(addrs(last, "a")).toEqual(["f:1", "s:1"]);
    m.stop();
  });
});
