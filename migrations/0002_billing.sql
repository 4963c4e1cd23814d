CREATE TABLE `dead_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`queue` text NOT NULL,
	`message_id` text NOT NULL,
	`body` text NOT NULL,
	`attempts` integer NOT NULL,
	`error` text,
	`replayed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dead_jobs_message_idx` ON `dead_jobs` (`queue`,`message_id`);--> statement-breakpoint
CREATE TABLE `group_pricing` (
	`group` text PRIMARY KEY NOT NULL,
	`multiplier` real DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`token_id` integer,
	`kind` text NOT NULL,
	`amount_nusd` integer NOT NULL,
	`balance_before_nusd` integer,
	`balance_after_nusd` integer,
	`request_id` text,
	`idempotency_key` text NOT NULL,
	`note` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_idempotency_idx` ON `ledger_entries` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `ledger_user_idx` ON `ledger_entries` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `ledger_token_idx` ON `ledger_entries` (`token_id`,`id`);--> statement-breakpoint
CREATE TABLE `prices` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`model` text NOT NULL,
	`channel_id` integer,
	`input_nusd_per_mtok` integer NOT NULL,
	`output_nusd_per_mtok` integer NOT NULL,
	`cached_input_nusd_per_mtok` integer,
	`cache_write_nusd_per_mtok` integer,
	`request_nusd` integer DEFAULT 0 NOT NULL,
	`valid_from` integer NOT NULL,
	`valid_to` integer
);
--> statement-breakpoint
CREATE INDEX `prices_model_idx` ON `prices` (`model`,`valid_to`);--> statement-breakpoint
CREATE TABLE `redemption_codes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`code_hash` text NOT NULL,
	`code_prefix` text NOT NULL,
	`batch` text NOT NULL,
	`value_nusd` integer NOT NULL,
	`expires_at` integer,
	`redeemed_by` integer,
	`redeemed_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `redemption_code_hash_idx` ON `redemption_codes` (`code_hash`);--> statement-breakpoint
CREATE INDEX `redemption_batch_idx` ON `redemption_codes` (`batch`);--> statement-breakpoint
CREATE TABLE `usage_rollups` (
	`period` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`model` text NOT NULL,
	`channel_id` integer NOT NULL,
	`token_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`requests` integer NOT NULL,
	`errors` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`cost_nusd` integer NOT NULL,
	`latency_p50_ms` integer,
	`latency_p95_ms` integer,
	`ttfb_p50_ms` integer,
	`ttfb_p95_ms` integer,
	PRIMARY KEY(`period`, `bucket_start`, `model`, `channel_id`, `token_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `rollups_bucket_idx` ON `usage_rollups` (`period`,`bucket_start`);--> statement-breakpoint
ALTER TABLE `tokens` ADD `spent_nusd` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `cost_nusd` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `price_id` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `balance_nusd` integer DEFAULT 0 NOT NULL;