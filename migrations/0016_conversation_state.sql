CREATE TABLE `apps` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`model` text NOT NULL,
	`system_prompt` text DEFAULT '' NOT NULL,
	`opening_statement` text DEFAULT '' NOT NULL,
	`suggested_questions` text DEFAULT '[]' NOT NULL,
	`vector_store_ids` text DEFAULT '[]' NOT NULL,
	`retrieval_top_k` integer DEFAULT 4 NOT NULL,
	`score_threshold` real,
	`memory_mode` text DEFAULT 'off' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `apps_owner_created_idx` ON `apps` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `conversation_turns` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`owner_id` integer NOT NULL,
	`model` text NOT NULL,
	`status` text NOT NULL,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_nusd` integer DEFAULT 0 NOT NULL,
	`latency_ms` integer DEFAULT 0 NOT NULL,
	`sources` text DEFAULT '[]' NOT NULL,
	`feedback` text,
	`feedback_content` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conversation_turns_conversation_created_idx` ON `conversation_turns` (`conversation_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `responses` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` integer NOT NULL,
	`previous_response_id` text,
	`conversation_id` text,
	`input` text NOT NULL,
	`response` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`expires_at` integer
);
--> statement-breakpoint
CREATE INDEX `responses_expires_idx` ON `responses` (`expires_at`);--> statement-breakpoint
ALTER TABLE `tokens` ADD `app_id` text;--> statement-breakpoint
CREATE INDEX `tokens_app_idx` ON `tokens` (`app_id`);--> statement-breakpoint
ALTER TABLE `conversation_items` ADD `turn_id` text;--> statement-breakpoint
CREATE INDEX `conversation_items_turn_idx` ON `conversation_items` (`turn_id`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `app_id` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `end_user` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `key_id` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `name` text;--> statement-breakpoint
ALTER TABLE `conversations` ADD `summarized_at` integer;--> statement-breakpoint
ALTER TABLE `conversations` ADD `updated_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `conversations_app_user_updated_idx` ON `conversations` (`app_id`,`end_user`,`updated_at`);--> statement-breakpoint
CREATE INDEX `conversations_owner_updated_idx` ON `conversations` (`owner_id`,`updated_at`);--> statement-breakpoint
UPDATE `conversations` SET `updated_at` = `created_at`;--> statement-breakpoint
-- Keyword search over what was said (the dashboard's Chat page): one row per message item, its text parts joined,
-- kept in step by the triggers. Its own content (not external) because the text lives inside the item's JSON.
CREATE VIRTUAL TABLE `conversation_items_fts` USING fts5(`text`, `conversation_id` UNINDEXED, tokenize='porter unicode61 remove_diacritics 2');--> statement-breakpoint
CREATE TRIGGER `conversation_items_fts_insert` AFTER INSERT ON `conversation_items` WHEN NEW.`type` = 'message' BEGIN
	INSERT INTO `conversation_items_fts` (rowid, `text`, `conversation_id`)
	VALUES (NEW.`seq`, COALESCE(CASE json_type(NEW.`item`, '$.content')
		WHEN 'array' THEN (SELECT group_concat(json_extract(p.value, '$.text'), ' ') FROM json_each(NEW.`item`, '$.content') p WHERE json_type(p.value, '$.text') = 'text')
		WHEN 'text' THEN json_extract(NEW.`item`, '$.content')
		END, ''), NEW.`conversation_id`);
END;--> statement-breakpoint
CREATE TRIGGER `conversation_items_fts_delete` AFTER DELETE ON `conversation_items` WHEN OLD.`type` = 'message' BEGIN
	DELETE FROM `conversation_items_fts` WHERE rowid = OLD.`seq`;
END;--> statement-breakpoint
INSERT INTO `conversation_items_fts` (rowid, `text`, `conversation_id`)
	SELECT `seq`, COALESCE((SELECT group_concat(json_extract(p.value, '$.text'), ' ') FROM json_each(`item`, '$.content') p WHERE json_type(p.value, '$.text') = 'text'), ''), `conversation_id`
	FROM `conversation_items` WHERE `type` = 'message' AND json_type(`item`, '$.content') = 'array';
