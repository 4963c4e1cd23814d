import { z } from "zod";

/** `POST /v1/messages/batches` (`BatchCreateParams`): each request a Messages API body, named by a unique custom id. */
export const messageBatchCreate = z.object({
	requests: z
		.array(
			z.object({
				custom_id: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '-' or '_'"),
				params: z.looseObject({ model: z.string().min(1), max_tokens: z.number().int().positive(), messages: z.array(z.unknown()).min(1) }),
			}),
		)
		.min(1)
		.max(100_000)
		.refine((r) => new Set(r.map((x) => x.custom_id)).size === r.length, "custom_id must be unique within a batch"),
});

/** Anthropic's `MessageBatch`: times as RFC 3339 strings. */
export const messageBatch = z.object({
	id: z.string(),
	type: z.literal("message_batch"),
	processing_status: z.enum(["in_progress", "canceling", "ended"]),
	request_counts: z.object({
		processing: z.number().int(),
		succeeded: z.number().int(),
		errored: z.number().int(),
		canceled: z.number().int(),
		expired: z.number().int(),
	}),
	ended_at: z.string().nullable(),
	created_at: z.string(),
	expires_at: z.string(),
	archived_at: z.string().nullable(),
	cancel_initiated_at: z.string().nullable(),
	results_url: z.string().nullable(),
});

export const messageBatchList = z.object({
	data: z.array(messageBatch),
	has_more: z.boolean(),
	first_id: z.string().nullable(),
	last_id: z.string().nullable(),
});

export const messageBatchListQuery = z.object({
	limit: z.coerce.number().int().min(1).max(1000).default(20),
	before_id: z.string().max(64).optional(),
	after_id: z.string().max(64).optional(),
});

export const messageBatchIdParam = z.object({ message_batch_id: z.string().max(64) });

export const messageBatchDeleted = z.object({ id: z.string(), type: z.literal("message_batch_deleted") });
