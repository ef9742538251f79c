// The scrape manager (Prometheus's scrape.Manager): one ScrapePool per
// scrape config, fed by the discovery manager, reconfigured in place by
// `applyConfig`, and the read side of /api/v1/targets,
// /api/v1/targets/metadata, /api/v1/scrape_pools and the relabeling trace.
//
// Wiring (server/runtime/start.ts):
//
//   const scrape = new ScrapeManager({ appendable: store });
//   scrape.start(controller.signal);
//   scrape.applyConfig(config);          // again on every reload
//   ...
//   await scrape.stop();                 // shutdown: no staleness markers

import "server-only";
import { setMaxListeners } from "node:events";
import type { Config, ScrapeConfig } from "@/server/config";
import { DiscoveryManager, type DiscoveryManagerOptions, type TargetSets } from "@/server/discovery/manager";
import type { RelabelConfig } from "@/server/relabel";
import { labelsFromRecord, labelsKey, labelsToRecord, compareStrings, type Labels } from "@/server/storage/labels/labels";
import { matchesAll, type Matcher } from "@/server/storage/labels/matcher";
import type { FetchLike } from "./http-client";
import type { Appendable, ScrapeReport } from "./scrape-loop";
import { ScrapePool } from "./scrape-pool";
import { fnv64a, SCRAPE_INTERVAL_LABEL, SCRAPE_TIMEOUT_LABEL, targetRelabelSteps, type Target, type TargetHealth } from "./target";

export interface ScrapeManagerOptions {
  /** Where samples go (the SeriesStore). */
  appendable: Appendable;
  /** Wall clock, Unix ms (default Date.now). */
  now?: () => number;
  /** Overrides every pool's HTTP client (tests). */
  fetch?: FetchLike;
  /** Waits (default setTimeout); tests pass a fake. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Options of the discovery manager the scrape manager creates. */
  discovery?: DiscoveryManagerOptions;
  /**
   * The API's `globalUrl` for a scrape URL. Prometheus replaces a localhost
   * host that is its own listen port with its external host; by default we
   * report the scrape URL unchanged.
   */
  globalUrl?: (scrapeUrl: string) => string;
  onScrape?: (pool: string, target: Target, report: ScrapeReport) => void;
  /** Discovery and target-building problems, for logging. */
  onError?: (pool: string, message: string) => void;
}

/** One entry of `activeTargets` in /api/v1/targets. */
export interface ActiveTargetJSON {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl: string;
  lastError: string;
  /** RFC 3339; "0001-01-01T00:00:00Z" before the first scrape (Go's zero time). */
  lastScrape: string;
  /** Seconds. */
  lastScrapeDuration: number;
  health: TargetHealth;
  /** Prometheus duration strings. */
  scrapeInterval: string;
  scrapeTimeout: string;
}

export interface DroppedTargetJSON {
  discoveredLabels: Record<string, string>;
  scrapePool: string;
}

/** The `data` of /api/v1/targets. */
export interface TargetsJSON {
  activeTargets: ActiveTargetJSON[];
  droppedTargets: DroppedTargetJSON[];
  droppedTargetCounts: Record<string, number>;
}

/** One entry of /api/v1/targets/metadata. */
export interface TargetMetadataJSON {
  target: Record<string, string>;
  metric?: string;
  type: string;
  help: string;
  unit: string;
}

/** One step of /api/v1/targets/relabel_steps. */
export interface RelabelStepJSON {
  rule: { source_labels: string[]; separator: string; regex: string; modulus: number; target_label: string; replacement: string; action: string };
  output: Record<string, string>;
  keep: boolean;
}

const ZERO_TIME = "0001-01-01T00:00:00Z";

function ruleJSON(c: RelabelConfig): RelabelStepJSON["rule"] {
  return { source_labels: [...c.sourceLabels], separator: c.separator, regex: c.regex, modulus: c.modulus, target_label: c.targetLabel, replacement: c.replacement, action: c.action };
}

/** The parts of a scrape config that affect loops (discovery changes are handled by the discovery manager). */
function loopKey(c: ScrapeConfig): string {
  const { staticConfigs: _s, fileSDConfigs: _f, httpSDConfigs: _h, dnsSDConfigs: _d, ...rest } = c;
  return JSON.stringify(rest);
}

