import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { QueryPageObject, waitForData } from "./query/query-page";
import { SCREENSHOT_DIR } from "./shell/screenshots";

// The query explorer against the production build, on the data of Vigil's own
// scrape of itself (job "vigil").

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  await waitForData(request, "vigil_tsdb_head_samples_appended_total");
});

test("typing with autocomplete, running the query and seeing rows", async ({ page }) => {
  const q = new QueryPageObject(page);
  await page.goto("/query");
  await q.editor().click();
  await q.editor().pressSequentially("vigil_tsdb_hea");
  const option = page.locator(".cm-tooltip-autocomplete li").filter({ has: page.locator(".cm-completionLabel", { hasText: /^vigil_tsdb_head_samples_appended_total$/ }) });
  await expect(option).toBeVisible();
  await option.click();
  await expect(q.editor()).toHaveText("vigil_tsdb_head_samples_appended_total");
  // Enter runs the query when no completion is open.
  await q.editor().press("Enter");
  const rows = q.panel().getByTestId("result-row");
  await expect(rows.first()).toBeVisible();
  await expect(rows.first()).toContainText('vigil_tsdb_head_samples_appended_total{instance="');
  await expect(rows.first()).toContainText('job="vigil"');
  await expect(q.panel().getByTestId("result-count")).toHaveText("1 series");
  await expect(q.panel().getByTestId("query-stats")).toContainText("Samples queried");
  expect(q.params().get("g0.expr")).toBe("vigil_tsdb_head_samples_appended_total");
  expect(q.params().get("g0.tab")).toBe("table");

  // The executed query is now offered from the history.
  await q.typeExpression("appended_total");
  const fromHistory = page.locator(".cm-tooltip-autocomplete li", { hasText: "vigil_tsdb_head_samples_appended_total" });
  await expect(page.locator(".cm-tooltip-autocomplete completion-section", { hasText: "Query history" })).toBeVisible();
  await expect(fromHistory.first()).toBeVisible();
});

test("graph tab draws a chart, drag-to-zoom narrows the range in the URL, and the URL restores the view", async ({ page, context }) => {
  const q = new QueryPageObject(page);
  // A one-minute window: the server has scraped itself for about that long, so the zoomed part has data.
  await page.goto("/query?g0.expr=up&g0.tab=table&g0.range_input=1m");
  await expect(q.panel().getByTestId("result-row").first()).toBeVisible();
  await q.panel().getByTestId("tab-graph").click();
  const box = q.panel().getByTestId("chart-box");
  await expect(box).toHaveAttribute("data-series", /^[1-9]\d*$/);
  await expect(box.locator("canvas")).toHaveCount(1);
  await expect(box.getByTestId("time-series-chart")).toHaveAttribute("data-drawn", /^[1-9]/);
  await expect(q.panel().getByTestId("legend-item").first()).toContainText('up{instance="');
  // The canvas really has line pixels in a series color, not only axes.
  expect(await canvasHasSeriesColor(page)).toBe(true);
  expect(q.params().get("g0.tab")).toBe("graph");

  // Drag across the recent part of the plot.
  const rect = (await box.locator("canvas").boundingBox())!;
  const y = rect.y + rect.height / 2;
  await page.mouse.move(rect.x + rect.width * 0.55, y);
  await page.mouse.down();
  await page.mouse.move(rect.x + rect.width * 0.75, y, { steps: 5 });
  await page.mouse.move(rect.x + rect.width * 0.92, y, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => q.params().get("g0.range_input")).not.toBe("1m");
  const range = q.params().get("g0.range_input")!;
  const end = q.params().get("g0.end_input")!;
  expect(range).toMatch(/^\d+s$/);
  expect(end).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  await expect(q.panel().getByTestId("range-input")).toHaveValue(range);

  // The same URL in a new page shows the same view.
  const copy = await context.newPage();
  await copy.goto(page.url());
  const q2 = new QueryPageObject(copy);
  await expect(q2.panel().getByTestId("tab-graph")).toHaveAttribute("aria-selected", "true");
  await expect(q2.panel().getByTestId("range-input")).toHaveValue(range);
  await expect(q2.editor()).toHaveText("up");
  await expect(q2.panel().getByTestId("chart-box")).toHaveAttribute("data-series", /^[1-9]/);
  expect(new URL(copy.url()).searchParams.get("g0.end_input")).toBe(end);
  await copy.close();
});

