import type { Page } from "@playwright/test";

export const DESKTOP = { width: 1280, height: 800 };

/**
 * Where the suite writes its screenshots: test-results/screenshots, so a test
 * run leaves the tree clean; `SCREENSHOT_DIR=docs/screenshots npm run
 * test:e2e` refreshes the committed ones.
 */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? "test-results/screenshots";

/**
 * Screenshots of the current page in both themes, into
 * SCREENSHOT_DIR/<name>-light.png and -dark.png, at desktop width. The
 * theme follows the emulated system preference (no choice stored), which
 * also exercises the switch between them.
 */
export async function screenshotThemes(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.setViewportSize(DESKTOP);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForFunction((t) => document.documentElement.dataset.theme === t, colorScheme);
    // Let transitions and the relative times settle.
    await page.waitForTimeout(150);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}-${colorScheme}.png`, fullPage: opts.fullPage ?? true, animations: "disabled" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}
