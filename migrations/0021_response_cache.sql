CREATE TABLE `cache_purges` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer,
	`key_id` integer,
	`model` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cache_purges_at_idx` ON `cache_purges` (`at`);--> statement-breakpoint
ALTER TABLE `tokens` ADD `cache` text;--> statement-breakpoint
ALTER TABLE `apps` ADD `cache` text;--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `cache_hit` text;--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `saved_nusd` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_rollups` ADD `cache_hits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_rollups` ADD `saved_nusd` integer DEFAULT 0 NOT NULL;