CREATE TABLE `model_routes` (
	`name` text PRIMARY KEY NOT NULL,
	`chain` text DEFAULT '[]' NOT NULL,
	`policy` text DEFAULT 'weighted' NOT NULL,
	`hash_on` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
