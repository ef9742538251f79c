import { expect, test } from "@playwright/test";
import { screenshotThemes } from "./shell/screenshots";

test("runtime and build information", async ({ page }) => {
  await page.goto("/status");
  const runtime = page.getByTestId("runtime-info");
  await expect(runtime).toContainText("Storage retention");
  await expect(runtime).toContainText("15d");
  await expect(runtime).toContainText(/up \d+/);
  await expect(runtime).toContainText("SUCCESSFUL");
  const build = page.getByTestId("build-info");
  await expect(build).toContainText("3.0.0");
  await expect(build).toContainText(/node\d+/);
  await screenshotThemes(page, "status");
});

test("TSDB status shows head statistics and cardinality tables", async ({ page }) => {
  // The self-scrape writes series within seconds of start-up; wait for some before looking.
  await expect
    .poll(async () => (await (await page.request.get("/api/v1/status/tsdb")).json()).data.headStats.numSeries, { timeout: 30_000 })
    .toBeGreaterThan(0);
  await page.goto("/tsdb-status");
  await expect(page.getByTestId("head-series")).not.toHaveText("0");
  const metrics = page.getByTestId("tsdb-metrics");
  await expect(metrics.locator("tbody tr").first()).toBeVisible();
  await expect(page.getByTestId("tsdb-label-names")).toContainText("__name__");
  await expect(page.getByTestId("tsdb-label-pairs")).toContainText(/job=/);
  await page.getByLabel("Entries per table").selectOption("20");
  await expect(page).toHaveURL(/limit=20/);
  await screenshotThemes(page, "tsdb-status");
});

test("configuration as YAML with a copy button", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/config");
  const yaml = page.getByTestId("config-yaml");
  await expect(yaml).toContainText("job_name: fake-exporter");
  await expect(yaml).toContainText("scrape_interval: 1s");
  await page.getByTestId("copy-button").click();
  await expect(page.getByTestId("copy-button")).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("job_name: fake-exporter");
  await screenshotThemes(page, "config");
});

test("command-line flags, filterable", async ({ page }) => {
  await page.goto("/flags");
  const table = page.getByTestId("flags-table");
  await expect(table).toContainText("--storage.tsdb.retention.time");
  await expect(table).toContainText("--query.timeout");
  await screenshotThemes(page, "flags");
  await page.getByTestId("flags-search").fill("query.");
  await expect(page).toHaveURL(/search=query\./);
  await expect(table.locator("tbody tr")).toHaveCount(4);
  await expect(table).not.toContainText("retention");
  await page.getByTestId("flags-search").fill("zzz");
  await expect(page.getByText("No flag matches")).toBeVisible();
});
