// The configuration the e2e server runs with: its own /metrics as job
// "vigil" (as the built-in default, which the query explorer's specs rely on)
// and a fake exporter the specs start and stop (fake-exporter.ts), with
// relabel rules for the service-discovery specs. playwright.config.ts writes
// it before starting the server; specs read the ports from here.
//
// Target labels added here all sort after "instance", so `up{instance=…}`
// stays the leading text of every `up` series other specs look for.

import fs from "node:fs";
import path from "node:path";

/** The Vigil server's port. */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 9391);
/** The fake exporter's fixed port: next to the server's, so parallel e2e runs with different E2E_PORTs do not collide. */
export const EXPORTER_PORT = Number(process.env.E2E_EXPORTER_PORT ?? E2E_PORT + 100);
/** A closed port: the dropped target points at it, and a dropped target is never scraped. */
export const DROPPED_TARGET = "127.0.0.1:9";

export function e2eConfigYAML(serverPort = E2E_PORT, exporterPort = EXPORTER_PORT): string {
  return `global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs:
  - job_name: vigil
    static_configs:
      - targets: ["127.0.0.1:${serverPort}"]
  - job_name: fake-exporter
    scrape_interval: 1s
    scrape_timeout: 1s
    static_configs:
      - targets: ["127.0.0.1:${exporterPort}"]
        labels:
          team: observability
          tier: web
      - targets: ["${DROPPED_TARGET}"]
        labels:
          tier: drop-me
    relabel_configs:
      - source_labels: [tier]
        regex: drop-me
        action: drop
      - source_labels: [__address__]
        regex: "([^:]+):\\\\d+"
        target_label: source_host
      - target_label: region
        replacement: eu-west-1
      - source_labels: [tier]
        target_label: tier
        replacement: frontend-$1
      - regex: team
        action: labeldrop
`;
}

/** Writes the configuration under .tmp and returns its path. */
export function writeE2EConfig(serverPort = E2E_PORT, exporterPort = EXPORTER_PORT): string {
  const file = path.resolve(".tmp", `e2e-prometheus-${serverPort}.yml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, e2eConfigYAML(serverPort, exporterPort));
  return file;
}
