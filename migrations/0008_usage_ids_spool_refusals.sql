CREATE TABLE `relay_refusals` (
	`bucket_start` integer NOT NULL,
	`code` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`bucket_start`, `code`)
);
--> statement-breakpoint
CREATE TABLE `usage_spool` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`body` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `client_request_id` text;--> statement-breakpoint
CREATE INDEX `usage_client_request_idx` ON `usage_logs` (`client_request_id`) WHERE "usage_logs"."client_request_id" IS NOT NULL;