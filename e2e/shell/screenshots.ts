import type { Page } from "@playwright/test";

export const DESKTOP = { width: 1280, height: 800 };

/**
 * Screenshots of the current page in both themes, into
 * docs/screenshots/<name>-light.png and -dark.png, at desktop width. The
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
    await page.screenshot({ path: `docs/screenshots/${name}-${colorScheme}.png`, fullPage: opts.fullPage ?? true, animations: "disabled" });
  }
  await page.emulateMedia({ colorScheme: "light" });
}
