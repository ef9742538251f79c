// One scrape loop per target, as Prometheus's scrapeLoop (scrape/scrape.go):
// wait for the target's offset in the interval, then scrape on a fixed grid
// of ticks; each scrape fetches, parses, applies honor_labels and
// metric_relabel_configs through a per-target cache keyed by the series text,
// enforces the limits, appends the samples, staleness markers for series that
// vanished and the five report series in one atomic batch.
//
// Failures follow Prometheus: any scrape or append error (HTTP, timeout,
// body size, parse error, sample or label limit) discards the scrape's
// samples and appends what an empty scrape would, i.e. staleness markers for
// every series of the previous scrape, then the report with up=0. When the
// loop is stopped because its target went away, it waits for two more ticks
// and a tenth of an interval (the target may come back) and then marks all
// of its series stale, including the report series; on shutdown (the parent
// signal) it writes nothing.

import "server-only";
import { setMaxListeners } from "node:events";
import type { ScrapeProtocol } from "@/server/config";
import { relabel, type RelabelConfig } from "@/server/relabel";
import { sameBits, type MemSeries } from "@/server/storage/head";
import { labelsKey, METRIC_NAME, type Label, type Labels } from "@/server/storage/labels/labels";
import type { AppendBatch, MetricMetadata as StoreMetricMetadata } from "@/server/storage/store";
import { formatFromContentType, parseExpositionStream, type ExpositionFormat, type SampleContext } from "./exposition-parser";
import { readBody, statusText, USER_AGENT, type FetchLike } from "./http-client";
import type { Target, TargetMetricMetadata } from "./target";

/** Where scraped samples go: a SeriesStore, or a fake in tests. */
export interface Appendable {
  /** Appends the batch atomically (SeriesStore.append); may return the series of each entry for caching. */
  append(batch: AppendBatch): Promise<unknown>;
  putMetadata(items: StoreMetricMetadata[]): Promise<void>;
  /** When present, used to drop out-of-order samples before appending instead of failing the batch. */
  lookup?(labels: Labels): MemSeries | undefined;
}

/** The staleness marker, bit for bit as Prometheus writes it. */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

/** True when `v` carries the staleness marker's bits. */
export function isStaleNaN(v: number): boolean {
  scratchF64[0] = v;
  return scratchU64[0] === STALE_NAN_BITS;
}
const scratchF64 = new Float64Array(1);
const scratchU64 = new BigUint64Array(scratchF64.buffer);

/** Accept header values per protocol (Prometheus's ScrapeProtocolsHeaders). */
const PROTOCOL_HEADERS: Record<ScrapeProtocol, string> = {
  PrometheusProto: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
  "PrometheusText0.0.4": "text/plain;version=0.0.4",
  "PrometheusText1.0.0": "text/plain;version=1.0.0",
  "OpenMetricsText0.0.1": "application/openmetrics-text;version=0.0.1",
  "OpenMetricsText1.0.0": "application/openmetrics-text;version=1.0.0",
};

/**
 * The Accept header Prometheus 3 sends (scrape.acceptHeader): the protocols
 * in order with falling q weights, the escaping scheme on the 1.0.0 formats,
 * and a catch-all. With the default protocols and UTF-8 names:
 * `application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*\/*;q=0.2`
 */
export function acceptHeader(protocols: readonly ScrapeProtocol[], escaping: string): string {
  const vals: string[] = [];
  let weight = Object.keys(PROTOCOL_HEADERS).length + 1;
  for (const p of protocols) {
    let v = PROTOCOL_HEADERS[p];
    if (p === "PrometheusText1.0.0" || p === "OpenMetricsText1.0.0") v += `;escaping=${escaping}`;
    vals.push(`${v};q=0.${weight}`);
    weight--;
  }
  vals.push(`*/*;q=0.${weight}`);
  return vals.join(",");
}

/** Prometheus's ScrapeTimestampTolerance: scrape times within this of the grid are put on it (better compression). */
export const SCRAPE_TIMESTAMP_TOLERANCE_MS = 2;