test("legend click isolates a series and ctrl-click toggles it back", async ({ page }) => {
  const q = new QueryPageObject(page);
  await page.goto(`/query?g0.expr=${encodeURIComponent("sum by (le) (vigil_http_request_duration_seconds_bucket)")}&g0.tab=graph&g0.range_input=5m`);
  const box = q.panel().getByTestId("chart-box");
  await expect(box).toHaveAttribute("data-series", /^[1-9]/);
  const total = Number(await box.getAttribute("data-series"));
  test.skip(total < 2, "needs at least two series");
  const items = q.panel().getByTestId("legend-item");
  await items.nth(0).click();
  await expect(box).toHaveAttribute("data-series", "1");
  await items.nth(1).click({ modifiers: ["ControlOrMeta"] });
  await expect(box).toHaveAttribute("data-series", "2");
  await items.nth(1).click({ modifiers: ["ControlOrMeta"] });
  await items.nth(0).click();
  await expect(box).toHaveAttribute("data-series", String(total));
});

test("a bad query shows the parse error with its position", async ({ page }) => {
  const q = new QueryPageObject(page);
  await page.goto("/query");
  // (Closing brackets are auto-inserted by the editor, so the error is an operator without operand.)
  await q.typeExpression("rate(up[5m]) + * 2");
  await q.execute();
  const err = q.panel().getByTestId("query-error");
  await expect(err).toBeVisible();
  await expect(err).toContainText("Invalid query");
  await expect(err).toContainText("parse error");
  await expect(err.getByTestId("error-caret")).toBeVisible();
});

test("Explain shows the tree and evaluates a sub-expression", async ({ page }) => {
  const q = new QueryPageObject(page);
  const expr = 'sum by (handler) (rate(vigil_http_request_duration_seconds_count{job="vigil"}[5m])) / 2';
  await page.goto(`/query?g0.expr=${encodeURIComponent(expr)}&g0.tab=explain`);
  const view = q.panel().getByTestId("explain-view");
  await expect(view).toBeVisible();
  const nodes = view.getByTestId("tree-node");
  await expect(nodes).toHaveCount(5);
  await expect(view.locator('[data-node-type="binaryExpr"]').first()).toContainText("binary operator: /");
  await expect(view.locator('[data-node-type="matrixSelector"]')).toContainText('vigil_http_request_duration_seconds_count{job="vigil"}[5m]');
  const agg = view.locator('[data-node-type="aggregation"]').first();
  await agg.getByTestId("tree-evaluate").first().click();
  await expect(agg.getByTestId("tree-result-count").first()).toHaveText(/^\d+ series \(vector\)$/);
});

test("the metrics explorer lists metrics with help, drills into labels and inserts a name", async ({ page }) => {
  const q = new QueryPageObject(page);
  await page.goto("/query");
  await expect(q.editor()).toBeVisible();
  await q.panel().getByTestId("open-metrics-explorer").click();
  const dialog = page.getByTestId("metrics-explorer");
  await expect(dialog).toBeVisible();
  await dialog.getByTestId("explorer-search").fill("head samples");
  const item = dialog.getByTestId("explorer-metric").filter({ hasText: "vigil_tsdb_head_samples_appended_total" }).first();
  await expect(item).toBeVisible();
  await expect(item).toContainText("counter");
  await item.getByTestId("explorer-drill").click();
  await expect(dialog.getByTestId("explorer-label-row").first()).toBeVisible();
  await expect(dialog.getByTestId("explorer-labels")).toContainText("instance");
  await dialog.getByTestId("explorer-back").click();
  await dialog.getByTestId("explorer-metric").filter({ hasText: "vigil_tsdb_head_samples_appended_total" }).first().getByRole("button", { name: "vigil_tsdb_head_samples_appended_total" }).click();
  await expect(dialog).toBeHidden();
  await expect(q.editor()).toHaveText("vigil_tsdb_head_samples_appended_total");
});

