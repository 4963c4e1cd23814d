CREATE TABLE `memories` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`owner_id` integer NOT NULL,
	`user_id` text,
	`agent_id` text,
	`app_id` text,
	`run_id` text,
	`memory` text NOT NULL,
	`metadata` text,
	`hash` text NOT NULL,
	`dimensions` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`superseded_by` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `memories_id_idx` ON `memories` (`id`);--> statement-breakpoint
CREATE INDEX `memories_owner_user_idx` ON `memories` (`owner_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `memories_owner_agent_idx` ON `memories` (`owner_id`,`agent_id`);--> statement-breakpoint
CREATE INDEX `memories_owner_created_idx` ON `memories` (`owner_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `memory_events` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` integer NOT NULL,
	`status` text NOT NULL,
	`payload` text,
	`results` text,
	`error` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `memory_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`memory_id` text NOT NULL,
	`owner_id` integer NOT NULL,
	`event` text NOT NULL,
	`old_memory` text,
	`new_memory` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `memory_history_memory_idx` ON `memory_history` (`memory_id`,`id`);--> statement-breakpoint
CREATE VIRTUAL TABLE `memories_fts` USING fts5(`memory`, content='memories', content_rowid='seq', tokenize='porter unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `memories_fts_insert` AFTER INSERT ON `memories` BEGIN
	INSERT INTO `memories_fts`(rowid, `memory`) VALUES (new.`seq`, new.`memory`);
END;
--> statement-breakpoint
CREATE TRIGGER `memories_fts_delete` AFTER DELETE ON `memories` BEGIN
	INSERT INTO `memories_fts`(`memories_fts`, rowid, `memory`) VALUES ('delete', old.`seq`, old.`memory`);
END;
--> statement-breakpoint
CREATE TRIGGER `memories_fts_update` AFTER UPDATE OF `memory` ON `memories` BEGIN
	INSERT INTO `memories_fts`(`memories_fts`, rowid, `memory`) VALUES ('delete', old.`seq`, old.`memory`);
	INSERT INTO `memories_fts`(rowid, `memory`) VALUES (new.`seq`, new.`memory`);
END;
