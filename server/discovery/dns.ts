import "server-only";
// dns_sd_configs, as Prometheus's discovery/dns: every `refresh_interval`
// each name is resolved as SRV, A, AAAA, MX or NS, one group per name
// (source = the name). Labels: `__meta_dns_name`, and for SRV
// `__meta_dns_srv_record_target` / `__meta_dns_srv_record_port`, for MX
// `__meta_dns_mx_record_target`, for NS `__meta_dns_ns_record_target`.
// Record targets carry the trailing dot of the DNS answer, as Go's resolver
// returns them (node:dns strips it, so we put it back); addresses do not.
// A failed lookup keeps the name's previous targets, as Prometheus does.

import { promises as dnsPromises } from "node:dns";
import type { DNSSDConfig } from "@/server/config";
import { labelsFromRecord, type Labels } from "@/server/storage/labels/labels";
import { sleep, type Discoverer } from "./provider";
import type { TargetGroup } from "./target-group";

/** The node:dns calls DNS SD makes; tests pass a fake. */
export interface DNSResolver {
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  resolveMx(name: string): Promise<{ exchange: string; priority: number }[]>;
  resolveNs(name: string): Promise<string[]>;
}

export const systemResolver: DNSResolver = new dnsPromises.Resolver();

/** Go's net.JoinHostPort: IPv6 literals in brackets. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

const fqdn = (h: string) => (h.endsWith(".") ? h : h + ".");
const trimDot = (h: string) => (h.endsWith(".") ? h.slice(0, -1) : h);

/** Resolves one name into its target group. */
export async function lookupGroup(cfg: DNSSDConfig, name: string, r: DNSResolver): Promise<TargetGroup> {
  const targets: Labels[] = [];
  const add = (addr: string, extra: Record<string, string>) => targets.push(labelsFromRecord({ __address__: addr, __meta_dns_name: name, ...extra }));
  switch (cfg.type) {
    case "SRV":
      for (const rec of await r.resolveSrv(name)) {
        add(joinHostPort(trimDot(rec.name), rec.port), { __meta_dns_srv_record_target: fqdn(rec.name), __meta_dns_srv_record_port: String(rec.port) });
      }
      break;
    case "A":
      for (const ip of await r.resolve4(name)) add(joinHostPort(ip, cfg.port), {});
      break;
    case "AAAA":
      for (const ip of await r.resolve6(name)) add(joinHostPort(ip, cfg.port), {});
      break;
    case "MX":
      for (const rec of await r.resolveMx(name)) add(joinHostPort(trimDot(rec.exchange), cfg.port), { __meta_dns_mx_record_target: fqdn(rec.exchange) });
      break;
    case "NS":
      for (const ns of await r.resolveNs(name)) add(joinHostPort(trimDot(ns), cfg.port), { __meta_dns_ns_record_target: fqdn(ns) });
      break;
  }
  return { source: name, targets, labels: [] };
}

export class DNSDiscoverer implements Discoverer {
  constructor(
    private readonly cfg: DNSSDConfig,
    private readonly opts: { resolver?: DNSResolver; onError?: (name: string, err: unknown) => void } = {},
  ) {}

  async refresh(): Promise<TargetGroup[]> {
    const r = this.opts.resolver ?? systemResolver;
    const out: TargetGroup[] = [];
    await Promise.all(
      this.cfg.names.map(async (name) => {
        try {
          out.push(await lookupGroup(this.cfg, name, r));
        } catch (e) {
          // NXDOMAIN and "no data" mean the name has no targets now; anything else keeps the old ones.
          const code = (e as { code?: string }).code;
          if (code === "ENOTFOUND" || code === "ENODATA") out.push({ source: name, targets: [], labels: [] });
          else this.opts.onError?.(name, e);
        }
      }),
    );
    return out;
  }

  async run(signal: AbortSignal, up: (groups: TargetGroup[]) => void): Promise<void> {
    while (!signal.aborted) {
      const g = await this.refresh();
      if (g.length > 0 && !signal.aborted) up(g);
      await sleep(this.cfg.refreshInterval, signal);
    }
  }
}
