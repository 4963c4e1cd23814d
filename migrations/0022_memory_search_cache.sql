CREATE TABLE `memory_search_generations` (
	`owner_id` integer NOT NULL,
	`scope` text NOT NULL,
	`generation` integer NOT NULL,
	PRIMARY KEY(`owner_id`, `scope`)
);
