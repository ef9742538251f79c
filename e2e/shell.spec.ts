import { expect, test } from "@playwright/test";
import { SCREENSHOT_DIR, screenshotThemes } from "./shell/screenshots";

test("the Status menu lists the status pages and navigates", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Query", exact: true })).toHaveAttribute("href", "/query");
  await page.getByTestId("nav-menu-status").click();
  const menu = page.getByRole("menu");
  for (const name of ["Targets", "Service discovery", "TSDB status", "Configuration", "Runtime & build", "Command-line flags"]) {
    await expect(menu.getByRole("menuitem", { name: new RegExp(`^${name}`) })).toBeVisible();
  }
  await menu.getByRole("menuitem", { name: /^TSDB status/ }).click();
  await expect(page).toHaveURL(/\/tsdb-status$/);
  await expect(page).toHaveTitle("TSDB status · Vigil");
  await expect(page.getByTestId("nav-menu-status")).toHaveClass(/active/);
  await expect(menu).toHaveCount(0);
});

test("home page overview in both themes", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("status-text")).toHaveText("Vigil is up");
  await screenshotThemes(page, "home");
});

test("the theme follows the system until toggled, and the choice persists", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/status");
  // Set by the inline script before hydration: already there at DOMContentLoaded.
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const darkBg = await bg();
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await bg()).not.toBe(darkBg);
  expect(await page.evaluate(() => localStorage.getItem("vigil.theme"))).toBe("light");
  await page.reload();
  // The stored choice beats the system preference.
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await bg()).toBe(darkBg);
});

test("the inline theme script is in the served HTML, so there is no flash of the wrong theme", async ({ request }) => {
  const html = await (await request.get("/targets")).text();
  const head = html.slice(0, html.indexOf("</head>"));
  expect(head).toContain("document.documentElement.dataset.theme");
});

test("a banner warns when the browser clock drifts from the server's", async ({ page }) => {
  await page.goto("/status");
  await expect(page.getByTestId("runtime-info")).toBeVisible();
  await expect(page.getByTestId("clock-drift-banner")).toHaveCount(0);

  await page.clock.install({ time: Date.now() + 5 * 60_000 });
  await page.goto("/status");
  await expect(page.getByTestId("clock-drift-banner")).toContainText(/clock is 5 min( \d+ s)? ahead of the server/);
});

test("on a narrow screen the navigation folds into a menu button", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/");
  const burger = page.getByTestId("nav-burger");
  await expect(burger).toBeVisible();
  await expect(page.getByRole("link", { name: "Query", exact: true })).toBeHidden();
  await burger.click();
  await page.getByTestId("nav-menu-status").click();
  await page.getByRole("menuitem", { name: /^Targets/ }).click();
  await expect(page).toHaveURL(/\/targets$/);
  await expect(page.getByRole("link", { name: "Query", exact: true })).toBeHidden();
  await expect(page.getByTestId("target-row").first()).toBeVisible();
  await page.screenshot({ path: `${SCREENSHOT_DIR}/targets-mobile-light.png` });
});
