CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` integer,
	`user_id` integer,
	`action` text NOT NULL,
	`object_type` text,
	`object_id` text,
	`diff` text,
	`result` text NOT NULL,
	`ip` text,
	`user_agent` text,
	`request_id` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE INDEX `audit_log_user_at_idx` ON `audit_log` (`user_id`,`at`);--> statement-breakpoint
CREATE INDEX `audit_log_action_at_idx` ON `audit_log` (`action`,`at`);--> statement-breakpoint
ALTER TABLE `tokens` ADD `scopes` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `tags` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `request_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `ip_allow` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `previous_key_hash` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `previous_key_prefix` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `previous_key_expires_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `anomaly` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `locked_reason` text;--> statement-breakpoint
ALTER TABLE `tokens` ADD `locked_at` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `auto_rotate` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tokens` ADD `expiry_notified_at` integer;--> statement-breakpoint
CREATE INDEX `tokens_previous_key_hash_idx` ON `tokens` (`previous_key_hash`);--> statement-breakpoint
ALTER TABLE `users` ADD `scopes` text;--> statement-breakpoint
ALTER TABLE `users` ADD `deleted_at` integer;--> statement-breakpoint
-- The audit log is append-only: no entry is changed, and none younger than 30 days is removed (the retention job,
-- AUDIT_RETENTION_DAYS of at least 30, removes only older ones).
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log`
BEGIN
	SELECT RAISE(ABORT, 'audit entries are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` WHEN OLD.`at` > (unixepoch('now') - 30 * 86400) * 1000
BEGIN
	SELECT RAISE(ABORT, 'audit entries are append-only');
END;
