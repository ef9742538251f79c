/**
 * The Targets page with 10,000 targets in headless Chromium: time from
 * navigation start to the first target row on screen (split into the
 * /api/v1/targets response and the rendering after it), DOM size (the list
 * is virtualized), and frames while scrolling through the list.
 *
 * The server is the production build with 10,000 static targets on closed
 * local ports, scraped once an hour so the scrapes do not load the machine.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { ensureProductionBuild, startServer, type RunningServer } from "../server/testing/next-server";
import { fmt, machineDescription, median, processTreeCpuSeconds, table } from "./lib";

const TARGETS = 10_000;
const POOLS = 20;
const RUNS = 5;
const SCROLL_MS = 3000;

function configYAML(): string {
  const perPool = TARGETS / POOLS;
  let y = "global:\n  scrape_interval: 1h\n  scrape_timeout: 10s\nscrape_configs:\n";
  for (let p = 0; p < POOLS; p++) {
    y += `  - job_name: pool-${String(p).padStart(2, "0")}\n    static_configs:\n`;
    for (let i = 0; i < perPool; i++) {
      const n = p * perPool + i;
      // Ports 20000-29999 on 127.0.0.1: nothing listens, so a scrape fails at once.
      y += `      - targets: ["127.0.0.1:${20000 + n}"]\n        labels: {env: "${n % 3 === 0 ? "prod" : "staging"}", rack: "r${n % 40}", service: "svc-${n % 250}"}\n`;
    }
  }
  return y;
}

interface Run {
  firstRowMs: number;
  responseEndMs: number;
  rows: number;
  domNodes: number;
}

async function firstRender(browser: Browser, url: string): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // Records, relative to navigation start (performance.now()), when the first target row is in the DOM.
  // Scripts run in the page are strings: tsx would wrap named functions in a `__name` helper the page lacks.
  await page.addInitScript(`(() => {
    const mo = new MutationObserver(() => {
      if (window.__firstRow === undefined && document.querySelector('[data-testid="target-row"]')) {
        window.__firstRow = performance.now();
        mo.disconnect();
      }
    });
    mo.observe(document, { childList: true, subtree: true });
  })()`);
  await page.goto(`${url}/targets`);
  await page.waitForSelector('[data-testid="target-row"]', { timeout: 120_000 });
  // The row is painted at the next frame after insertion.
  const r = (await page.evaluate(`new Promise((resolve) =>
    requestAnimationFrame(() => {
      const api = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/v1/targets"));
      resolve({
        firstRowMs: window.__firstRow ?? NaN,
        responseEndMs: api ? api.responseEnd : NaN,
        rows: document.querySelectorAll('[data-testid="target-row"]').length,
        domNodes: document.getElementsByTagName("*").length,
      });
    }))`)) as Run;
  await context.close();
  return r;
}

async function scrollFrames(browser: Browser, url: string): Promise<{ frames: number; medianMs: number; p95Ms: number; over50: number; scrolledPx: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${url}/targets`);
  await page.waitForSelector('[data-testid="target-row"]', { timeout: 120_000 });
  await page.waitForTimeout(500);
  const r = (await page.evaluate(`new Promise((resolve) => {
    const deltas = [];
    const start = performance.now();
    let last = start;
    const step = (t) => {
      deltas.push(t - last);
      last = t;
      // About 2,400 px/s: a fast wheel or a dragged scrollbar.
      window.scrollBy(0, 40);
      if (t - start < ${SCROLL_MS}) requestAnimationFrame(step);
      else resolve({ deltas: deltas.slice(1), scrolledPx: window.scrollY });
    };
    requestAnimationFrame(step);
  })`)) as { deltas: number[]; scrolledPx: number };
  await context.close();
  const sorted = [...r.deltas].sort((a, b) => a - b);
  return {
    frames: r.deltas.length,
    medianMs: median(r.deltas),
    p95Ms: sorted[Math.floor(sorted.length * 0.95)] ?? NaN,
    over50: r.deltas.filter((d) => d > 50).length,
    scrolledPx: r.scrolledPx,
  };
}

export async function benchUiTargets(): Promise<void> {
  console.log(`\n## Targets page: ${fmt(TARGETS)} targets in ${POOLS} pools, headless Chromium`);
  console.log(`machine: ${machineDescription()}`);
  ensureProductionBuild();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-bench-ui-targets-"));
  const configFile = path.join(dir, "prometheus.yml");
  fs.writeFileSync(configFile, configYAML());
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  try {
    server = await startServer({ CONFIG_FILE: configFile, DATA_DIR: path.join(dir, "data") }, 120_000);
    // Discovery hands targets to the pools asynchronously: wait for all of them.
    const deadline = Date.now() + 60_000;
    let apiBytes = 0;
    for (;;) {
      const res = await fetch(`${server.url}/api/v1/targets?state=active`);
      const text = await res.text();
      const n = (JSON.parse(text) as { data: { activeTargets: unknown[] } }).data.activeTargets.length;
      if (n === TARGETS) {
        apiBytes = text.length;
        break;
      }
      if (Date.now() > deadline) throw new Error(`only ${n} of ${TARGETS} targets after 60 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    // One warm-up load (server-side compilation caches, Chromium's code cache), then measured runs.
    await firstRender(browser, server.url);
    const cpu0 = processTreeCpuSeconds(server.proc.pid!);
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await firstRender(browser, server.url));
    const serverCpuPerLoad = ((processTreeCpuSeconds(server.proc.pid!) - cpu0) * 1000) / RUNS;
    const scroll = await scrollFrames(browser, server.url);
    const first = runs.map((r) => r.firstRowMs);
    const resp = runs.map((r) => r.responseEndMs);
    const after = runs.map((r) => r.firstRowMs - r.responseEndMs);
    table([
      ["/api/v1/targets body", `${fmt(apiBytes / 2 ** 20, 1)} MiB for ${fmt(TARGETS)} targets; server CPU per page load ${fmt(serverCpuPerLoad)} ms`],
      ["navigation → first target row", `median ${fmt(median(first))} ms (min ${fmt(Math.min(...first))}, max ${fmt(Math.max(...first))}; ${RUNS} runs)`],
      ["  of which API response end", `median ${fmt(median(resp))} ms after navigation start`],
      ["  response end → first row", `median ${fmt(median(after))} ms (parse, group, filter, first virtual rows)`],
      ["rows in the DOM", `${fmt(median(runs.map((r) => r.rows)))} target rows, ${fmt(median(runs.map((r) => r.domNodes)))} elements (virtualized)`],
      [
        `scrolling ${SCROLL_MS / 1000} s at ~2,400 px/s`,
        `${fmt(scroll.frames)} frames, median frame ${fmt(scroll.medianMs, 1)} ms, p95 ${fmt(scroll.p95Ms, 1)} ms, ${scroll.over50} frames over 50 ms; scrolled ${fmt(scroll.scrolledPx)} px`,
      ],
    ]);
  } finally {
    await browser?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly: node --conditions=react-server --import tsx bench/ui-targets.ts
if (import.meta.url === `file://${process.argv[1]}`) await benchUiTargets();
