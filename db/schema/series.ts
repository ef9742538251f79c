import { bigint, integer, pgTable } from "drizzle-orm/pg-core";

/**
 * A series is a metric name plus a label set, stored as the sorted ids of its
 * interned label pairs (Promscale's layout). `created_ms` is when Vigil first saw it.
 */
export const series = pgTable("series", {
  id: integer("id").primaryKey(),
  labelIds: integer("label_ids").array().notNull(),
  // Unix milliseconds.
  createdMs: bigint("created_ms", { mode: "number" }).notNull(),
});

export type SeriesRow = typeof series.$inferSelect;
export type NewSeriesRow = typeof series.$inferInsert;
