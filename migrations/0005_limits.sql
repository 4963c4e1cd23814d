ALTER TABLE `group_pricing` ADD `rpm` integer;--> statement-breakpoint
ALTER TABLE `group_pricing` ADD `tpm` integer;--> statement-breakpoint
ALTER TABLE `group_pricing` ADD `max_concurrency` integer;--> statement-breakpoint
ALTER TABLE `group_pricing` ADD `budget_daily_nusd` integer;--> statement-breakpoint
ALTER TABLE `group_pricing` ADD `budget_monthly_nusd` integer;--> statement-breakpoint
ALTER TABLE `group_pricing` ADD `quota_nusd` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `rpm` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `tpm` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `max_concurrency` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `budget_daily_nusd` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `budget_monthly_nusd` integer;--> statement-breakpoint
ALTER TABLE `tokens` ADD `quota_nusd` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `rpm` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `tpm` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `max_concurrency` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `budget_daily_nusd` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `budget_monthly_nusd` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `quota_nusd` integer;