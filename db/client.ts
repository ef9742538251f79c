import "server-only";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";
import { acquireDirLock, type DirLock } from "./dir-lock";

/** Queries a transaction or the client itself can run. */
export interface SqlExecutor {
  /** One statement with $1… parameters; rows as objects. int8 comes back as number, bytea as Buffer. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters. */
  exec(text: string): Promise<void>;
  /** `COPY table (columns) FROM` a PostgreSQL binary COPY stream (see db/copy.ts). */
  copyIn(table: string, columns: readonly string[], data: Uint8Array): Promise<void>;
  /**
   * The rows of a query (no parameters: literals only) as a PostgreSQL binary COPY stream
   * (read it with db/copy.ts's BinaryCopyReader). Only PGlite has it: its row path renders
   * every value as text and parses it in JS, which made reading 10,000 chunk rows take
   * 125-165 ms against ~30 ms this way. postgres.js's `COPY … TO STDOUT` stream left the
   * connection hung (a known upstream bug), and its row path is fast enough there.
   */
  copyOut?(query: string): Promise<Uint8Array>;
}

/**
 * The two database drivers behind one interface: the embedded PGlite (default,
 * persisted in DATA_DIR) and a real PostgreSQL through `postgres` (DATABASE_URL).
 * The hot paths of the series store use raw SQL through this interface; the rest
 * of the app can use `drizzle`.
 */
export interface SqlClient extends SqlExecutor {
  readonly kind: "pglite" | "postgres";
  readonly drizzle: PgDatabase<PgQueryResultHKT, typeof schema>;
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Makes this process the database's only writer for as long as the client is
   * open: a session advisory lock on PostgreSQL (PGlite's lock file already
   * guarantees it). Throws when another Vigil process holds it.
   */
  acquireOwnership(): Promise<void>;
  close(): Promise<void>;
}

/** The advisory lock key Vigil's owning process holds (an arbitrary constant: "vigil" in ASCII). */
export const OWNER_LOCK_KEY = 0x76696769;

export interface OpenOptions {
  /** postgres://… ; when absent, PGlite in dataDir. */
  databaseUrl?: string;
  /** Directory for PGlite's data and lock file. */
  dataDir?: string;
  /** Connections in the pool (postgres only). */
  maxConnections?: number;
}

const INT8_OID = 20;
const BYTEA_OID = 17;

function parseBytea(x: string): Buffer {
  // PGlite's default parser decodes hex one byte at a time; Buffer's is ~3x faster.
  return Buffer.from(x.slice(2), "hex");
}

export async function openDatabase(opts: OpenOptions): Promise<SqlClient> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.maxConnections ?? 4);
  return openPglite(opts.dataDir ?? "./data");
}

async function openPostgres(url: string, max: number): Promise<SqlClient> {
  const parsed = new URL(url);
  const usesTcp = !parsed.searchParams.get("host")?.startsWith("/");
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    // ms timestamps fit a double exactly; the store never needs int8 beyond 2^53.
    types: {
      int8: { to: INT8_OID, from: [INT8_OID], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
    },
    // postgres.js leaves Nagle on, which stalls every COPY ~40 ms on delayed ACKs.
    ...(usesTcp && !parsed.searchParams.get("sslmode")
      ? {
          socket: ({ host, port }: { host: string[]; port: number[] }) =>
            new Promise<net.Socket>((resolve, reject) => {
              const s = net.connect({ host: host[0], port: port[0], noDelay: true });
              s.once("connect", () => resolve(s));
              s.once("error", reject);
            }),
        }
      : {}),
  });
  const executor = (q: postgres.Sql | postgres.TransactionSql): SqlExecutor => ({
    async query<T>(text: string, params: unknown[] = []) {
      return (await q.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
    },
    async exec(text: string) {
      await q.unsafe(text);
    },
    async copyIn(table: string, columns: readonly string[], data: Uint8Array) {
      const stream = await q.unsafe(`COPY ${table} (${columns.join(", ")}) FROM STDIN (FORMAT binary)`).writable();
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.on("finish", resolve);
        stream.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      });
    },
  });
  const base = executor(sql);
  const db = drizzlePostgres({ client: sql, schema });
  let owner: postgres.ReservedSql | null = null;
  return {
    kind: "postgres",
    drizzle: db as unknown as SqlClient["drizzle"],
    ...base,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return (await sql.begin((tx) => fn(executor(tx)))) as T;
    },
    async acquireOwnership() {
      if (owner) return;
      const conn = await sql.reserve();
      const [row] = await conn.unsafe("SELECT pg_try_advisory_lock($1) AS ok", [OWNER_LOCK_KEY]);
      if (!row?.ok) {
        conn.release();
        throw new Error("another Vigil process owns this PostgreSQL database (advisory lock held); stop it first");
      }
      owner = conn;
    },
    async close() {
      owner?.release();
      owner = null;
      await sql.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string): Promise<SqlClient> {
  fs.mkdirSync(dataDir, { recursive: true });
  // PGlite takes no lock of its own: two processes on one directory corrupt it.
  const lock: DirLock = acquireDirLock(path.join(dataDir, "vigil.lock"));
  let pg: PGlite;
  try {
    pg = await PGlite.create(path.join(dataDir, "pg"), {
      parsers: { [INT8_OID]: (x: string) => Number(x), [BYTEA_OID]: parseBytea },
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  // PGlite runs one session; serialize transactions ourselves so that a query
  // issued outside a transaction never interleaves with one inside it.
  const executor = (q: Pick<PGlite, "query" | "exec">): SqlExecutor => ({
    async query<T>(text: string, params: unknown[] = []) {
      const res = await q.query<T>(text, params);
      return res.rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
    async copyIn(table: string, columns: readonly string[], data: Uint8Array) {
      await q.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' (FORMAT binary)`, [], {
        blob: new Blob([data as Uint8Array<ArrayBuffer>]),
      });
    },
    async copyOut(query: string) {
      const res = await q.query(`COPY (${query}) TO '/dev/blob' (FORMAT binary)`);
      if (!res.blob) throw new Error("PGlite returned no blob for COPY TO '/dev/blob'");
      return new Uint8Array(await res.blob.arrayBuffer());
    },
  });
  const base = executor(pg);
  const db = drizzlePglite({ client: pg, schema });
  return {
    kind: "pglite",
    drizzle: db as unknown as SqlClient["drizzle"],
    ...base,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return pg.transaction((tx) => fn(executor(tx)));
    },
    async acquireOwnership() {
      // The lock file taken before opening already makes this process the owner.
    },
    async close() {
      try {
        await pg.close();
      } finally {
        lock.release();
      }
    },
  };
}