export interface ScrapeLoopOptions {
  target: Target;
  appendable: Appendable;
  fetch: FetchLike;
  /** Wall clock, Unix ms. */
  now: () => number;
  /** Waits ms (or until the signal aborts); default setTimeout. Tests pass a fake. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  intervalMs: number;
  timeoutMs: number;
  honorLabels: boolean;
  honorTimestamps: boolean;
  trackTimestampsStaleness?: boolean;
  /** 0 = no limit, for all limits. */
  sampleLimit?: number;
  labelLimit?: number;
  labelNameLengthLimit?: number;
  labelValueLengthLimit?: number;
  /** Bytes. */
  bodySizeLimit?: number;
  metricRelabelConfigs?: readonly RelabelConfig[];
  scrapeProtocols?: readonly ScrapeProtocol[];
  /** Parser for responses without a usable Content-Type (fallback_scrape_protocol). */
  fallbackFormat?: ExpositionFormat;
  enableCompression?: boolean;
  /** The escaping scheme announced in the Accept header ("allow-utf-8", "underscores", …). */
  escapingScheme?: string;
  /** Mixed into the offset hash (Prometheus seeds it from the external labels). */
  offsetSeed?: bigint;
  /** Called after every scrape (tests, logging). */
  onScrape?: (r: ScrapeReport) => void;
}

/** What one scrape did. */
export interface ScrapeReport {
  /** Unix ms of the samples. */
  timestamp: number;
  durationMs: number;
  /** "" when the scrape succeeded. */
  error: string;
  samplesScraped: number;
  samplesPostMetricRelabeling: number;
  seriesAdded: number;
  staleMarkers: number;
}

interface CacheEntry {
  /** Labels after honor_labels and metric relabeling; null when relabeling dropped the series. */
  lset: Labels | null;
  key: string;
  series?: MemSeries;
  /** A label limit this series violates. */
  limitError?: string;
  /** The scrape iteration that last saw it (entries unseen for a while are evicted). */
  lastIter: number;
  /** The iteration in which a sample of it was last added, and that sample's time (duplicate detection). */
  addedIter: number;
  addedT: number;
  /** The iteration in which it was last tracked for staleness. */
  trackedIter: number;
}

/** Grows one batch: one entry per sample, values in a Float64Array so staleness markers keep their bits. */
class BatchBuilder {
  entries: (MemSeries | Labels)[] = [];
  t: number[] = [];
  private v = new Float64Array(64);
  private u64 = new BigUint64Array(this.v.buffer);

  get length(): number {
    return this.entries.length;
  }

  add(entry: MemSeries | Labels, t: number, v: number): void {
    this.grow();
    this.v[this.entries.length] = v;
    this.entries.push(entry);
    this.t.push(t);
  }

  addStale(entry: MemSeries | Labels, t: number): void {
    this.grow();
    this.u64[this.entries.length] = STALE_NAN_BITS;
    this.entries.push(entry);
    this.t.push(t);
  }

  private grow(): void {
    if (this.entries.length < this.v.length) return;
    const v = new Float64Array(this.v.length * 2);
    v.set(this.v); // a typed-array copy moves bytes, so NaN payloads survive
    this.v = v;
    this.u64 = new BigUint64Array(v.buffer);
  }

  build(): AppendBatch {
    const n = this.entries.length;
    const offsets = new Uint32Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = i;
    return { entries: this.entries, offsets, t: this.t, v: this.v.subarray(0, n) };
  }
}

const REPORT_NAMES = ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"] as const;

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Go's %.50s: at most 50 characters (runes). */
const trunc50 = (s: string) => Array.from(s).slice(0, 50).join("");

