/**
 * The query page's graph in headless Chromium: time from a /api/v1/query_range
 * response to the chart drawn, for 100 series × 1,000 points and 1,000 series ×
 * 250 points. The production server serves the page; the range query is
 * answered by Playwright (`page.route`) with a synthetic matrix of that shape,
 * so the figure is the browser's work only: reading the body, JSON parsing,
 * turning series into chart data, building the ECharts option and drawing it
 * (until ECharts' `finished` event, reported through window.__vigilChartDrawn).
 *
 * "first draw" loads a fresh page each run; "redraw" presses Execute again on
 * an open page (warm JIT, chart instance reused), which is what a user does.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Page } from "playwright-core";
import { ensureProductionBuild, startServer } from "@/server/testing/next-server";
import { fmt, machineDescription, median, table } from "./lib";

const STEP_S = 15;
// Fixed end so the panel's window and the synthetic timestamps agree.
const END_S = Date.UTC(2024, 0, 1) / 1000;
const FIRST_RUNS = 3;
const REDRAW_RUNS = 7;

interface Shape {
  series: number;
  points: number;
}

const SHAPES: Shape[] = [
  { series: 100, points: 1000 },
  { series: 1000, points: 250 },
];

/** A query_range response body: `series` series of `points` samples at a 15 s step ending at END_S. */
function syntheticMatrix({ series, points }: Shape): string {
  const parts: string[] = [];
  for (let s = 0; s < series; s++) {
    const values: string[] = [];
    for (let p = 0; p < points; p++) {
      const t = END_S - (points - 1 - p) * STEP_S;
      // Smooth, distinct curves (like real rates), formatted as Prometheus writes values.
      const v = 100 + 50 * Math.sin((p + s * 7) / 40) + s;
      values.push(`[${t},"${v}"]`);
    }
    parts.push(`{"metric":{"__name__":"bench_metric","instance":"host-${s}:9100","job":"bench"},"values":[${values.join(",")}]}`);
  }
  return `{"status":"success","data":{"resultType":"matrix","result":[${parts.join(",")}]}}`;
}

function pageUrl(base: string, { points }: Shape): string {
  const qs = new URLSearchParams({
    "g0.expr": "bench_metric",
    "g0.tab": "graph",
    "g0.range_input": `${(points - 1) * STEP_S}s`,
    "g0.end_input": new Date(END_S * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, ""),
    "g0.res_type": "fixed",
    "g0.res_step": String(STEP_S),
  });
  return `${base}/query?${qs}`;
}

// Runs in the page before any app code: records when a query_range body has
// fully arrived, and when the chart reports a finished draw.
const INIT_SCRIPT = `
  window.__bench = { responses: [], draws: [] };
  window.__vigilChartDrawn = (t) => window.__bench.draws.push(t);
  const orig = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const res = await orig(input, init);
    const url = typeof input === "string" ? input : input.url;
    if (!url.includes("/api/v1/query_range")) return res;
    const body = await res.text();
    window.__bench.responses.push(performance.now());
    return new Response(body, { status: res.status, headers: res.headers });
  };
`;

/** Waits for the next draw after the latest response; returns response → drawn, ms. */
async function nextDrawMs(page: Page, responsesBefore: number): Promise<number> {
  await page.waitForFunction((n) => {
    const b = (window as unknown as { __bench: { responses: number[]; draws: number[] } }).__bench;
    return b.responses.length > n && b.draws.some((d) => d >= b.responses[b.responses.length - 1]!);
  }, responsesBefore, { timeout: 120_000, polling: 50 });
  return page.evaluate(() => {
    const b = (window as unknown as { __bench: { responses: number[]; draws: number[] } }).__bench;
    const r = b.responses[b.responses.length - 1]!;
    return b.draws.find((d) => d >= r)! - r;
  });
}

async function responseCount(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __bench: { responses: number[] } }).__bench.responses.length);
}

export async function benchUiGraph(): Promise<void> {
  console.log(`\n## Query page graph: API response → chart drawn (headless Chromium, ECharts canvas)`);
  console.log(`machine: ${machineDescription()}`);
  ensureProductionBuild();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-ui-"));
  // No background loops: the server only serves the page while the browser works.
  const server = await startServer({ DATA_DIR: dataDir, WORKERS: "off" });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const rows: [string, string][] = [];
    for (const shape of SHAPES) {
      const body = syntheticMatrix(shape);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript(INIT_SCRIPT);
      await context.route("**/api/v1/query_range", (route) => route.fulfill({ status: 200, contentType: "application/json", body }));
      const page = await context.newPage();
      const first: number[] = [];
      for (let i = 0; i < FIRST_RUNS; i++) {
        await page.goto(pageUrl(server.url, shape));
        first.push(await nextDrawMs(page, 0));
      }
      const redraw: number[] = [];
      // One unmeasured redraw first (JIT warm-up of the redraw path).
      for (let i = 0; i <= REDRAW_RUNS; i++) {
        const n = await responseCount(page);
        await page.getByTestId("execute-button").click();
        const ms = await nextDrawMs(page, n);
        if (i > 0) redraw.push(ms);
      }
      const drawnSeries = await page.getByTestId("chart-box").getAttribute("data-series");
      if (Number(drawnSeries) !== shape.series) throw new Error(`chart shows ${drawnSeries} series, expected ${shape.series}`);
      await context.close();
      const label = `${fmt(shape.series)} series × ${fmt(shape.points)} points`;
      rows.push([
        label,
        `first draw median ${fmt(median(first))} ms (runs: ${first.map((x) => fmt(x)).join(", ")}); ` +
          `redraw median ${fmt(median(redraw))} ms (min ${fmt(Math.min(...redraw))}, max ${fmt(Math.max(...redraw))}); body ${fmt(body.length / 2 ** 20, 1)} MiB`,
      ]);
    }
    table(rows);
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchUiGraph().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
