import "server-only";
import path from "node:path";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { SqlClient } from "./client";

/** Where drizzle-kit writes migrations; overridable for unusual deployments. */
export function migrationsFolder(): string {
  return process.env.MIGRATIONS_DIR ?? path.join(process.cwd(), "migrations");
}

/** Applies the committed drizzle-kit migrations. Never called during `next build`. */
export async function runMigrations(client: SqlClient, folder = migrationsFolder()): Promise<void> {
  if (client.kind === "pglite") {
    await migratePglite(client.drizzle as unknown as PgliteDatabase, { migrationsFolder: folder });
  } else {
    await migratePostgres(client.drizzle as unknown as PostgresJsDatabase, { migrationsFolder: folder });
  }
}
