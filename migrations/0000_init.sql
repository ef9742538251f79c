CREATE TABLE "labels" (
	"id" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "series" (
	"id" integer PRIMARY KEY NOT NULL,
	"label_ids" integer[] NOT NULL,
	"created_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chunks" (
	"series_id" integer NOT NULL,
	"min_t" bigint NOT NULL,
	"max_t" bigint NOT NULL,
	"num_samples" integer NOT NULL,
	"last_value" "bytea" NOT NULL,
	"data" "bytea" NOT NULL,
	CONSTRAINT "chunks_pkey" PRIMARY KEY("series_id","min_t")
);
--> statement-breakpoint
CREATE TABLE "wal" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metric_metadata" (
	"metric_family" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"help" text NOT NULL,
	"unit" text NOT NULL,
	"updated_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "labels_name_value_idx" ON "labels" USING btree ("name","value");