ALTER TABLE `tokens` DROP COLUMN `quota_limit_usd`;--> statement-breakpoint
ALTER TABLE `tokens` DROP COLUMN `quota_used_usd`;--> statement-breakpoint
ALTER TABLE `usage_logs` DROP COLUMN `cost_usd`;