export class ScrapeManager {
  readonly discovery: DiscoveryManager;
  private readonly pools = new Map<string, ScrapePool>();
  private readonly now: () => number;
  /** Aborted on shutdown (the start signal or stop()): loops then write no staleness markers, as Prometheus. */
  private readonly shutdown = new AbortController();
  private started = false;
  private config: Config | null = null;
  private offsetSeed = 0n;
  private targetSets: TargetSets = new Map();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly opts: ScrapeManagerOptions) {
    this.now = opts.now ?? Date.now;
    // Every loop and discovery provider listens on the shutdown signal.
    setMaxListeners(0, this.shutdown.signal);
    this.discovery = new DiscoveryManager({
      ...opts.discovery,
      onError: opts.discovery?.onError ?? ((pool, mech, err) => opts.onError?.(pool, `${mech}: ${err instanceof Error ? err.message : String(err)}`)),
    });
  }

  /** Starts; `signal` is the server's shutdown signal. A configuration applied earlier takes effect now. */
  start(signal: AbortSignal): void {
    if (this.started) return;
    this.started = true;
    this.discovery.start(this.shutdown.signal);
    this.unsubscribe = this.discovery.subscribe((sets) => this.sync(sets));
    if (signal.aborted) void this.stop();
    else signal.addEventListener("abort", () => void this.stop(), { once: true });
    if (this.config) this.applyConfig(this.config);
  }

  /**
   * Applies a (re)loaded configuration without restarting: new scrape
   * configs get pools, removed ones are stopped (their targets marked
   * stale), changed ones are reloaded; discovery follows.
   */
  applyConfig(config: Config): void {
    this.config = config;
    const signal = this.shutdown.signal;
    if (!this.started || signal.aborted) return;
    this.offsetSeed = fnv64a(labelsKey(config.global.externalLabels));
    const byName = new Map(config.scrapeConfigs.map((c) => [c.jobName, c]));
    for (const [name, pool] of this.pools) {
      if (byName.has(name)) continue;
      void pool.stop();
      this.pools.delete(name);
      this.targetSets.delete(name);
    }
    for (const [name, cfg] of byName) {
      const pool = this.pools.get(name);
      if (!pool) {
        const p = new ScrapePool(
          cfg,
          {
            appendable: this.opts.appendable,
            now: this.now,
            fetch: this.opts.fetch,
            sleep: this.opts.sleep,
            offsetSeed: this.offsetSeed,
            onScrape: this.opts.onScrape ? (t, r) => this.opts.onScrape!(name, t, r) : undefined,
            onTargetError: (pool, discovered, error) => this.opts.onError?.(pool, `target ${JSON.stringify(labelsToRecord(discovered))}: ${error}`),
          },
          signal,
        );
        this.pools.set(name, p);
        const groups = this.targetSets.get(name);
        if (groups) p.sync(groups);
      } else if (loopKey(pool.config) !== loopKey(cfg)) pool.reload(cfg);
      else pool.config = cfg;
    }
    this.discovery.applyConfig(new Map(config.scrapeConfigs.map((c) => [c.jobName, c])));
  }

  private sync(sets: TargetSets): void {
    this.targetSets = new Map(sets);
    for (const [name, groups] of sets) this.pools.get(name)?.sync(groups);
  }

  /** Stops discovery and every loop; as on Prometheus's shutdown, no staleness markers are written. */
  async stop(): Promise<void> {
    this.shutdown.abort();
    this.unsubscribe?.();
    this.discovery.stop();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.stop()));
  }

  /** Pools by name, sorted (raw access for the runtime and tests). */
  scrapePoolsByName(): Map<string, ScrapePool> {
    return new Map([...this.pools].sort((a, b) => compareStrings(a[0], b[0])));
  }

  /** The `data` of /api/v1/scrape_pools. */
  scrapePools(): { scrapePools: string[] } {
    return { scrapePools: [...this.scrapePoolsByName().keys()] };
  }

  /** The `data` of /api/v1/targets. `state` is "active", "dropped" or "any" (default). */
  targets(filter: { state?: "active" | "dropped" | "any" | ""; scrapePool?: string } = {}): TargetsJSON {
    const state = filter.state || "any";
    const showActive = state === "any" || state === "active";
    const showDropped = state === "any" || state === "dropped";
    const out: TargetsJSON = { activeTargets: [], droppedTargets: [], droppedTargetCounts: {} };
    for (const [name, pool] of this.scrapePoolsByName()) {
      if (filter.scrapePool && filter.scrapePool !== name) continue;
      if (showActive) {
        const ts = pool.activeTargets().sort((a, b) => compareStrings(a.key, b.key));
        for (const t of ts) out.activeTargets.push(this.activeTargetJSON(name, t));
      }
      if (showDropped) {
        out.droppedTargetCounts[name] = pool.droppedTargetCount();
        for (const d of pool.droppedTargets()) out.droppedTargets.push({ discoveredLabels: labelsToRecord(d.discoveredLabels), scrapePool: name });
      }
    }
    return out;
  }

  private activeTargetJSON(pool: string, t: Target): ActiveTargetJSON {
    return {
      discoveredLabels: labelsToRecord(t.discoveredLabels),
      labels: labelsToRecord(t.publicLabels()),
      scrapePool: pool,
      scrapeUrl: t.url,
      globalUrl: this.opts.globalUrl ? this.opts.globalUrl(t.url) : t.url,
      lastError: t.lastError,
      lastScrape: t.lastScrape === 0 ? ZERO_TIME : new Date(t.lastScrape).toISOString(),
      lastScrapeDuration: t.lastScrapeDuration / 1000,
      health: t.health,
      // As Prometheus: the label values as they are (relabeling may have written "60s" rather than "1m").
      scrapeInterval: t.get(SCRAPE_INTERVAL_LABEL),
      scrapeTimeout: t.get(SCRAPE_TIMEOUT_LABEL),
    };
  }

  /**
   * The `data` of /api/v1/targets/metadata: metadata of the active targets
   * matching `matchTarget` (all when empty), for one metric or all, at most
   * `limit` entries (0 = all). `metric` is omitted from entries when a metric
   * was asked for, as Prometheus does.
   */
  targetsMetadata(q: { matchTarget?: Matcher[]; metric?: string; limit?: number } = {}): TargetMetadataJSON[] {
    const out: TargetMetadataJSON[] = [];
    const limit = q.limit && q.limit > 0 ? q.limit : Infinity;
    for (const pool of this.scrapePoolsByName().values()) {
      for (const t of pool.activeTargets()) {
        if (out.length >= limit) return out;
        if (q.matchTarget && q.matchTarget.length > 0 && !matchesAll(q.matchTarget, (n) => t.get(n))) continue;
        const target = labelsToRecord(t.publicLabels());
        if (q.metric) {
          const m = t.metadata.get(q.metric);
          if (m) out.push({ target, type: m.type, help: m.help, unit: m.unit });
          continue;
        }
        for (const m of t.metadata.values()) {
          if (out.length >= limit) return out;
          out.push({ target, metric: m.metric, type: m.type, help: m.help, unit: m.unit });
        }
      }
    }
    return out;
  }

  /**
   * The relabeling of a discovered label set in a pool, rule by rule (the
   * `data.steps` of Prometheus 3's /api/v1/targets/relabel_steps); null when
   * the pool is unknown.
   */
  relabelSteps(scrapePool: string, discoveredLabels: Labels | Record<string, string>): { steps: RelabelStepJSON[] } | null {
    const pool = this.pools.get(scrapePool);
    if (!pool) return null;
    const ls = Array.isArray(discoveredLabels) ? (discoveredLabels as Labels) : labelsFromRecord(discoveredLabels as Record<string, string>);
    const trace = targetRelabelSteps(pool.config, ls);
    // One step per rule, as Prometheus 3: the trace stops at a dropping rule, and every rule after it reads keep=false with no labels.
    return {
      steps: pool.config.relabelConfigs.map((rule, i) => {
        const s = trace.steps[i];
        return { rule: ruleJSON(rule), output: s?.labels ? labelsToRecord(s.labels) : {}, keep: s !== undefined && s.labels !== null };
      }),
    };
  }
}
