import { describe, expect, it } from "vitest";
import { makeRelabelConfig } from "@/server/relabel";
import { labelsFromRecord, labelsToRecord, type Labels } from "@/server/storage/labels/labels";
import type { AppendBatch, MetricMetadata } from "@/server/storage/store";
import type { FetchLike } from "./http-client";
import { acceptHeader, isStaleNaN, mutateSampleLabels, ScrapeLoop, verifyLabelLimits, type Appendable, type ScrapeLoopOptions } from "./scrape-loop";
import { Target } from "./target";

interface Written {
  labels: Record<string, string>;
  t: number;
  v: number;
  bits: bigint;
}

class FakeAppendable implements Appendable {
  written: Written[] = [];
  metadata: MetricMetadata[] = [];
  batches = 0;
  async append(batch: AppendBatch): Promise<void> {
    this.batches++;
    const u64 = new BigUint64Array(batch.v.buffer, batch.v.byteOffset, batch.v.length);
    for (let i = 0; i < batch.entries.length; i++) {
      const e = batch.entries[i] as Labels;
      for (let j = batch.offsets[i]!; j < batch.offsets[i + 1]!; j++) {
        this.written.push({ labels: labelsToRecord(e), t: batch.t[j]!, v: batch.v[j]!, bits: u64[j]! });
      }
    }
  }
  async putMetadata(items: MetricMetadata[]): Promise<void> {
    this.metadata.push(...items);
  }
  at(t: number): Written[] {
    return this.written.filter((w) => w.t === t);
  }
  value(name: string, t: number): number | undefined {
    return this.written.find((w) => w.labels.__name__ === name && w.t === t)?.v;
  }
}

function target(extra: Record<string, string> = {}): Target {
  const labels = labelsFromRecord({
    __address__: "host:9100",
    __scheme__: "http",
    __metrics_path__: "/metrics",
    __scrape_interval__: "15s",
    __scrape_timeout__: "10s",
    job: "node",
    instance: "host:9100",
    ...extra,
  });
  return new Target(labels, labels, {});
}

type Reply = { status?: number; body: string; contentType?: string } | "hang";

function fakeFetch(replies: Reply[], seen: { url: string; headers: Record<string, string> }[] = []): FetchLike {
  let i = 0;
  return async (url, init) => {
    seen.push({ url, headers: init.headers });
    const r = replies[Math.min(i++, replies.length - 1)]!;
    if (r === "hang") {
      return new Promise((_resolve, reject) => init.signal.addEventListener("abort", () => reject(new Error("aborted"))));
    }
    return new Response(r.body, { status: r.status ?? 200, headers: { "content-type": r.contentType ?? "text/plain; version=0.0.4" } });
  };
}

function loop(replies: Reply[], o: Partial<ScrapeLoopOptions> = {}) {
  const app = new FakeAppendable();
  let clock = 1_700_000_000_000;
  const seen: { url: string; headers: Record<string, string> }[] = [];
  const l = new ScrapeLoop({
    target: o.target ?? target(),
    appendable: app,
    fetch: fakeFetch(replies, seen),
    now: () => clock,
    intervalMs: 15_000,
    timeoutMs: 10_000,
    honorLabels: false,
    honorTimestamps: true,
    ...o,
  });
  return { l, app, seen, advance: (ms: number) => (clock += ms), now: () => clock };
}

const page1 = "# HELP a_total A counter.\n# TYPE a_total counter\na_total 1\nb{x=\"1\"} 2\nb{x=\"2\"} 3\n";
const page2 = "# HELP a_total A counter.\n# TYPE a_total counter\na_total 2\nb{x=\"1\"} 4\n";

describe("acceptHeader", () => {
  it("is Prometheus 3's default header", () => {
    expect(acceptHeader(["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"], "allow-utf-8")).toBe(
      "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
    );
  });
});

describe("mutateSampleLabels", () => {
  const tl = labelsFromRecord({ job: "node", instance: "h:1" });
  it("renames clashing scraped labels to exported_*", () => {
    const got = mutateSampleLabels(labelsFromRecord({ __name__: "m", job: "other", exported_job: "x" }), tl, false);
    expect(labelsToRecord(got)).toEqual({ __name__: "m", job: "node", instance: "h:1", exported_job: "x", exported_exported_job: "other" });
  });
  it("keeps scraped values with honor_labels", () => {
    const got = mutateSampleLabels(labelsFromRecord({ __name__: "m", job: "other" }), tl, true);
    expect(labelsToRecord(got)).toEqual({ __name__: "m", job: "other", instance: "h:1" });
  });
});

describe("verifyLabelLimits", () => {
  const ls = labelsFromRecord({ __name__: "m", a: "1", bb: "long-value" });
  it("uses Prometheus's messages", () => {
    expect(verifyLabelLimits(ls, 2, 0, 0)).toBe("label_limit exceeded (metric: m, number of labels: 3, limit: 2)");
    expect(verifyLabelLimits(ls, 0, 1, 0)).toBe("label_name_length_limit exceeded (metric: m, label name: __name__, length: 8, limit: 1)");
    expect(verifyLabelLimits(ls, 0, 0, 5)).toBe('label_value_length_limit exceeded (metric: m, label name: bb, value: "long-value", length: 10, limit: 5)');
    expect(verifyLabelLimits(ls, 3, 8, 10)).toBeUndefined();
  });
});

