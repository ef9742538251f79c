import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, type SqlClient } from "@/db/client";
import { runMigrations } from "@/db/migrate";

/**
 * The two databases every storage test runs against: PGlite in a temporary
 * directory, and a fresh database on a real PostgreSQL server
 * (TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
 * When that server cannot be reached the PostgreSQL half is skipped, unless
 * VIGIL_REQUIRE_POSTGRES=1 (CI) makes it a failure.
 */
export interface TestBackend {
  name: "pglite" | "postgres";
  /** A fresh, migrated, empty database. */
  create(): Promise<TestDatabase>;
}

export interface TestDatabase {
  /** Options that open this same database again (e.g. after a simulated restart or in a child process). */
  openOptions: { databaseUrl?: string; dataDir?: string };
  env: Record<string, string>;
  open(): Promise<SqlClient>;
  destroy(): Promise<void>;
}

export const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let postgresReachable: Promise<boolean> | undefined;
export function isPostgresReachable(): Promise<boolean> {
  postgresReachable ??= (async () => {
    const sql = postgres(adminUrl, { max: 1, connect_timeout: 3, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch (err) {
      if (process.env.VIGIL_REQUIRE_POSTGRES === "1") throw new Error(`PostgreSQL at ${adminUrl} is required: ${String(err)}`);
      console.warn(`PostgreSQL at ${adminUrl} unreachable; skipping its half of the storage tests`);
      return false;
    } finally {
      await sql.end({ timeout: 1 });
    }
  })();
  return postgresReachable;
}

let counter = 0;

/** One migrated PGlite data directory per test process, copied for each test (initdb in WASM takes seconds). */
let pgliteTemplate: Promise<string> | undefined;
function migratedPgliteTemplate(): Promise<string> {
  pgliteTemplate ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-template-"));
    const c = await openDatabase({ dataDir: dir });
    await runMigrations(c);
    await c.close();
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  return pgliteTemplate;
}

const pgliteBackend: TestBackend = {
  name: "pglite",
  async create() {
    const template = await migratedPgliteTemplate();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vigil-test-"));
    fs.cpSync(template, dir, { recursive: true });
    return {
      openOptions: { dataDir: dir },
      env: { DATA_DIR: dir },
      open: () => openDatabase({ dataDir: dir }),
      async destroy() {
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const postgresBackend: TestBackend = {
  name: "postgres",
  async create() {
    const name = `vigil_t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    const db: TestDatabase = {
      openOptions: { databaseUrl },
      env: { DATABASE_URL: databaseUrl },
      open: () => openDatabase({ databaseUrl }),
      async destroy() {
        const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
        await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
    const c = await db.open();
    await runMigrations(c);
    await c.close();
    return db;
  },
};

/** Backends for describe.each; PostgreSQL's presence is decided before tests are collected. */
export async function testBackends(): Promise<TestBackend[]> {
  return (await isPostgresReachable()) ? [pgliteBackend, postgresBackend] : [pgliteBackend];
}
