import { expect, test } from "@playwright/test";
import { DROPPED_TARGET, EXPORTER_PORT } from "./e2e-config";
import { screenshotThemes } from "./shell/screenshots";

const ADDRESS = `127.0.0.1:${EXPORTER_PORT}`;

test("discovered versus target labels per pool, with dropped targets", async ({ page }) => {
  await page.goto("/service-discovery");
  const pool = page.locator('[data-testid="sd-pool"][data-pool="fake-exporter"]');
  await expect(pool).toContainText("1 active · 1 dropped");
  const active = pool.locator('[data-testid="sd-row"][data-kind="active"]');
  await expect(active).toHaveCount(1);
  await expect(active.getByTestId("sd-discovered")).toContainText(`__address__="${ADDRESS}"`);
  await expect(active.getByTestId("sd-discovered")).toContainText('team="observability"');
  const target = active.getByTestId("sd-target-labels");
  await expect(target).toContainText(`instance="${ADDRESS}"`);
  await expect(target).toContainText('source_host="127.0.0.1"');
  await expect(target).toContainText('tier="frontend-web"');
  await expect(target).not.toContainText("team=");
  await expect(target).not.toContainText("__address__");
  const dropped = pool.locator('[data-testid="sd-row"][data-kind="dropped"]');
  await expect(dropped.getByTestId("sd-discovered")).toContainText(`__address__="${DROPPED_TARGET}"`);
  await expect(dropped).toContainText("DROPPED");

  await page.getByRole("button", { name: "Dropped", exact: true }).click();
  await expect(page).toHaveURL(/show=dropped/);
  await expect(page.locator('[data-testid="sd-row"][data-kind="active"]')).toHaveCount(0);
  await page.getByRole("button", { name: "All", exact: true }).click();
  await screenshotThemes(page, "service-discovery");

  // The label filter is kept in the URL.
  await page.getByTestId("sd-search").fill("drop-me");
  await expect(page).toHaveURL(/[?&]search=drop-me\b/);
  await expect(active).toHaveCount(0);
  await expect(dropped).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId("sd-search")).toHaveValue("drop-me");
  await expect(active).toHaveCount(0);
  await page.getByTestId("sd-search").fill("");
  await expect(page).not.toHaveURL(/search=/);
  await expect(active).toHaveCount(1);

  // A collapsed pool stays collapsed after a reload.
  await pool.locator(".sd-pool-toggle").click();
  await expect(pool.getByTestId("sd-row")).toHaveCount(0);
  await page.reload();
  await expect(pool.locator(".sd-pool-toggle")).toHaveAttribute("aria-expanded", "false");
  await expect(pool.getByTestId("sd-row")).toHaveCount(0);
  await pool.locator(".sd-pool-toggle").click();
  await expect(active).toHaveCount(1);
});

test("the relabeling of a target, rule by rule, as a diff", async ({ page }) => {
  await page.goto("/service-discovery?pool=fake-exporter");
  const pool = page.locator('[data-testid="sd-pool"][data-pool="fake-exporter"]');
  await pool.locator('[data-testid="sd-row"][data-kind="active"]').getByTestId("show-relabeling").click();
  const drawer = page.getByTestId("relabel-drawer");
  const steps = drawer.getByTestId("relabel-step");
  await expect(steps).toHaveCount(5);
  await expect(steps.nth(0)).toHaveAttribute("data-outcome", "kept");
  await expect(steps.nth(0).getByTestId("step-diff")).toHaveText("no change");
  await expect(steps.nth(1).locator('[data-change="added"]')).toHaveText('source_host="127.0.0.1"');
  await expect(steps.nth(2).locator('[data-change="added"]')).toHaveText('region="eu-west-1"');
  await expect(steps.nth(3).locator('[data-change="changed"]')).toContainText('tier="web"');
  await expect(steps.nth(3).locator('[data-change="changed"]')).toContainText('tier="frontend-web"');
  await expect(steps.nth(4)).toContainText("labeldrop");
  await expect(steps.nth(4).locator('[data-change="removed"]')).toHaveText('team="observability"');
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshotThemes(page, "relabeling", { fullPage: false });
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);

  await pool.locator('[data-testid="sd-row"][data-kind="dropped"]').getByTestId("show-relabeling").click();
  await expect(steps.nth(0)).toHaveAttribute("data-outcome", "dropped");
  await expect(steps.nth(0).getByTestId("dropped-here")).toContainText("Dropped here");
  await expect(drawer.locator('[data-outcome="skipped"]')).toHaveCount(4);
});

test("/api/v1/targets/relabel_steps answers in Prometheus 3's shape", async ({ request }) => {
  const labels = JSON.stringify({ __address__: ADDRESS, job: "fake-exporter", tier: "web" });
  const res = await request.get(`/api/v1/targets/relabel_steps?scrapePool=fake-exporter&labels=${encodeURIComponent(labels)}`);
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("success");
  expect(body.data.steps).toHaveLength(5);
  expect(body.data.steps[4]).toEqual({
    rule: { source_labels: [], separator: ";", regex: "team", modulus: 0, target_label: "", replacement: "$1", action: "labeldrop" },
    output: { __address__: ADDRESS, job: "fake-exporter", region: "eu-west-1", source_host: "127.0.0.1", tier: "frontend-web" },
    keep: true,
  });
  const bad = await request.get("/api/v1/targets/relabel_steps?scrapePool=nope&labels={}");
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toEqual({ status: "error", errorType: "bad_data", error: 'error retrieving scrape config: scrape pool "nope" not found' });
});