describe("ScrapeLoop.scrapeAndReport", () => {
  it("appends samples with target labels and the five report series", async () => {
    const { l, app, seen } = loop([{ body: page1 }]);
    const r = await l.scrapeAndReport(1000);
    expect(r.error).toBe("");
    expect(seen[0]!.url).toBe("http://host:9100/metrics");
    expect(seen[0]!.headers["X-Prometheus-Scrape-Timeout-Seconds"]).toBe("10");
    expect(seen[0]!.headers["Accept-Encoding"]).toBe("gzip");
    expect(app.at(1000).find((w) => w.labels.__name__ === "b" && w.labels.x === "2")?.labels).toEqual({ __name__: "b", x: "2", job: "node", instance: "host:9100" });
    expect(app.value("up", 1000)).toBe(1);
    expect(app.value("scrape_samples_scraped", 1000)).toBe(3);
    expect(app.value("scrape_samples_post_metric_relabeling", 1000)).toBe(3);
    expect(app.value("scrape_series_added", 1000)).toBe(3);
    expect(app.value("scrape_duration_seconds", 1000)).toBeGreaterThanOrEqual(0);
    expect(app.metadata).toEqual([{ metricFamily: "a_total", type: "counter", help: "A counter.", unit: "" }]);
    expect(l.target.health).toBe("up");
    expect([...l.target.metadata.keys()]).toEqual(["a_total"]);
  });

  it("writes staleness markers with Prometheus's bits for series that vanish", async () => {
    const { l, app } = loop([{ body: page1 }, { body: page2 }]);
    await l.scrapeAndReport(1000);
    await l.scrapeAndReport(16000);
    const stale = app.at(16000).filter((w) => isStaleNaN(w.v));
    expect(stale.map((w) => w.labels)).toEqual([{ __name__: "b", x: "2", job: "node", instance: "host:9100" }]);
    expect(stale[0]!.bits).toBe(0x7ff0000000000002n);
    expect(app.value("scrape_series_added", 16000)).toBe(0);
  });

  it("marks every series stale and reports up=0 when the target returns 500", async () => {
    const { l, app } = loop([{ body: page1 }, { status: 500, body: "oops" }]);
    await l.scrapeAndReport(1000);
    const r = await l.scrapeAndReport(16000);
    expect(r.error).toBe("server returned HTTP status 500 Internal Server Error");
    expect(app.at(16000).filter((w) => w.bits === 0x7ff0000000000002n)).toHaveLength(3);
    expect(app.value("up", 16000)).toBe(0);
    expect(app.value("scrape_samples_scraped", 16000)).toBe(0);
    expect(l.target.health).toBe("down");
    expect(l.target.lastError).toBe(r.error);
  });

  it("fails on timeout with Go's message", async () => {
    const { l, app } = loop(["hang"], { timeoutMs: 20 });
    const r = await l.scrapeAndReport(1000);
    expect(r.error).toBe('Get "http://host:9100/metrics": context deadline exceeded');
    expect(app.value("up", 1000)).toBe(0);
  });

  it("fails on garbage with the parser's line", async () => {
    const { l, app } = loop([{ body: "this is { not metrics\n" }]);
    const r = await l.scrapeAndReport(1000);
    expect(r.error).toMatch(/^line 1: /);
    expect(app.at(1000).map((w) => w.labels.__name__).sort()).toEqual(["scrape_duration_seconds", "scrape_samples_post_metric_relabeling", "scrape_samples_scraped", "scrape_series_added", "up"]);
  });

  it("fails an unsupported Content-Type", async () => {
    const { l } = loop([{ body: page1, contentType: "application/json" }]);
    expect((await l.scrapeAndReport(1000)).error).toMatch(/unsupported Content-Type/);
  });

  it("uses the fallback protocol for a missing Content-Type", async () => {
    const { l } = loop([{ body: page1, contentType: "" }], { fallbackFormat: "prometheus-text" });
    expect((await l.scrapeAndReport(1000)).error).toBe("");
  });

  it("fails the scrape over sample_limit and appends none of its samples", async () => {
    const { l, app } = loop([{ body: page1 }], { sampleLimit: 2 });
    const r = await l.scrapeAndReport(1000);
    expect(r.error).toBe("sample limit exceeded");
    expect(app.value("up", 1000)).toBe(0);
    expect(app.value("a_total", 1000)).toBeUndefined();
    expect(app.value("scrape_samples_scraped", 1000)).toBe(3);
  });

  it("fails the scrape over label_limit", async () => {
    const { l } = loop([{ body: page1 }], { labelLimit: 3 });
    expect((await l.scrapeAndReport(1000)).error).toBe("label_limit exceeded (metric: b, number of labels: 4, limit: 3)");
  });

  it("fails over body_size_limit", async () => {
    const { l } = loop([{ body: page1 }], { bodySizeLimit: 10 });
    expect((await l.scrapeAndReport(1000)).error).toBe("body size limit exceeded");
  });

  it("applies metric_relabel_configs", async () => {
    const { l, app } = loop([{ body: page1 }], { metricRelabelConfigs: [makeRelabelConfig({ sourceLabels: ["__name__"], regex: "b", action: "drop" })] });
    await l.scrapeAndReport(1000);
    expect(app.value("b", 1000)).toBeUndefined();
    expect(app.value("scrape_samples_scraped", 1000)).toBe(3);
    expect(app.value("scrape_samples_post_metric_relabeling", 1000)).toBe(1);
  });

  it("honors timestamps and does not track such series for staleness", async () => {
    const { l, app } = loop([{ body: "m 1 500\nn 2\n" }, { body: "" }]);
    await l.scrapeAndReport(1000);
    expect(app.written.find((w) => w.labels.__name__ === "m")?.t).toBe(500);
    await l.scrapeAndReport(16000);
    expect(app.at(16000).filter((w) => isStaleNaN(w.v)).map((w) => w.labels.__name__)).toEqual(["n"]);
  });

  it("ignores timestamps with honor_timestamps: false", async () => {
    const { l, app } = loop([{ body: "m 1 500\n" }], { honorTimestamps: false });
    await l.scrapeAndReport(1000);
    expect(app.written.find((w) => w.labels.__name__ === "m")?.t).toBe(1000);
  });

  it("keeps the first of a series repeated in one page", async () => {
    const { l, app } = loop([{ body: "m 1\nm 2\n" }]);
    await l.scrapeAndReport(1000);
    expect(app.written.filter((w) => w.labels.__name__ === "m").map((w) => w.v)).toEqual([1]);
  });

  it("fails every scrape with a forced error (target_limit)", async () => {
    const { l, seen } = loop([{ body: page1 }]);
    l.forcedError = "target_limit exceeded (number of targets: 2, limit: 1)";
    expect((await l.scrapeAndReport(1000)).error).toBe(l.forcedError);
    expect(seen).toHaveLength(0);
  });
});

