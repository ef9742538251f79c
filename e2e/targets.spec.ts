import { expect, test } from "@playwright/test";
import { EXPORTER_PORT } from "./e2e-config";
import { startFakeExporter, type FakeExporter } from "./fake-exporter";
import { screenshotThemes } from "./shell/screenshots";

const ENDPOINT = `http://127.0.0.1:${EXPORTER_PORT}/metrics`;

let exporter: FakeExporter | null = null;
test.afterEach(async () => {
  await exporter?.stop();
  exporter = null;
});

test("a scraped target is listed as up, then goes down with its error when the exporter stops", async ({ page }) => {
  exporter = await startFakeExporter(EXPORTER_PORT);
  await page.goto("/targets");
  const pool = page.locator('[data-testid="pool-header"][data-pool="fake-exporter"]');
  await expect(pool).toBeVisible();
  const row = page.getByTestId("target-row").filter({ hasText: ENDPOINT });
  // Scraped every second and refreshed every 5 s.
  await expect(row).toHaveAttribute("data-health", "up", { timeout: 20_000 });
  await expect(pool.getByTestId("pool-count")).toHaveText("1 / 1 up");
  await expect(row.getByTestId("target-labels")).toContainText('region="eu-west-1"');
  await expect(row.getByTestId("target-labels")).toContainText('tier="frontend-web"');
  await expect(row.getByTestId("target-endpoint")).toHaveAttribute("href", ENDPOINT);
  await expect(row).toContainText("1s / 1s");
  await expect(row.getByTestId("target-error")).toHaveCount(0);
  await expect(row).toContainText(/ago|just now/);
  expect(exporter.scrapes()).toBeGreaterThan(0);
  // The self-scrape pool is listed too.
  await expect(page.locator('[data-testid="pool-header"][data-pool="vigil"]')).toBeVisible();

  await exporter.stop();
  exporter = null;
  await expect(row).toHaveAttribute("data-health", "down", { timeout: 20_000 });
  await expect(row.getByTestId("target-error")).toContainText(/refused|ECONNREFUSED|connect/i);
  await expect(pool.getByTestId("pool-count")).toHaveText("0 / 1 up");

  // Only the down targets, and the filter is in the URL.
  await page.getByTestId("health-filter-down").click();
  await expect(page).toHaveURL(/[?&]health=down\b/);
  await expect(page.getByTestId("target-row")).toHaveCount(1);
  await expect(page.locator('[data-testid="pool-header"][data-pool="vigil"]')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("health-filter-down")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("target-row")).toHaveCount(1);
  await page.getByTestId("health-filter-down").click();
  await expect(page).not.toHaveURL(/health=/);
  await screenshotThemes(page, "targets");
});

test("text filter over labels, kept in the URL, and discovered labels on demand", async ({ page }) => {
  await page.goto("/targets?search=eu-west");
  const rows = page.getByTestId("target-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(ENDPOINT);
  await expect(page.getByTestId("target-search")).toHaveValue("eu-west");

  await page.getByTestId("target-search").fill('job="vigil"');
  await expect(page).toHaveURL(/search=job%3D%22vigil%22/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('job="vigil"');

  await page.getByTestId("target-search").fill("no-such-target");
  await expect(page.getByTestId("targets-no-match")).toBeVisible();

  await page.getByTestId("target-search").fill("");
  await expect(page).not.toHaveURL(/search=/);
  const row = rows.filter({ hasText: ENDPOINT });
  await row.getByRole("button", { name: "discovered labels" }).click();
  await expect(row.getByTestId("target-discovered")).toContainText(`__address__="127.0.0.1:${EXPORTER_PORT}"`);
  await expect(row.getByTestId("target-discovered")).toContainText('team="observability"');

  // Collapsing a pool hides its rows, and stays so after a reload.
  const toggle = page.locator('[data-testid="pool-header"][data-pool="fake-exporter"] button');
  await toggle.click();
  await expect(rows.filter({ hasText: ENDPOINT })).toHaveCount(0);
  await page.reload();
  await expect(page.locator('[data-testid="pool-header"][data-pool="vigil"]')).toBeVisible();
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(rows.filter({ hasText: ENDPOINT })).toHaveCount(0);
  await toggle.click();
  await expect(rows.filter({ hasText: ENDPOINT })).toHaveCount(1);
  await page.reload();
  await expect(rows.filter({ hasText: ENDPOINT })).toHaveCount(1);
});

test("API errors and an unreachable server show as readable messages, and Retry recovers", async ({ page }) => {
  await page.route("**/api/v1/targets?*", (route) =>
    route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ status: "error", errorType: "unavailable", error: "storage is not ready" }) }),
  );
  await page.goto("/targets");
  const box = page.getByTestId("error-boundary");
  await expect(box).toContainText("Could not load targets");
  await expect(box.getByTestId("error-message")).toHaveText("storage is not ready");
  await screenshotThemes(page, "error");

  await page.unroute("**/api/v1/targets?*");
  await page.route("**/api/v1/targets?*", (route) => route.fulfill({ status: 502, contentType: "text/html", body: "<html>Bad Gateway</html>" }));
  await box.getByRole("button", { name: "Retry" }).click();
  await expect(box.getByTestId("error-message")).toContainText("Unexpected response from /api/v1/targets: HTTP 502");

  await page.unroute("**/api/v1/targets?*");
  await page.route("**/api/v1/targets?*", (route) => route.abort("connectionrefused"));
  await box.getByRole("button", { name: "Retry" }).click();
  await expect(box.getByTestId("error-message")).toContainText("Cannot reach the Vigil server");

  await page.unroute("**/api/v1/targets?*");
  await box.getByRole("button", { name: "Retry" }).click();
  await expect(page.getByTestId("error-boundary")).toHaveCount(0);
  await expect(page.locator('[data-testid="pool-header"][data-pool="vigil"]')).toBeVisible();

  // A refresh that fails keeps the last data on screen and says so.
  await page.route("**/api/v1/targets?*", (route) => route.abort("connectionrefused"));
  await expect(page.getByTestId("refresh-error")).toContainText("Could not refresh", { timeout: 15_000 });
  await expect(page.locator('[data-testid="pool-header"][data-pool="vigil"]')).toBeVisible();
});
