import { z } from "zod";
import { BATCH_ENDPOINTS } from "../batches/input-lines";

/** OpenAI's `metadata`: up to 16 string pairs. */
const metadata = z
	.record(z.string().max(64), z.string().max(512))
	.refine((m) => Object.keys(m).length <= 16, "takes at most 16 keys")
	.nullable()
	.optional();

/** `POST /v1/batches` (`BatchCreateParams`). /v1/completions is refused: the gateway does not serve it. */
export const batchCreate = z.object({
	input_file_id: z.string().min(1).max(64),
	endpoint: z.enum(BATCH_ENDPOINTS),
	completion_window: z.literal("24h"),
	metadata,
	/** How long the output and error files are kept, from their creation: an hour to 30 days (30 days if unset). */
	output_expires_after: z.object({ anchor: z.literal("created_at"), seconds: z.number().int().min(3600).max(2_592_000) }).optional(),
});

const seconds = z.number().int();
const tokens = z.number().int();

/** OpenAI's `Batch`: times in seconds. */
export const batchObject = z.object({
	id: z.string(),
	object: z.literal("batch"),
	endpoint: z.string(),
	errors: z.object({
		object: z.literal("list"),
		data: z.array(z.object({ code: z.string(), message: z.string(), line: z.number().int().nullable(), param: z.string().nullable() })),
	}),
	input_file_id: z.string(),
	completion_window: z.string(),
	status: z.enum(["validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled"]),
	output_file_id: z.string().nullable(),
	error_file_id: z.string().nullable(),
	created_at: seconds,
	in_progress_at: seconds.nullable(),
	expires_at: seconds.nullable(),
	finalizing_at: seconds.nullable(),
	completed_at: seconds.nullable(),
	failed_at: seconds.nullable(),
	expired_at: seconds.nullable(),
	cancelling_at: seconds.nullable(),
	cancelled_at: seconds.nullable(),
	request_counts: z.object({ total: z.number().int(), completed: z.number().int(), failed: z.number().int() }),
	metadata: z.record(z.string(), z.string()).nullable(),
	/** The one model every line names; absent when they name several. */
	model: z.string().optional(),
	/** The tokens of the answers that succeeded, once the batch has ended. */
	usage: z
		.object({
			input_tokens: tokens,
			input_tokens_details: z.object({ cached_tokens: tokens }),
			output_tokens: tokens,
			output_tokens_details: z.object({ reasoning_tokens: tokens }),
			total_tokens: tokens,
		})
		.optional(),
});

export const batchList = z.object({
	object: z.literal("list"),
	data: z.array(batchObject),
	first_id: z.string().nullable(),
	last_id: z.string().nullable(),
	has_more: z.boolean(),
});

export const batchListQuery = z.object({
	after: z.string().max(64).optional(),
	limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const batchIdParam = z.object({ batch_id: z.string().max(64) });
