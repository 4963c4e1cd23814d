CREATE TABLE `chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`vector_store_id` text NOT NULL,
	`file_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`position` integer NOT NULL,
	`text` text NOT NULL,
	`tokens` integer NOT NULL,
	`heading` text,
	`attributes` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chunks_store_file_position_idx` ON `chunks` (`vector_store_id`,`file_id`,`position`);--> statement-breakpoint
CREATE TABLE `embedding_cache` (
	`model` text NOT NULL,
	`text_hash` text NOT NULL,
	`dimensions` integer NOT NULL,
	`vector` blob NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`model`, `text_hash`)
);
--> statement-breakpoint
CREATE TABLE `files` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`filename` text NOT NULL,
	`purpose` text NOT NULL,
	`bytes` integer NOT NULL,
	`content_type` text NOT NULL,
	`sha256` text NOT NULL,
	`r2_key` text NOT NULL,
	`status` text DEFAULT 'uploaded' NOT NULL,
	`status_details` text,
	`expires_at` integer,
	`deleted_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `files_user_created_idx` ON `files` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `files_deleted_idx` ON `files` (`deleted_at`);--> statement-breakpoint
CREATE TABLE `vector_store_file_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`vector_store_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`status` text DEFAULT 'in_progress' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `vector_store_file_batches_store_idx` ON `vector_store_file_batches` (`vector_store_id`);--> statement-breakpoint
CREATE TABLE `vector_store_files` (
	`vector_store_id` text NOT NULL,
	`file_id` text NOT NULL,
	`user_id` integer NOT NULL,
	`token_id` integer,
	`batch_id` text,
	`status` text DEFAULT 'in_progress' NOT NULL,
	`stage` text DEFAULT 'queued' NOT NULL,
	`progress` real DEFAULT 0 NOT NULL,
	`attributes` text,
	`chunking_strategy` text NOT NULL,
	`usage_bytes` integer DEFAULT 0 NOT NULL,
	`chunk_count` integer DEFAULT 0 NOT NULL,
	`last_error_code` text,
	`last_error_message` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`vector_store_id`, `file_id`)
);
--> statement-breakpoint
CREATE INDEX `vector_store_files_store_created_idx` ON `vector_store_files` (`vector_store_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `vector_store_files_batch_idx` ON `vector_store_files` (`batch_id`);--> statement-breakpoint
CREATE INDEX `vector_store_files_file_idx` ON `vector_store_files` (`file_id`);--> statement-breakpoint
CREATE TABLE `vector_stores` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`metadata` text,
	`embedding_model` text NOT NULL,
	`dimensions` integer,
	`usage_bytes` integer DEFAULT 0 NOT NULL,
	`expires_after_days` integer,
	`expires_at` integer,
	`last_active_at` integer,
	`deleted_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `vector_stores_user_created_idx` ON `vector_stores` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `vector_stores_deleted_idx` ON `vector_stores` (`deleted_at`);
--> statement-breakpoint
-- BM25 keyword search over chunk text (drizzle has no virtual tables: hand-written). External content: the text is
-- stored once, in `chunks`; the triggers keep the index in step with every insert, update and delete. Porter
-- stemming, so that "refund" finds "refunds" (queries are stemmed alike).
CREATE VIRTUAL TABLE `chunks_fts` USING fts5(`text`, content='chunks', content_rowid='id', tokenize='porter unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_insert` AFTER INSERT ON `chunks` BEGIN
	INSERT INTO `chunks_fts`(rowid, `text`) VALUES (new.`id`, new.`text`);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_delete` AFTER DELETE ON `chunks` BEGIN
	INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `text`) VALUES ('delete', old.`id`, old.`text`);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_update` AFTER UPDATE OF `text` ON `chunks` BEGIN
	INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `text`) VALUES ('delete', old.`id`, old.`text`);
	INSERT INTO `chunks_fts`(rowid, `text`) VALUES (new.`id`, new.`text`);
END;
