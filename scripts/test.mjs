// `npm test`: the whole suite. Unit tests, the production build, the storage
// and server integration tests (PGlite always; PostgreSQL when reachable),
// then the Playwright e2e suite in Chromium when a Chromium is installed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

const run = (title, cmd, args, env = {}) => {
  console.log(`\n==> ${title}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
};

const npx = process.platform === "win32" ? "npx.cmd" : "npx";
run("unit tests", npx, ["vitest", "run", "--project", "unit"]);
run("production build", npx, ["next", "build"]);
run("storage and server integration tests", npx, ["vitest", "run", "--project", "storage"]);

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (fs.existsSync(chromium)) {
  run("e2e tests in Chromium", npx, ["playwright", "test"]);
} else if (process.env.VIGIL_REQUIRE_E2E === "1") {
  console.error(`e2e: no Chromium at ${chromium}`);
  process.exit(1);
} else {
  console.warn(`\nSkipping the e2e suite: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH).`);
}
