import { bigint, integer, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { bytea } from "./bytea";

/**
 * Compressed samples at rest: one Prometheus XOR chunk per row.
 * Rows never overlap in time for one series; the compactor merges the short
 * pieces that head flushes write into one row per series and block window.
 */
export const chunks = pgTable(
  "chunks",
  {
    seriesId: integer("series_id").notNull(),
    // First and last sample timestamp in the chunk, Unix milliseconds.
    minT: bigint("min_t", { mode: "number" }).notNull(),
    maxT: bigint("max_t", { mode: "number" }).notNull(),
    numSamples: integer("num_samples").notNull(),
    // The last sample's value as its 8 IEEE-754 bytes (little-endian), so a
    // restart knows each series' newest sample bit-exactly (NaN payloads such as
    // the staleness marker included) without decoding chunks.
    lastValue: bytea("last_value").notNull(),
    data: bytea("data").notNull(),
  },
  (t) => [primaryKey({ name: "chunks_pkey", columns: [t.seriesId, t.minT] })],
);

export type ChunkRow = typeof chunks.$inferSelect;
