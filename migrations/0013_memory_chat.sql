CREATE TABLE `memory_feedback` (
	`memory_id` text NOT NULL,
	`owner_id` integer NOT NULL,
	`feedback` text,
	`feedback_reason` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`owner_id`, `memory_id`)
);
--> statement-breakpoint
ALTER TABLE `tokens` ADD `memory_mode` text DEFAULT 'off' NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `memory_model` text;