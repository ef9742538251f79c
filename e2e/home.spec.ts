import { expect, test } from "@playwright/test";

test("the home page says the server is up", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("status-text")).toHaveText("Vigil is up");
  await expect(page.getByTestId("storage-kind")).toHaveText("PGlite");
  await expect(page).toHaveTitle("Vigil");
  await page.screenshot({ path: "test-results/home.png" });
});

test("health and readiness endpoints answer as Prometheus's do", async ({ request }) => {
  const healthy = await request.get("/-/healthy");
  expect(healthy.status()).toBe(200);
  const ready = await request.get("/-/ready");
  expect(ready.status()).toBe(200);
  expect(await ready.text()).toContain("Ready");
  const metrics = await request.get("/metrics");
  expect(metrics.status()).toBe(200);
  expect(await metrics.text()).toContain("vigil_tsdb_head_samples_appended_total");
});