test("panels can be added, duplicated and removed, and the URL follows", async ({ page }) => {
  const q = new QueryPageObject(page);
  await page.goto("/query?g0.expr=up&g0.tab=table");
  await expect(q.panel().getByTestId("result-row").first()).toBeVisible();
  await q.panel().getByTestId("duplicate-panel").click();
  await expect(page.getByTestId("query-panel")).toHaveCount(2);
  await expect.poll(() => q.params().get("g1.expr")).toBe("up");
  await page.getByTestId("add-panel").click();
  await expect(page.getByTestId("query-panel")).toHaveCount(3);
  await expect.poll(() => q.params().has("g2.expr")).toBe(true);
  await q.panel(0).getByTestId("remove-panel").click();
  await expect(page.getByTestId("query-panel")).toHaveCount(2);
  await expect.poll(() => q.params().has("g2.expr")).toBe(false);
});

// Screenshots (SCREENSHOT_DIR, see e2e/shell/screenshots.ts), in both themes, at 1280 px wide.
for (const scheme of ["light", "dark"] as const) {
  test(`screenshots (${scheme})`, async ({ page, request }) => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.addInitScript((t) => window.localStorage.setItem("vigil.theme", t), scheme);
    const q = new QueryPageObject(page);
    const shot = (view: string) => page.screenshot({ path: `${SCREENSHOT_DIR}/query-${view}-${scheme}.png` });

    await page.goto(`/query?g0.expr=${encodeURIComponent("vigil_http_request_duration_seconds_count")}&g0.tab=table`);
    await expect(q.panel().getByTestId("result-row").first()).toBeVisible();
    await q.editor().click();
    await shot("table");

    // rate() needs two scrapes inside its window.
    await waitForData(request, "rate(vigil_process_cpu_seconds_total[1m])");
    await page.goto(`/query?g0.expr=${encodeURIComponent("rate(vigil_process_cpu_seconds_total[1m])")}&g0.overlay=${encodeURIComponent("rate(vigil_process_cpu_user_seconds_total[1m])")}&g0.tab=graph&g0.range_input=1m`);
    await expect(q.panel().getByTestId("time-series-chart")).toHaveAttribute("data-drawn", /^[1-9]/);
    await shot("graph");

    await page.goto(`/query?g0.expr=${encodeURIComponent('sum by (handler) (rate(vigil_http_request_duration_seconds_count{job="vigil"}[5m])) / on (job) group_left () count by (job) (up)')}&g0.tab=explain`);
    const view = q.panel().getByTestId("explain-view");
    await expect(view).toBeVisible();
    await view.locator('[data-node-type="aggregation"]').first().getByTestId("tree-evaluate").first().click();
    await expect(view.getByTestId("tree-result-count").first()).toBeVisible();
    await shot("explain");

    await page.goto("/query");
    await expect(q.editor()).toBeVisible();
    await q.panel().getByTestId("open-metrics-explorer").click();
    await page.getByTestId("metrics-explorer").getByTestId("explorer-search").fill("vigil_tsdb");
    await expect(page.getByTestId("explorer-metric").first()).toBeVisible();
    await shot("metrics-explorer");
    await page.getByTestId("explorer-drill").first().click();
    await expect(page.getByTestId("explorer-label-row").first()).toBeVisible();
    await shot("metrics-labels");
  });
}

/** True when the chart's canvas has pixels of the first series color (#3b82f6). */
async function canvasHasSeriesColor(page: Page): Promise<boolean> {
  return page.getByTestId("chart-box").locator("canvas").evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext("2d");
    if (!ctx) return false;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - 0x3b) < 24 && Math.abs(data[i + 1]! - 0x82) < 24 && Math.abs(data[i + 2]! - 0xf6) < 24 && data[i + 3]! > 200) return true;
    }
    return false;
  });
}
