import { describe, expect, it } from "vitest";
import { loadConfig } from "@/server/config";
import { ApiError } from "@/server/http/errors";
import { Params } from "@/server/http/params";
import { ScrapeManager } from "@/server/scrape";
import { relabelSteps } from "./targets";

const config = loadConfig(
  `scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["a:9100"]
    relabel_configs:
      - source_labels: [__address__]
        regex: "([^:]+):.*"
        target_label: host
      - source_labels: [host]
        regex: drop-me
        action: drop
      - target_label: zone
        replacement: z1
`,
  "prometheus.yml",
);

async function withManager(fn: (m: ScrapeManager) => void): Promise<void> {
  const m = new ScrapeManager({
    appendable: { append: async () => {}, putMetadata: async () => {} },
    // Discovery and scrape loops are not under test: never reach the network.
    fetch: async () => new Response("", { status: 503 }),
    sleep: (_ms, signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
  });
  const ac = new AbortController();
  m.start(ac.signal);
  m.applyConfig(config);
  try {
    fn(m);
  } finally {
    ac.abort();
    await m.stop();
  }
}

const badData = (message: string) => expect.objectContaining({ type: "bad_data", message }) as unknown as ApiError;

describe("relabelSteps (/api/v1/targets/relabel_steps)", () => {
  it("returns each rule with the labels after it, and keep=false from the dropping rule on", async () => {
    await withManager((m) => {
      const kept = relabelSteps(m, Params.fromQuery({ scrapePool: "node", labels: JSON.stringify({ __address__: "a:9100", job: "node" }) }));
      expect(kept.data).toEqual({
        steps: [
          {
            rule: { source_labels: ["__address__"], separator: ";", regex: "([^:]+):.*", modulus: 0, target_label: "host", replacement: "$1", action: "replace" },
            output: { __address__: "a:9100", host: "a", job: "node" },
            keep: true,
          },
          {
            rule: { source_labels: ["host"], separator: ";", regex: "drop-me", modulus: 0, target_label: "", replacement: "$1", action: "drop" },
            output: { __address__: "a:9100", host: "a", job: "node" },
            keep: true,
          },
          {
            rule: { source_labels: [], separator: ";", regex: "(.*)", modulus: 0, target_label: "zone", replacement: "z1", action: "replace" },
            output: { __address__: "a:9100", host: "a", job: "node", zone: "z1" },
            keep: true,
          },
        ],
      });
      const dropped = relabelSteps(m, Params.fromQuery({ scrapePool: "node", labels: JSON.stringify({ __address__: "drop-me:1" }) }));
      expect((dropped.data as { steps: { keep: boolean; output: object }[] }).steps.map((s) => [s.keep, s.output])).toEqual([
        [true, { __address__: "drop-me:1", host: "drop-me" }],
        [false, {}],
        // Rules after the dropping one are still listed, as Prometheus 3 does.
        [false, {}],
      ]);
    });
  });

  it("rejects missing or malformed parameters and unknown pools with Prometheus's messages", async () => {
    await withManager((m) => {
      const call = (q: Record<string, string>) => () => relabelSteps(m, Params.fromQuery(q));
      expect(call({ labels: "{}" })).toThrow(badData("no scrapePool parameter provided"));
      expect(call({ scrapePool: "node" })).toThrow(badData("no labels parameter provided"));
      expect(call({ scrapePool: "node", labels: "{not json" })).toThrow(/^error parsing labels: /);
      expect(call({ scrapePool: "node", labels: '{"a":1}' })).toThrow(/labels must be a JSON object of string values/);
      expect(call({ scrapePool: "nope", labels: "{}" })).toThrow(badData('error retrieving scrape config: scrape pool "nope" not found'));
    });
  });
});
