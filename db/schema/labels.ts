import { integer, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Interned label pairs. Ids are allocated by the single owning Vigil process
 * (see server/storage/store.ts), so series rows can carry compact int arrays.
 */
export const labels = pgTable(
  "labels",
  {
    id: integer("id").primaryKey(),
    name: text("name").notNull(),
    value: text("value").notNull(),
  },
  (t) => [uniqueIndex("labels_name_value_idx").on(t.name, t.value)],
);

export type LabelRow = typeof labels.$inferSelect;
export type NewLabelRow = typeof labels.$inferInsert;
