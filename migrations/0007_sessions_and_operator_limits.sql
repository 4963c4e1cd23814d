CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer,
	`admin_digest` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
ALTER TABLE `tokens` ADD `operator_limits` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Who set the limits of existing keys is not recorded: treat them as the operator's, so that no user can loosen one.
-- json_patch drops the members whose value is null (RFC 7396), leaving only the limits that are set.
UPDATE `tokens` SET `operator_limits` = json_patch('{}', json_object(
	'rpm', `rpm`, 'tpm', `tpm`, 'maxConcurrency', `max_concurrency`,
	'budgetDailyNusd', `budget_daily_nusd`, 'budgetMonthlyNusd', `budget_monthly_nusd`, 'quotaNusd', `quota_nusd`,
	'models', json(`models`), 'expiresAt', `expires_at`
));
