import { bigint, pgTable, text } from "drizzle-orm/pg-core";

/** Metric metadata (type, help, unit) per metric family, from remote write and scrapes. */
export const metricMetadata = pgTable("metric_metadata", {
  metricFamily: text("metric_family").primaryKey(),
  type: text("type").notNull(),
  help: text("help").notNull(),
  unit: text("unit").notNull(),
  // Unix milliseconds.
  updatedMs: bigint("updated_ms", { mode: "number" }).notNull(),
});

export type MetricMetadataRow = typeof metricMetadata.$inferSelect;