/** Prometheus's verifyLabelLimits: the error message, or undefined. */
export function verifyLabelLimits(lset: Labels, limit: number, nameLen: number, valueLen: number): string | undefined {
  const met = lset.find((l) => l.name === METRIC_NAME)?.value ?? "";
  if (limit > 0 && lset.length > limit) return `label_limit exceeded (metric: ${trunc50(met)}, number of labels: ${lset.length}, limit: ${limit})`;
  if (nameLen === 0 && valueLen === 0) return undefined;
  for (const l of lset) {
    const n = Buffer.byteLength(l.name);
    if (nameLen > 0 && n > nameLen) return `label_name_length_limit exceeded (metric: ${trunc50(met)}, label name: ${trunc50(l.name)}, length: ${n}, limit: ${nameLen})`;
    const v = Buffer.byteLength(l.value);
    if (valueLen > 0 && v > valueLen) return `label_value_length_limit exceeded (metric: ${trunc50(met)}, label name: ${trunc50(l.name)}, value: ${JSON.stringify(trunc50(l.value))}, length: ${v}, limit: ${valueLen})`;
  }
  return undefined;
}

/**
 * Prometheus's mutateSampleLabels without the relabeling: adds the target's
 * labels to a scraped series. With honor_labels the series' own values win;
 * without, the target's win and clashing scraped labels are kept as
 * `exported_<name>` (more `exported_` prefixes until the name is free,
 * shortest names first).
 */
