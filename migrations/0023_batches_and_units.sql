CREATE TABLE `batch_lines` (
	`batch_id` text NOT NULL,
	`line` integer NOT NULL,
	`token_id` integer NOT NULL,
	`custom_id` text NOT NULL,
	`offset` integer NOT NULL,
	`length` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`claimed_at` integer,
	`retries` integer DEFAULT 0 NOT NULL,
	`status_code` integer,
	`result` text,
	`ended_at` integer,
	PRIMARY KEY(`batch_id`, `line`)
);
--> statement-breakpoint
CREATE INDEX `batch_lines_claim_idx` ON `batch_lines` (`token_id`,`status`,`claimed_at`);--> statement-breakpoint
CREATE INDEX `batch_lines_batch_status_idx` ON `batch_lines` (`batch_id`,`status`);--> statement-breakpoint
CREATE TABLE `batches` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`token_id` integer NOT NULL,
	`dialect` text NOT NULL,
	`endpoint` text NOT NULL,
	`input_file_id` text NOT NULL,
	`completion_window` text NOT NULL,
	`status` text NOT NULL,
	`metadata` text,
	`errors` text,
	`total` integer DEFAULT 0 NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`cancelled_lines` integer DEFAULT 0 NOT NULL,
	`expired_lines` integer DEFAULT 0 NOT NULL,
	`output_file_id` text,
	`error_file_id` text,
	`created_at` integer NOT NULL,
	`in_progress_at` integer,
	`expires_at` integer NOT NULL,
	`finalizing_at` integer,
	`completed_at` integer,
	`failed_at` integer,
	`expired_at` integer,
	`cancelling_at` integer,
	`cancelled_at` integer
);
--> statement-breakpoint
CREATE INDEX `batches_user_created_idx` ON `batches` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `batches_status_idx` ON `batches` (`status`);--> statement-breakpoint
ALTER TABLE `tokens` ADD `batch_concurrency` integer;--> statement-breakpoint
ALTER TABLE `prices` ADD `unit_nusd` text;--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `unit` text;--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `units` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_logs` ADD `batch_id` text;--> statement-breakpoint
CREATE INDEX `usage_batch_idx` ON `usage_logs` (`batch_id`) WHERE "usage_logs"."batch_id" IS NOT NULL;--> statement-breakpoint
-- The offline mock's media models (src/providers/mock), priced as OpenAI prices their counterparts: images per image
-- (more for 1024x1024 hd), speech per character ($15 per million), transcription per second of audio ($0.006 a
-- minute); moderation is free, as OpenAI's is. And OpenAI's own models priced by those units (gpt-image-1 is priced by
-- its tokens: set it with PUT /api/prices).
INSERT INTO prices (model, input_nusd_per_mtok, output_nusd_per_mtok, request_nusd, unit_nusd, valid_from) VALUES
	('mock-image', 0, 0, 0, '{"image":40000000,"image:1024x1024:hd":80000000}', 0),
	('mock-tts', 0, 0, 0, '{"character":15000}', 0),
	('mock-transcribe', 0, 0, 0, '{"audio_second":100000}', 0),
	('mock-moderation', 0, 0, 0, NULL, 0),
	('dall-e-3', 0, 0, 0, '{"image":40000000,"image:1024x1792":80000000,"image:1792x1024":80000000,"image:1024x1024:hd":80000000,"image:1024x1792:hd":120000000,"image:1792x1024:hd":120000000}', 0),
	('dall-e-2', 0, 0, 0, '{"image":20000000,"image:512x512":18000000,"image:256x256":16000000}', 0),
	('tts-1', 0, 0, 0, '{"character":15000}', 0),
	('tts-1-hd', 0, 0, 0, '{"character":30000}', 0),
	('whisper-1', 0, 0, 0, '{"audio_second":100000}', 0),
	('omni-moderation-latest', 0, 0, 0, NULL, 0),
	('text-moderation-latest', 0, 0, 0, NULL, 0);
