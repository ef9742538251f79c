// Targets, as Prometheus's scrape/target.go: the label computation from a
// discovered target (PopulateLabels), the scrape URL, the stable offset of
// a target's loop within its interval, and the state the API reports.

import type { ScrapeConfig } from "@/server/config";
import { formatDuration, parseDuration } from "@/server/promql/parser/duration";
import { isValidUTF8 } from "@/server/promql/parser/go-format";
import { LabelsBuilder, relabelTrace, type RelabelStep } from "@/server/relabel";
import { labelsFromRecord, labelsKey, type Labels } from "@/server/storage/labels/labels";

export const ADDRESS_LABEL = "__address__";
export const SCHEME_LABEL = "__scheme__";
export const METRICS_PATH_LABEL = "__metrics_path__";
export const SCRAPE_INTERVAL_LABEL = "__scrape_interval__";
export const SCRAPE_TIMEOUT_LABEL = "__scrape_timeout__";
export const PARAM_LABEL_PREFIX = "__param_";
export const META_LABEL_PREFIX = "__meta_";
export const RESERVED_LABEL_PREFIX = "__";

export type TargetHealth = "up" | "down" | "unknown";

/** The outcome of `populateLabels` for one discovered target. */
export interface PopulatedLabels {
  /** The target's labels after relabeling (`__meta_*` removed, `__address__` etc. kept), or null when dropped or invalid. */
  labels: Labels | null;
  /** The labels before relabeling ("discoveredLabels" in the API). */
  discovered: Labels;
  /** Why the target is invalid (no address, bad interval …); such targets are neither active nor dropped. */
  error?: string;
}

/**
 * The labels a target gets before relabeling (Prometheus's
 * PopulateDiscoveredLabels): the target's own labels, then the group's
 * labels where the target has none, then `job`, `__scrape_interval__`,
 * `__scrape_timeout__`, `__metrics_path__`, `__scheme__` and the first value
 * of every `params` entry as `__param_<name>`, each only when not set.
 */
export function discoveredLabels(cfg: ScrapeConfig, targetLabels: Labels, groupLabels: Labels): Labels {
  const lb = new LabelsBuilder(targetLabels);
  for (const l of groupLabels) if (!targetLabels.some((t) => t.name === l.name)) lb.set(l.name, l.value);
  const defaults: [string, string][] = [
    ["job", cfg.jobName],
    [SCRAPE_INTERVAL_LABEL, formatDuration(cfg.scrapeInterval)],
    [SCRAPE_TIMEOUT_LABEL, formatDuration(cfg.scrapeTimeout)],
    [METRICS_PATH_LABEL, cfg.metricsPath],
    [SCHEME_LABEL, cfg.scheme],
  ];
  for (const [n, v] of defaults) if (lb.get(n) === "") lb.set(n, v);
  for (const [k, v] of Object.entries(cfg.params)) {
    const name = PARAM_LABEL_PREFIX + k;
    if (v.length > 0 && lb.get(name) === "") lb.set(name, v[0]!);
  }
  return lb.labels();
}

/**
 * Prometheus's PopulateLabels: discovered labels → relabel_configs → checks
 * (address present and without "/", interval and timeout parseable, non-zero,
 * timeout ≤ interval) → `__meta_*` removed → `instance` defaulted to the
 * address → label values checked for valid UTF-8.
 */
export function populateLabels(cfg: ScrapeConfig, targetLabels: Labels, groupLabels: Labels): PopulatedLabels {
  const discovered = discoveredLabels(cfg, targetLabels, groupLabels);
  const trace = relabelTrace(discovered, cfg.relabelConfigs);
  if (trace.output === null) return { labels: null, discovered };
  const lb = new LabelsBuilder(trace.output);
  const addr = lb.get(ADDRESS_LABEL);
  if (addr === "") return { labels: null, discovered, error: "no address" };
  if (addr.includes("/")) return { labels: null, discovered, error: `${JSON.stringify(addr)} is not a valid hostname` };
  const interval = lb.get(SCRAPE_INTERVAL_LABEL);
  let intervalMs: number;
  try {
    intervalMs = parseDuration(interval);
  } catch (e) {
    return { labels: null, discovered, error: `error parsing scrape interval: ${(e as Error).message}` };
  }
  if (intervalMs === 0) return { labels: null, discovered, error: "scrape interval cannot be 0" };
  const timeout = lb.get(SCRAPE_TIMEOUT_LABEL);
  let timeoutMs: number;
  try {
    timeoutMs = parseDuration(timeout);
  } catch (e) {
    return { labels: null, discovered, error: `error parsing scrape timeout: ${(e as Error).message}` };
  }
  if (timeoutMs === 0) return { labels: null, discovered, error: "scrape timeout cannot be 0" };
  if (timeoutMs > intervalMs) return { labels: null, discovered, error: `scrape timeout cannot be greater than scrape interval (${JSON.stringify(timeout)} > ${JSON.stringify(interval)})` };
  for (const l of lb.labels()) if (l.name.startsWith(META_LABEL_PREFIX)) lb.delete(l.name);
  if (lb.get("instance") === "") lb.set("instance", addr);
  const labels = lb.labels();
  for (const l of labels) {
    if (!isValidUTF8(l.value)) return { labels: null, discovered, error: `invalid label value for ${JSON.stringify(l.name)}: ${JSON.stringify(l.value)}` };
  }
  return { labels, discovered };
}

