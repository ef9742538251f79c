-- Chunk and WAL payloads are already compressed (XOR chunks, snappy): keep
-- PostgreSQL from trying pglz on them, and keep chunk rows inline up to a page.
ALTER TABLE "chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "chunks" SET (toast_tuple_target = 8160);--> statement-breakpoint
ALTER TABLE "wal" ALTER COLUMN "data" SET STORAGE EXTERNAL;
