CREATE TABLE `conversation_items` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`owner_id` integer NOT NULL,
	`type` text NOT NULL,
	`role` text,
	`item` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `conversation_items_id_idx` ON `conversation_items` (`id`);--> statement-breakpoint
CREATE INDEX `conversation_items_conversation_seq_idx` ON `conversation_items` (`conversation_id`,`seq`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` integer NOT NULL,
	`metadata` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conversations_owner_created_idx` ON `conversations` (`owner_id`,`created_at`);