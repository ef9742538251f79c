import { defineConfig } from "@playwright/test";
import { writeE2EConfig } from "./e2e/e2e-config";

const port = Number(process.env.E2E_PORT ?? 9391);
const dataDir = process.env.E2E_DATA_DIR ?? ".tmp/e2e-data";
// Vigil scrapes itself and a fake exporter the specs start (e2e/e2e-config.ts).
const configFile = writeE2EConfig(port);

/**
 * E2E tests run against the production build (`next build` first; served by scripts/server.mjs as `npm start` does)
 * in Debian's Chromium: Playwright cannot download its own browsers on these machines.
 */
export default defineConfig({
  testDir: "./e2e",
  outputDir: process.env.E2E_OUTPUT_DIR ?? "test-results",
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [["list"]],
  timeout: 60_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: `rm -rf ${dataDir} && node scripts/server.mjs`,
    url: `http://127.0.0.1:${port}/-/ready`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: { CONFIG_FILE: configFile, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "production" },
    stdout: "pipe",
    stderr: "pipe",
  },
});
