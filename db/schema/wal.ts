import { bigint, pgTable } from "drizzle-orm/pg-core";
import { bytea } from "./bytea";

/**
 * The write-ahead log of the in-memory head: each row is one group commit of
 * appended samples (snappy-compressed columnar records). Rows are deleted once
 * the head has flushed their samples into `chunks`.
 */
export const wal = pgTable("wal", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  data: bytea("data").notNull(),
});
