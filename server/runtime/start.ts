import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Gauge } from "prom-client";
import { openDatabase, type SqlClient } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { readEnv, type VigilEnv } from "../env";
import { singletonMetric } from "../metrics/registry";
import { SeriesKeyCache } from "../remote/decode";
import { handleRemoteWriteNode } from "../remote/write-handler";
import { observeRequest } from "../http/instrument";
import { SeriesStore } from "../storage/store";
import { Engine } from "../promql";
import { ScrapeManager } from "../scrape";
import { readConfig, type LoadedConfig } from "./config";

/** The running server's instances, shared by route handlers through globalThis. */
export interface Runtime {
  env: VigilEnv;
  db: SqlClient;
  store: SeriesStore;
  /** The PromQL engine over the store. */
  engine: Engine;
  remoteWriteCache: SeriesKeyCache;
  scrape: ScrapeManager;
  /** The configuration in force (CONFIG_FILE or the built-in default). */
  config: LoadedConfig;
  /** Re-reads CONFIG_FILE and applies it; on an invalid file throws and keeps the running one. */
  reloadConfig(): Promise<void>;
  /** Unix ms. */
  startedAt: number;
  stop(): Promise<void>;
}

interface Registry {
  starting?: Promise<Runtime>;
  runtime?: Runtime;
  ready: boolean;
  stopping: boolean;
  /** Node-level handlers that scripts/server.mjs calls directly, bypassing Next.js. */
  nodeHandlers?: { remoteWrite?: (req: IncomingMessage, res: ServerResponse) => Promise<void> };
}

const KEY = Symbol.for("vigil.runtime");

function registry(): Registry {
  const g = globalThis as { [KEY]?: Registry };
  g[KEY] ??= { ready: false, stopping: false };
  return g[KEY];
}

/** True once migrations ran and the store is open. */
export function isReady(): boolean {
  const r = registry();
  return r.ready && !r.stopping;
}

/** The runtime, waiting for start-up to finish; starts it when nothing did (e.g. under `next dev`). */
export function requireRuntime(): Promise<Runtime> {
  const r = registry();
  if (r.runtime) return Promise.resolve(r.runtime);
  return startServer();
}

/**
 * Starts the server runtime once per process: opens the database, applies
 * migrations, opens the series store (replaying its WAL), and starts the
 * background loops. A second call returns the same instance.
 */
export function startServer(): Promise<Runtime> {
  const r = registry();
  r.starting ??= boot(r);
  return r.starting;
}

async function boot(r: Registry): Promise<Runtime> {
  const env = readEnv();
  const t0 = Date.now();
  const db = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir });
  let store: SeriesStore;
  try {
    await db.acquireOwnership();
    await runMigrations(db);
    store = await SeriesStore.open(db, { retentionMs: env.retentionMs, readCacheBytes: env.queryCacheBytes });
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  const timers: NodeJS.Timeout[] = [];
  const maintenance = (what: string, fn: () => Promise<unknown>) => () => {
    fn().catch((err) => console.error(`vigil: ${what} failed:`, err));
  };
  if (env.workers) {
    timers.push(setInterval(maintenance("head flush", () => store.flush()), env.headFlushIntervalMs));
    timers.push(
      setInterval(
        maintenance("compaction", async () => {
          await store.compact();
          await store.applyRetention();
        }),
        env.compactionIntervalMs,
      ),
    );
    for (const t of timers) t.unref();
  }
  singletonMetric(
    "vigil_tsdb_storage_size_bytes",
    (reg) =>
      new Gauge({
        name: "vigil_tsdb_storage_size_bytes",
        help: "Bytes on disk of the series store's tables, indexes and TOAST.",
        registers: [reg],
        async collect() {
          const rt = registry().runtime;
          if (!rt) return;
          try {
            this.set((await rt.store.diskBytes()).total);
          } catch {
            // the database may be closing
          }
        },
      }),
  );
  const selfTarget = `127.0.0.1:${env.port}`;
  let first: Awaited<ReturnType<typeof readConfig>>;
  try {
    first = await readConfig(env.configFile, selfTarget);
  } catch (err) {
    await store.close({ flush: false }).catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
  const scrapeAbort = new AbortController();
  const scrape = new ScrapeManager({
    appendable: store,
    onError: (pool, msg) => console.warn(`vigil: scrape pool ${pool}: ${msg}`),
  });
  const loaded: LoadedConfig = { config: first.config, file: first.file, loadedAt: Date.now(), lastReloadOk: true };
  if (env.workers) {
    scrape.applyConfig(loaded.config);
    scrape.start(scrapeAbort.signal);
  }
  let stopping: Promise<void> | null = null;
  const runtime: Runtime = {
    env,
    db,
    store,
    engine: new Engine(store, {
      lookbackDelta: env.lookbackDeltaMs,
      timeout: env.queryTimeoutMs,
      maxSamples: env.queryMaxSamples,
      maxConcurrent: env.queryMaxConcurrency,
      enableExperimentalFunctions: env.experimentalPromQL,
      experimentalDurationExpr: env.experimentalPromQL,
      enableExtendedRangeSelectors: env.experimentalPromQL,
      enableBinopFillModifiers: env.experimentalPromQL,
    }),
    remoteWriteCache: new SeriesKeyCache(),
    scrape,
    config: loaded,
    async reloadConfig() {
      try {
        const next = await readConfig(env.configFile, selfTarget);
        if (env.workers) scrape.applyConfig(next.config);
        loaded.config = next.config;
        loaded.file = next.file;
        loaded.loadedAt = Date.now();
        loaded.lastReloadOk = true;
      } catch (err) {
        loaded.lastReloadOk = false;
        throw err;
      }
    },
    startedAt: t0,
    stop() {
      stopping ??= (async () => {
        r.stopping = true;
        for (const t of timers) clearInterval(t);
        scrapeAbort.abort();
        await scrape.stop().catch(() => undefined);
        try {
          await store.close({ flush: true });
        } finally {
          await db.close();
        }
      })();
      return stopping;
    },
  };
  r.runtime = runtime;
  r.nodeHandlers = {
    remoteWrite: async (req, res) => {
      const stop = observeRequest("/api/v1/write", "POST");
      await handleRemoteWriteNode(req, res, store, runtime.remoteWriteCache, {
        maxBodyBytes: env.remoteWriteMaxBodyBytes,
        maxDecompressedBytes: env.remoteWriteMaxDecompressedBytes,
      });
      stop(res.statusCode);
    },
  };
  r.ready = true;
  console.log(
    `vigil: storage ready in ${Date.now() - t0} ms (${db.kind === "pglite" ? `PGlite in ${env.dataDir}` : "PostgreSQL"}, ${store.numSeries} series)`,
  );
  installSignalHandlers(runtime);
  return runtime;
}

function installSignalHandlers(rt: Runtime): void {
  const onSignal = (sig: NodeJS.Signals) => {
    console.log(`vigil: ${sig} received: no longer taking writes, flushing the head`);
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    rt.stop().then(
      () => process.exit(0),
      (err) => {
        console.error("vigil: shutdown failed:", err);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  process.on("SIGHUP", () => {
    rt.reloadConfig().then(
      () => console.log("vigil: configuration reloaded"),
      (err: unknown) => console.error(`vigil: configuration reload failed, keeping the running one: ${(err as Error).message}`),
    );
  });
}

/** Starts the runtime without waiting; a failed start-up ends the process (nothing can work without storage). */
export function startInBackground(): void {
  startServer().catch((err: unknown) => {
    console.error("vigil: start-up failed:", err);
    process.exit(1);
  });
}
