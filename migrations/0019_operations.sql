CREATE TABLE `alert_firings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule_id` integer NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`value` real NOT NULL,
	`threshold` real NOT NULL,
	`requests` integer NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `alert_firings_rule_subject_created_idx` ON `alert_firings` (`rule_id`,`subject`,`created_at`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`metric` text NOT NULL,
	`scope` text DEFAULT 'all' NOT NULL,
	`subject` text,
	`threshold` real NOT NULL,
	`window_minutes` integer DEFAULT 5 NOT NULL,
	`min_requests` integer DEFAULT 10 NOT NULL,
	`cooldown_minutes` integer DEFAULT 60 NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `channel_probes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`channel_id` integer NOT NULL,
	`kind` text NOT NULL,
	`ok` integer NOT NULL,
	`status` integer,
	`latency_ms` integer NOT NULL,
	`error` text,
	`input_tokens` integer DEFAULT 0 NOT NULL,
	`output_tokens` integer DEFAULT 0 NOT NULL,
	`cost_nusd` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `channel_probes_channel_created_idx` ON `channel_probes` (`channel_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `queue_controls` (
	`queue` text PRIMARY KEY NOT NULL,
	`paused_at` integer,
	`paused_by` text,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `queue_stats` (
	`queue` text NOT NULL,
	`minute` integer NOT NULL,
	`outcome` text NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`queue`, `minute`, `outcome`)
);