/** The relabeling trace of a discovered label set, for the service-discovery page. */
export function targetRelabelSteps(cfg: ScrapeConfig, discovered: Labels): { input: Labels; steps: RelabelStep[]; output: Labels | null } {
  return relabelTrace(discovered, cfg.relabelConfigs);
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/** FNV-1a, 64 bit. */
export function fnv64a(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(s, "utf8")) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** Metric metadata a target exposes (type, help, unit per family). */
export interface TargetMetricMetadata {
  metric: string;
  type: string;
  help: string;
  unit: string;
}

/** A scrape target: its labels, URL and scrape state. */
export class Target {
  /** Unix ms of the start of the last scrape; 0 before the first. */
  lastScrape = 0;
  /** Duration of the last scrape, ms. */
  lastScrapeDuration = 0;
  lastError = "";
  health: TargetHealth = "unknown";
  /** Metadata per family, from the last successful scrape. */
  metadata = new Map<string, TargetMetricMetadata>();
  /** The number of samples of the last scrape, after metric relabeling. */
  lastScrapeSamples = 0;

  readonly url: string;
  readonly key: string;

  constructor(
    /** Labels after relabeling, including the `__` ones that configure the scrape. */
    readonly labels: Labels,
    /** Labels before relabeling. */
    readonly discoveredLabels: Labels,
    /** The scrape config's `params` (overridden by `__param_*` labels). */
    readonly params: Record<string, string[]>,
  ) {
    this.url = targetURL(labels, params);
    this.key = labelsKey(labels) + "\xff" + this.url;
  }

  /** Labels without the `__` prefix: the labels every sample of the target gets ("labels" in the API). */
  publicLabels(): Labels {
    return this.labels.filter((l) => !l.name.startsWith(RESERVED_LABEL_PREFIX));
  }

  get(name: string): string {
    return this.labels.find((l) => l.name === name)?.value ?? "";
  }

  /** Scrape interval from `__scrape_interval__`, ms. */
  intervalMs(): number {
    return parseDuration(this.get(SCRAPE_INTERVAL_LABEL));
  }

  /** Scrape timeout from `__scrape_timeout__`, ms. */
  timeoutMs(): number {
    return parseDuration(this.get(SCRAPE_TIMEOUT_LABEL));
  }

  /**
   * Prometheus hashes the labels' xxhash and the URL with FNV-1a; we hash the
   * label key and the URL with FNV-1a. The value differs from Prometheus's,
   * but it is stable per target in the same way, which is what matters.
   */
  hash(): bigint {
    return fnv64a(this.key);
  }

  /**
   * Time until this target's first scrape, ms: the targets of an interval are
   * spread across it by their hash (Prometheus's Target.offset), pinned to
   * absolute time so that restarts keep the same phase.
   */
  offset(intervalMs: number, seed: bigint, nowMs: number): number {
    const iv = BigInt(Math.max(1, Math.trunc(intervalMs)));
    const base = iv - (BigInt(Math.trunc(nowMs)) % iv);
    const off = (this.hash() ^ seed) % iv;
    let next = base + off;
    if (next > iv) next -= iv;
    return Number(next);
  }
}

/** The scrape URL: `__scheme__://__address____metrics_path__?params` with `__param_*` overriding the first value. */
export function targetURL(labels: Labels, params: Record<string, string[]>): string {
  const q = new Map<string, string[]>();
  for (const [k, v] of Object.entries(params)) q.set(k, [...v]);
  for (const l of labels) {
    if (!l.name.startsWith(PARAM_LABEL_PREFIX)) continue;
    const k = l.name.slice(PARAM_LABEL_PREFIX.length);
    const cur = q.get(k);
    if (cur && cur.length > 0) cur[0] = l.value;
    else q.set(k, [l.value]);
  }
  const get = (n: string) => labels.find((l) => l.name === n)?.value ?? "";
  let path = get(METRICS_PATH_LABEL);
  if (path !== "" && !path.startsWith("/")) path = "/" + path;
  const query = [...q.keys()]
    .sort()
    .flatMap((k) => q.get(k)!.map((v) => `${queryEscape(k)}=${queryEscape(v)}`))
    .join("&");
  return `${get(SCHEME_LABEL)}://${get(ADDRESS_LABEL)}${encodeURI(path)}${query ? "?" + query : ""}`;
}

/** The labels of a static target, for tests and callers building groups by hand. */
export function addressLabels(address: string, extra: Record<string, string> = {}): Labels {
  return labelsFromRecord({ [ADDRESS_LABEL]: address, ...extra });
}