export function mutateSampleLabels(lset: Labels, targetLabels: Labels, honor: boolean): Labels {
  const byName = new Map<string, string>();
  for (const l of lset) byName.set(l.name, l.value);
  if (honor) {
    for (const l of targetLabels) if (!byName.has(l.name)) byName.set(l.name, l.value);
  } else {
    const conflicts: Label[] = [];
    for (const l of targetLabels) {
      const existing = byName.get(l.name);
      if (existing !== undefined && existing !== "") conflicts.push({ name: l.name, value: existing });
      byName.set(l.name, l.value);
    }
    conflicts.sort((a, b) => a.name.length - b.name.length);
    for (const c of conflicts) {
      let n = c.name;
      for (;;) {
        n = "exported_" + n;
        if (!byName.get(n)) {
          byName.set(n, c.value);
          break;
        }
      }
    }
  }
  const out: Label[] = [];
  for (const [name, value] of byName) if (value !== "") out.push({ name, value });
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

export class ScrapeLoop {
  readonly target: Target;
  private readonly o: ScrapeLoopOptions;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly cache = new Map<string, CacheEntry>();
  /**
   * Series of the previous successful scrape that are tracked for staleness.
   * Cache entries rather than a keyed map: the cache gives every series one
   * entry object, so "seen in this scrape" is a field comparison.
   */
  private prev: CacheEntry[] = [];
  /** Set when `prev` comes from a replaced loop whose entries are not in this loop's cache: compare by label key once. */
  private prevFromOtherLoop = false;
  private iter = 0;
  private readonly accept: string;
  private reportLabels: Labels[];
  private reportSeries: (MemSeries | undefined)[] = [];
  private metadataDigest = "";

  private abort = new AbortController();
  private parent: AbortSignal | null = null;
  private running: Promise<void> | null = null;
  private mainDone: Promise<void> | null = null;
  private endOfRunStaleness = true;
  /** An error that fails every scrape without fetching (target_limit exceeded). */
  forcedError: string | null = null;

  constructor(opts: ScrapeLoopOptions) {
    this.o = opts;
    this.target = opts.target;
    this.sleep = opts.sleep ?? defaultSleep;
    // Every scrape's timeout signal listens on this one.
    setMaxListeners(0, this.abort.signal);
    this.accept = acceptHeader(opts.scrapeProtocols ?? ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"], opts.escapingScheme || "allow-utf-8");
    const tl = this.target.publicLabels();
    this.reportLabels = REPORT_NAMES.map((n) => mutateSampleLabels([{ name: METRIC_NAME, value: n }], tl, opts.honorLabels));
  }

  /** Starts the loop in the background; `signal` is the server's (aborting it stops without staleness markers). */
  start(signal: AbortSignal): void {
    if (this.running) return;
    this.parent = signal;
    const onParent = () => this.abort.abort();
    signal.addEventListener("abort", onParent, { once: true });
    let markMainDone!: () => void;
    this.mainDone = new Promise((r) => (markMainDone = r));
    this.running = this.run(markMainDone)
      .catch((e) => {
        // A loop must never take the process down with an unhandled rejection.
        this.target.lastError = errorMessage(e);
        this.target.health = "down";
      })
      .finally(() => signal.removeEventListener("abort", onParent));
  }

  /**
   * Stops scraping; resolves when the loop has left its main loop. Unless
   * disabled, end-of-run staleness markers are written later in the
   * background (see `finished`).
   */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.mainDone;
  }

  /** Resolves when the loop is completely finished, end-of-run staleness included. */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  /** Prometheus does this for loops replaced on reload: their series carry on in the new loop. */
  disableEndOfRunStalenessMarkers(): void {
    this.endOfRunStaleness = false;
  }

  /** Carries scrape state over from the loop this one replaces (reload), as Prometheus keeps the target's cache. */
  inheritFrom(old: ScrapeLoop): void {
    this.prev = old.prev;
    this.prevFromOtherLoop = true;
  }

  private async run(markMainDone: () => void): Promise<void> {
    const signal = this.abort.signal;
    const iv = this.o.intervalMs;
    let last = 0;
    let tick = 0;
    try {
      await this.sleep(this.target.offset(iv, this.o.offsetSeed ?? 0n, this.o.now()), signal);
      if (signal.aborted) return;
      // The tick grid, like Go's time.Ticker: ticks at start + k·interval; missed ticks are skipped.
      const start = this.o.now();
      let aligned = start;
      tick = start;
      for (;;) {
        let scrapeTime = this.o.now();
        const tolerance = Math.min(iv / 100, SCRAPE_TIMESTAMP_TOLERANCE_MS);
        while (scrapeTime - aligned >= iv) aligned += iv;
        if (scrapeTime - aligned <= tolerance) scrapeTime = aligned;
        last = scrapeTime;
        try {
          await this.scrapeAndReport(scrapeTime, signal);
        } catch (e) {
          // Not expected (scrape errors are reported, not thrown); keep the loop alive regardless.
          this.target.lastError = errorMessage(e);
          this.target.health = "down";
        }
        if (signal.aborted) break;
        const now = this.o.now();
        tick += iv;
        while (tick <= now) tick += iv;
        await this.sleep(tick - now, signal);
        if (signal.aborted) break;
      }
    } finally {
      markMainDone();
    }
    if (this.endOfRunStaleness && last !== 0) await this.writeEndOfRunStaleness(tick);
  }

  private async writeEndOfRunStaleness(lastTick: number): Promise<void> {
    const parent = this.parent;
    if (!parent || parent.aborted) return;
    const iv = this.o.intervalMs;
    let next = lastTick;
    while (next <= this.o.now()) next += iv;
    await this.sleep(next - this.o.now(), parent);
    if (parent.aborted) return;
    const staleTime = this.o.now();
    await this.sleep(next + iv - this.o.now(), parent);
    if (parent.aborted) return;
    await this.sleep(iv / 10, parent);
    if (parent.aborted) return;
    const b = new BatchBuilder();
    for (const ce of this.prev) b.addStale(ce.series ?? ce.lset!, staleTime);
    for (let i = 0; i < this.reportLabels.length; i++) b.addStale(this.reportSeries[i] ?? this.reportLabels[i]!, staleTime);
    this.prev = [];
    await this.appendFiltered(b).catch(() => {});
  }

  /** One scrape at `appendTime` (Unix ms): fetch, parse, append, report. Public for tests. */
  async scrapeAndReport(appendTime: number, signal: AbortSignal = new AbortController().signal): Promise<ScrapeReport> {
    const startMs = this.o.now();
    let body: Uint8Array | null = null;
    let contentType: string | null = null;
    let scrapeErr = "";
    if (this.forcedError) scrapeErr = this.forcedError;
    else {
      try {
        ({ body, contentType } = await this.fetchBody(signal));
      } catch (e) {
        if (signal.aborted) return emptyReport(appendTime);
        scrapeErr = errorMessage(e);
      }
    }

    let b = new BatchBuilder();
    let res: AppendOutcome = { total: 0, added: 0, seriesAdded: 0, stale: 0, cur: [], newEntries: [], metadata: null };
    let appErr = "";
    if (!scrapeErr) {
      try {
        this.appendScrape(res, b, body!, contentType, appendTime);
      } catch (e) {
        // The counts so far stay, as Prometheus reports them for a failed append.
        appErr = errorMessage(e);
      }
    }
    if (scrapeErr || appErr) {
      // As Prometheus: the scrape's samples are discarded and an empty scrape is appended, which marks every series stale.
      b = new BatchBuilder();
      res = { ...res, stale: this.appendEmpty(b, appendTime), cur: [], newEntries: [], entryIndex: [], metadata: null };
    }
    // Prometheus reports the time from the start of the scrape to the report, parsing included.
    const durationMs = this.o.now() - startMs;
    const err = scrapeErr || appErr;
    const up = err ? 0 : 1;
    const reportVals = [up, durationMs / 1000, res.total, res.added, res.seriesAdded];
    const reportStart = b.length;
    for (let i = 0; i < this.reportLabels.length; i++) b.add(this.reportSeries[i] ?? this.reportLabels[i]!, appendTime, reportVals[i]!);

    let storeErr = "";
    try {
      const out = await this.appendFiltered(b);
      if (out) {
        for (let i = 0; i < REPORT_NAMES.length; i++) if (out[reportStart + i]) this.reportSeries[i] = out[reportStart + i];
      }
      if (!err) {
        // Commit the scrape's cache changes only now that the samples are stored.
        for (const ce of res.newEntries) this.cache.set(ce.raw, ce.entry);
        if (out) for (const [i, ce] of res.entryIndex ?? []) if (out[i]) ce.series = out[i];
        this.prev = res.cur;
        this.prevFromOtherLoop = false;
      } else {
        this.prev = [];
        this.prevFromOtherLoop = false;
      }
    } catch (e) {
      storeErr = errorMessage(e);
    }
    this.iter++;
    if (this.iter % 10 === 0) this.evictCache();

    const finalErr = err || storeErr;
    const t = this.target;
    t.lastScrape = startMs;
    t.lastScrapeDuration = durationMs;
    t.lastError = finalErr;
    t.health = finalErr ? "down" : "up";
    t.lastScrapeSamples = res.added;
    if (res.metadata && !finalErr) await this.updateMetadata(res.metadata);
    const report: ScrapeReport = { timestamp: appendTime, durationMs, error: finalErr, samplesScraped: res.total, samplesPostMetricRelabeling: res.added, seriesAdded: res.seriesAdded, staleMarkers: res.stale };
    this.o.onScrape?.(report);
    return report;
  }

  private async fetchBody(signal: AbortSignal): Promise<{ body: Uint8Array; contentType: string | null }> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.o.timeoutMs);
    const both = AbortSignal.any([signal, timeout.signal]);
    const url = this.target.url;
    try {
      const res = await this.o.fetch(url, {
        headers: {
          Accept: this.accept,
          "Accept-Encoding": this.o.enableCompression === false ? "identity" : "gzip",
          "User-Agent": USER_AGENT,
          "X-Prometheus-Scrape-Timeout-Seconds": String(this.o.timeoutMs / 1000),
        },
        signal: both,
      });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        throw new Error(`server returned HTTP status ${statusText(res)}`);
      }
      const body = await readBody(res, this.o.bodySizeLimit ?? 0);
      return { body, contentType: res.headers.get("content-type") };
    } catch (e) {
      if (timeout.signal.aborted && !signal.aborted) throw new Error(`Get ${JSON.stringify(url)}: context deadline exceeded`);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Staleness markers for every tracked series: what appending an empty scrape does. */
  private appendEmpty(b: BatchBuilder, t: number): number {
    for (const ce of this.prev) b.addStale(ce.series ?? ce.lset!, t);
    return this.prev.length;
  }

  /** Parses a body into the batch (Prometheus's scrapeLoop.append). Throws to fail the scrape. */
  private appendScrape(res: AppendOutcome, b: BatchBuilder, body: Uint8Array, contentType: string | null, appendTime: number): void {
    const format = formatFromContentType(contentType, this.o.fallbackFormat);
    const o = this.o;
    const targetLabels = this.target.publicLabels();
    const relabels = o.metricRelabelConfigs ?? [];
    const cur: CacheEntry[] = [];
    const newEntries: { raw: string; entry: CacheEntry }[] = [];
    const pendingNew = new Map<string, CacheEntry>();
    const entryIndex: [number, CacheEntry][] = [];
    let limitErr: string | undefined;
    const iter = this.iter;
    const track = !o.honorTimestamps || !!o.trackTimestampsStaleness;
    const metadata = parseExpositionStream(body, format, {
      onSample: (raw: string, v: number, t: number | undefined, ctx: SampleContext) => {
        res.total++;
        if (limitErr) return;
        let ce = this.cache.get(raw) ?? pendingNew.get(raw);
        let fresh = false;
        if (!ce) {
          const mutated = mutateSampleLabels(ctx.labels(), targetLabels, o.honorLabels);
          const lset = relabels.length > 0 ? relabel(mutated, relabels) : mutated;
          ce = { lset: lset && lset.length > 0 ? lset : null, key: lset ? labelsKey(lset) : "", lastIter: iter, addedIter: -1, addedT: 0, trackedIter: -1 };
          if (ce.lset) {
            if (!ce.lset.some((l) => l.name === METRIC_NAME)) ce.limitError = "missing metric name (__name__ label)";
            else ce.limitError = verifyLabelLimits(ce.lset, o.labelLimit ?? 0, o.labelNameLengthLimit ?? 0, o.labelValueLengthLimit ?? 0);
          }
          pendingNew.set(raw, ce);
          newEntries.push({ raw, entry: ce });
          fresh = true;
        }
        ce.lastIter = iter;
        if (!ce.lset) return;
        if (ce.limitError) {
          limitErr = ce.limitError;
          return;
        }
        const ts = o.honorTimestamps && t !== undefined ? t : appendTime;
        // The same series twice in one page: Prometheus drops the later sample as a duplicate.
        if (ce.addedIter === iter && ts <= ce.addedT) return;
        ce.addedIter = iter;
        ce.addedT = ts;
        res.added++;
        if (fresh) res.seriesAdded++;
        entryIndex.push([b.length, ce]);
        b.add(ce.series ?? ce.lset, ts, v);
        if ((t === undefined || track) && ce.trackedIter !== iter) {
          ce.trackedIter = iter;
          cur.push(ce);
        }
      },
    });
    if (limitErr) throw new Error(limitErr);
    const limit = o.sampleLimit ?? 0;
    if (limit > 0 && res.added > limit) throw new Error("sample limit exceeded");
    // Series of the previous scrape that are gone get a staleness marker.
    let stale = 0;
    const curKeys = this.prevFromOtherLoop ? new Set(cur.map((ce) => ce.key)) : null;
    for (const ce of this.prev) {
      if (curKeys ? curKeys.has(ce.key) : ce.trackedIter === iter) continue;
      b.addStale(ce.series ?? ce.lset!, appendTime);
      stale++;
    }
    Object.assign(res, { stale, cur, newEntries, entryIndex, metadata });
  }

  /**
   * Appends, first dropping samples the store would refuse as out of order or
   * as a conflicting duplicate: Prometheus drops those one by one (counting
   * them) while our store refuses the whole batch. Returns the series of each
   * entry when the appendable reports them.
   */
  private async appendFiltered(b: BatchBuilder): Promise<(MemSeries | undefined)[] | null> {
    const batch = b.build();
    try {
      return await this.appendKept(batch, this.filter(batch, false));
    } catch (e) {
      // Two entries of one series in the batch (two raw series that relabel to the same labels):
      // filter again, by label key this time, and retry once.
      if (!(e instanceof Error && e.name === "AppendError")) throw e;
      return await this.appendKept(batch, this.filter(batch, true));
    }
  }

  /** Indexes of the entries to append: those the store would take given each series' newest sample. */
  private filter(batch: AppendBatch, byKey: boolean): number[] {
    const n = batch.entries.length;
    const keep: number[] = [];
    const lookup = this.o.appendable.lookup?.bind(this.o.appendable);
    const seen = byKey ? new Map<string, number>() : null;
    for (let i = 0; i < n; i++) {
      const e = batch.entries[i]!;
      const s = isMemSeries(e) ? e : lookup?.(e);
      const t = batch.t[i] as number;
      if (s) {
        if (t < s.lastT) continue;
        if (t === s.lastT && !sameBits(batch.v[i]!, s.lastV)) continue;
      }
      if (seen) {
        const k = isMemSeries(e) ? e.key : labelsKey(e);
        const prevT = seen.get(k);
        if (prevT !== undefined && t <= prevT) continue;
        seen.set(k, t);
      }
      keep.push(i);
    }
    return keep;
  }

  private async appendKept(batch: AppendBatch, keep: number[]): Promise<(MemSeries | undefined)[] | null> {
    const n = batch.entries.length;
    let final = batch;
    if (keep.length !== n) {
      const v = new Float64Array(keep.length);
      // Copied as integers so that no NaN payload passes through a JS number.
      const src64 = new BigUint64Array(batch.v.buffer, batch.v.byteOffset, batch.v.length);
      const dst64 = new BigUint64Array(v.buffer);
      const entries: (MemSeries | Labels)[] = [];
      const ts: number[] = [];
      keep.forEach((src, j) => {
        entries.push(batch.entries[src]!);
        ts.push(batch.t[src] as number);
        dst64[j] = src64[src]!;
      });
      const offsets = new Uint32Array(keep.length + 1);
      for (let i = 0; i <= keep.length; i++) offsets[i] = i;
      final = { entries, offsets, t: ts, v };
    }
    if (final.entries.length === 0) return new Array(n).fill(undefined);
    const result = (await this.o.appendable.append(final)) as { series?: MemSeries[] } | undefined;
    if (!result || !Array.isArray(result.series)) return null;
    if (keep.length === n) return result.series;
    const out: (MemSeries | undefined)[] = new Array(n).fill(undefined);
    keep.forEach((src, j) => (out[src] = result.series![j]));
    return out;
  }

  private async updateMetadata(meta: { name: string; type: string; help: string; unit: string }[]): Promise<void> {
    const m = new Map<string, TargetMetricMetadata>();
    for (const x of meta) m.set(x.name, { metric: x.name, type: x.type, help: x.help, unit: x.unit });
    this.target.metadata = m;
    const digest = JSON.stringify(meta);
    if (digest === this.metadataDigest) return;
    this.metadataDigest = digest;
    try {
      await this.o.appendable.putMetadata(meta.map((x) => ({ metricFamily: x.name, type: x.type, help: x.help, unit: x.unit })));
    } catch {
      this.metadataDigest = "";
    }
  }

  /** Drops cache entries not seen for 10 scrapes (Prometheus evicts after a few iterations). */
  private evictCache(): void {
    for (const [raw, ce] of this.cache) if (this.iter - ce.lastIter > 10) this.cache.delete(raw);
  }
}

interface AppendOutcome {
  total: number;
  added: number;
  seriesAdded: number;
  stale: number;
  cur: CacheEntry[];
  newEntries: { raw: string; entry: CacheEntry }[];
  entryIndex?: [number, CacheEntry][];
  metadata: { name: string; type: string; help: string; unit: string }[] | null;
}

function isMemSeries(e: MemSeries | Labels): e is MemSeries {
  return !Array.isArray(e);
}

function emptyReport(t: number): ScrapeReport {
  return { timestamp: t, durationMs: 0, error: "", samplesScraped: 0, samplesPostMetricRelabeling: 0, seriesAdded: 0, staleMarkers: 0 };
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    if (e.message === "fetch failed" && cause instanceof Error) return cause.message;
    return e.message;
  }
  return String(e);
}
