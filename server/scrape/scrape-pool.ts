// A scrape pool: the targets of one scrape config and their loops
// (Prometheus's scrapePool). `sync` turns discovered groups into targets,
// starting loops for new targets and stopping those that disappeared (their
// loops write end-of-run staleness markers); dropped targets are kept with
// their discovered labels for the API. `reload` restarts every loop with the
// new configuration, carrying each target's state over without writing
// staleness markers, as Prometheus does.

import "server-only";
import type { ScrapeConfig, ScrapeProtocol } from "@/server/config";
import type { TargetGroup } from "@/server/discovery/target-group";
import type { Labels } from "@/server/storage/labels/labels";
import type { ExpositionFormat } from "./exposition-parser";
import { newHTTPClient, type FetchLike } from "./http-client";
import { ScrapeLoop, type Appendable, type ScrapeReport } from "./scrape-loop";
import { populateLabels, Target } from "./target";

export interface ScrapePoolOptions {
  appendable: Appendable;
  /** Wall clock, Unix ms. */
  now: () => number;
  /** Overrides the HTTP client built from the scrape config (tests). */
  fetch?: FetchLike;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  offsetSeed?: bigint;
  onScrape?: (target: Target, report: ScrapeReport) => void;
  /** Targets that could not be built (no address, bad interval …). */
  onTargetError?: (pool: string, discovered: Labels, error: string) => void;
}

/** A target relabeling dropped: only its discovered labels are kept. */
export interface DroppedTarget {
  discoveredLabels: Labels;
}

function fallbackFormat(p: ScrapeProtocol | ""): ExpositionFormat | undefined {
  if (p === "PrometheusText0.0.4" || p === "PrometheusText1.0.0") return "prometheus-text";
  if (p === "OpenMetricsText0.0.1" || p === "OpenMetricsText1.0.0") return "openmetrics";
  return undefined;
}

export class ScrapePool {
  private readonly active = new Map<string, { target: Target; loop: ScrapeLoop }>();
  private dropped: DroppedTarget[] = [];
  private droppedCount = 0;
  private fetch: FetchLike;
  private groups: TargetGroup[] = [];
  private stopped = false;

  constructor(
    public config: ScrapeConfig,
    private readonly opts: ScrapePoolOptions,
    /** The server's signal: aborting it stops loops without staleness markers. */
    private readonly signal: AbortSignal,
  ) {
    this.fetch = opts.fetch ?? newHTTPClient(config.httpClient);
  }

  get name(): string {
    return this.config.jobName;
  }

  private newLoop(target: Target): ScrapeLoop {
    const c = this.config;
    return new ScrapeLoop({
      target,
      appendable: this.opts.appendable,
      fetch: this.fetch,
      now: this.opts.now,
      sleep: this.opts.sleep,
      // relabel_configs may have changed __scrape_interval__ / __scrape_timeout__.
      intervalMs: target.intervalMs(),
      timeoutMs: target.timeoutMs(),
      honorLabels: c.honorLabels,
      honorTimestamps: c.honorTimestamps,
      trackTimestampsStaleness: c.trackTimestampsStaleness,
      sampleLimit: c.sampleLimit,
      labelLimit: c.labelLimit,
      labelNameLengthLimit: c.labelNameLengthLimit,
      labelValueLengthLimit: c.labelValueLengthLimit,
      bodySizeLimit: c.bodySizeLimit,
      metricRelabelConfigs: c.metricRelabelConfigs,
      scrapeProtocols: c.scrapeProtocols,
      fallbackFormat: fallbackFormat(c.fallbackScrapeProtocol),
      enableCompression: c.enableCompression,
      escapingScheme: c.metricNameEscapingScheme,
      offsetSeed: this.opts.offsetSeed,
      onScrape: this.opts.onScrape ? (r) => this.opts.onScrape!(target, r) : undefined,
    });
  }

  /** Replaces the pool's targets with those of `groups`. */
  sync(groups: TargetGroup[]): void {
    if (this.stopped) return;
    this.groups = groups;
    const next = new Map<string, Target>();
    const dropped: DroppedTarget[] = [];
    let droppedCount = 0;
    for (const g of groups) {
      for (const tl of g.targets) {
        const r = populateLabels(this.config, tl, g.labels);
        if (r.error) {
          this.opts.onTargetError?.(this.name, r.discovered, r.error);
          continue;
        }
        if (!r.labels) {
          droppedCount++;
          const keep = this.config.keepDroppedTargets;
          if (keep === 0 || dropped.length < keep) dropped.push({ discoveredLabels: r.discovered });
          continue;
        }
        const t = new Target(r.labels, r.discovered, this.config.params);
        if (!next.has(t.key)) next.set(t.key, t);
      }
    }
    this.dropped = dropped;
    this.droppedCount = droppedCount;
    for (const [key, a] of this.active) {
      if (next.has(key)) continue;
      void a.loop.stop();
      this.active.delete(key);
    }
    for (const [key, t] of next) {
      if (this.active.has(key)) continue;
      const loop = this.newLoop(t);
      this.active.set(key, { target: t, loop });
      loop.start(this.signal);
    }
    this.applyTargetLimit();
  }

  /** target_limit: over the limit, every loop fails its scrapes (Prometheus's forced error). */
  private applyTargetLimit(): void {
    const limit = this.config.targetLimit;
    const err = limit > 0 && this.active.size > limit ? `target_limit exceeded (number of targets: ${this.active.size}, limit: ${limit})` : null;
    for (const a of this.active.values()) a.loop.forcedError = err;
  }

  /**
   * Applies a changed scrape config: every loop is restarted with it. Targets
   * that remain keep their state and series (their old loops write no
   * staleness markers); targets the new relabeling removes are marked stale.
   */
  reload(config: ScrapeConfig): void {
    const httpChanged = JSON.stringify(config.httpClient) !== JSON.stringify(this.config.httpClient);
    this.config = config;
    if (httpChanged && !this.opts.fetch) this.fetch = newHTTPClient(config.httpClient);
    const old = new Map(this.active);
    this.active.clear();
    this.sync(this.groups);
    for (const [key, prev] of old) {
      const now = this.active.get(key);
      if (now) {
        prev.loop.disableEndOfRunStalenessMarkers();
        const t = prev.target;
        Object.assign(now.target, { lastScrape: t.lastScrape, lastScrapeDuration: t.lastScrapeDuration, lastError: t.lastError, health: t.health, metadata: t.metadata });
        now.loop.inheritFrom(prev.loop);
      }
      void prev.loop.stop();
    }
  }

  activeTargets(): Target[] {
    return [...this.active.values()].map((a) => a.target);
  }

  droppedTargets(): DroppedTarget[] {
    return this.dropped;
  }

  droppedTargetCount(): number {
    return this.droppedCount;
  }

  /** The loop of a target (tests). */
  loopOf(target: Target): ScrapeLoop | undefined {
    return this.active.get(target.key)?.loop;
  }

  /** Stops every loop; they write end-of-run staleness markers unless the server is shutting down. */
  async stop(): Promise<void> {
    this.stopped = true;
    const loops = [...this.active.values()].map((a) => a.loop);
    this.active.clear();
    await Promise.all(loops.map((l) => l.stop()));
  }
}
