ALTER TABLE `batches` ADD `model` text;--> statement-breakpoint
ALTER TABLE `batches` ADD `output_ttl_seconds` integer;--> statement-breakpoint
ALTER TABLE `batches` ADD `usage` text;