import "server-only";
// The discovery manager, as Prometheus's discovery.Manager: one set of
// providers per scrape pool (job name), each running its Discoverer; the
// latest groups of every provider are merged per pool and the full map is
// sent to subscribers, at most once per `updateIntervalMs` (Prometheus
// throttles to every 5 s; the first update goes out at once so targets
// start scraping without waiting).
//
// On `applyConfig`, a pool whose discovery configuration is unchanged keeps
// its running providers and their targets; changed pools are restarted and
// removed pools disappear from the map.

import type { ServiceDiscoveryConfigs } from "@/server/config";
import type { FetchLike } from "@/server/scrape/http-client";
import { DNSDiscoverer, type DNSResolver } from "./dns";
import { FileDiscoverer } from "./file";
import { HTTPDiscoverer } from "./http";
import type { Discoverer } from "./provider";
import { StaticDiscoverer, staticGroups } from "./static";
import type { TargetGroup } from "./target-group";

export interface DiscoveryManagerOptions {
  /** Fetch for HTTP SD (default: a client built from each config's HTTP settings). */
  fetch?: FetchLike;
  dnsResolver?: DNSResolver;
  /** Minimum time between two updates to subscribers, ms (default 5000). */
  updateIntervalMs?: number;
  /** Problems of one provider (an unreadable file, a failed HTTP refresh). */
  onError?: (pool: string, mechanism: string, err: unknown) => void;
}

/** Target groups per scrape pool. */
export type TargetSets = Map<string, TargetGroup[]>;

interface Provider {
  name: string;
  discoverer: Discoverer;
  groups: Map<string, TargetGroup>;
}

interface PoolProviders {
  key: string;
  providers: Provider[];
  abort: AbortController;
}

export class DiscoveryManager {
  private readonly pools = new Map<string, PoolProviders>();
  private readonly subscribers = new Set<(sets: TargetSets) => void>();
  private readonly updateIntervalMs: number;
  private lastSend = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly opts: DiscoveryManagerOptions = {}) {
    this.updateIntervalMs = opts.updateIntervalMs ?? 5000;
  }

  /** Ties the manager's lifetime to `signal` (stop on abort). */
  start(signal: AbortSignal): void {
    if (signal.aborted) this.stop();
    else signal.addEventListener("abort", () => this.stop(), { once: true });
  }

  /** Receives the full target sets after every (throttled) change. Returns an unsubscribe function. */
  subscribe(fn: (sets: TargetSets) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  /** Starts, keeps or stops providers so that they match `configs` (pool name → its SD configs). */
  applyConfig(configs: ReadonlyMap<string, ServiceDiscoveryConfigs>): void {
    if (this.stopped) return;
    for (const [name, p] of this.pools) {
      if (!configs.has(name)) {
        p.abort.abort();
        this.pools.delete(name);
      }
    }
    for (const [name, cfg] of configs) {
      const key = JSON.stringify([cfg.staticConfigs, cfg.fileSDConfigs, cfg.httpSDConfigs, cfg.dnsSDConfigs]);
      const old = this.pools.get(name);
      if (old && old.key === key) continue;
      old?.abort.abort();
      const p: PoolProviders = { key, providers: this.makeProviders(name, cfg), abort: new AbortController() };
      this.pools.set(name, p);
      for (const prov of p.providers) {
        void prov.discoverer
          .run(p.abort.signal, (groups) => {
            if (p.abort.signal.aborted) return;
            for (const g of groups) prov.groups.set(g.source, g);
            this.trigger();
          })
          .catch((e) => this.opts.onError?.(name, prov.name, e));
      }
    }
    this.trigger();
  }

  private makeProviders(pool: string, cfg: ServiceDiscoveryConfigs): Provider[] {
    const out: Provider[] = [];
    const add = (name: string, discoverer: Discoverer) => out.push({ name, discoverer, groups: new Map() });
    if (cfg.staticConfigs.length > 0) add("static", new StaticDiscoverer(staticGroups(cfg.staticConfigs)));
    cfg.fileSDConfigs.forEach((c, i) => add(`file/${i}`, new FileDiscoverer(c, { onError: (f, e) => this.opts.onError?.(pool, `file/${i}`, new Error(`${f}: ${String(e)}`)) })));
    cfg.httpSDConfigs.forEach((c, i) => add(`http/${i}`, new HTTPDiscoverer(c, { fetch: this.opts.fetch, onError: (e) => this.opts.onError?.(pool, `http/${i}`, e) })));
    cfg.dnsSDConfigs.forEach((c, i) => add(`dns/${i}`, new DNSDiscoverer(c, { resolver: this.opts.dnsResolver, onError: (n, e) => this.opts.onError?.(pool, `dns/${i}`, new Error(`${n}: ${String(e)}`)) })));
    return out;
  }

  /** The current groups per pool (non-empty groups only). */
  targetSets(): TargetSets {
    const out: TargetSets = new Map();
    for (const [name, p] of this.pools) {
      const groups: TargetGroup[] = [];
      for (const prov of p.providers) for (const g of prov.groups.values()) if (g.targets.length > 0) groups.push(g);
      out.set(name, groups);
    }
    return out;
  }

  private trigger(): void {
    if (this.timer || this.stopped) return;
    const delay = Math.max(0, this.lastSend + this.updateIntervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      this.lastSend = performance.now();
      const sets = this.targetSets();
      for (const fn of this.subscribers) fn(sets);
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const p of this.pools.values()) p.abort.abort();
    this.pools.clear();
  }
}