describe("ScrapeLoop.run", () => {
  /** A fake sleep that moves the fake clock and yields. */
  function fakeTime(start: number) {
    let clock = start;
    return {
      now: () => clock,
      sleep: async (ms: number, signal: AbortSignal) => {
        await new Promise((r) => setImmediate(r));
        if (!signal.aborted) clock += Math.max(0, ms);
      },
      jitter: (ms: number) => (clock += ms),
    };
  }

  it("scrapes on a grid after the target's offset, aligning timestamps within tolerance, and writes end-of-run staleness", async () => {
    const ft = fakeTime(1_700_000_000_123);
    const app = new FakeAppendable();
    const times: number[] = [];
    let n = 0;
    const l = new ScrapeLoop({
      target: target(),
      appendable: app,
      fetch: async () => {
        ft.jitter(1); // the scrape takes 1 ms of fake time
        return new Response(page1, { headers: { "content-type": "text/plain" } });
      },
      now: ft.now,
      sleep: ft.sleep,
      intervalMs: 15_000,
      timeoutMs: 10_000,
      honorLabels: false,
      honorTimestamps: true,
      onScrape: (r) => {
        times.push(r.timestamp);
        if (++n === 4) void l.stop();
      },
    });
    const offset = l.target.offset(15_000, 0n, ft.now());
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThanOrEqual(15_000);
    expect(l.target.offset(15_000, 0n, ft.now() + 15_000)).toBe(offset);
    const parent = new AbortController();
    l.start(parent.signal);
    await l.finished();
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBe(15_000);
    expect((times[0]! - 1_700_000_000_123 - offset)).toBe(0);
    // End of run: every series (report series too) is marked stale after two more ticks.
    const staleAt = app.written.filter((w) => isStaleNaN(w.v));
    expect(staleAt.length).toBe(3 + 5);
    expect(new Set(staleAt.map((w) => w.t)).size).toBe(1);
    expect(staleAt[0]!.t).toBeGreaterThan(times[3]!);
  });

  it("writes no staleness markers on shutdown", async () => {
    const ft = fakeTime(1_700_000_000_000);
    const app = new FakeAppendable();
    const parent = new AbortController();
    let n = 0;
    const l = new ScrapeLoop({
      target: target(),
      appendable: app,
      fetch: async () => new Response(page1, { headers: { "content-type": "text/plain" } }),
      now: ft.now,
      sleep: ft.sleep,
      intervalMs: 15_000,
      timeoutMs: 10_000,
      honorLabels: false,
      honorTimestamps: true,
      onScrape: () => {
        if (++n === 2) parent.abort();
      },
    });
    l.start(parent.signal);
    await l.finished();
    expect(n).toBe(2);
    expect(app.written.filter((w) => isStaleNaN(w.v))).toHaveLength(0);
  });
});
