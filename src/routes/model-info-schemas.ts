import { z } from "zod";

/** OpenAI's Model. */
export const openaiModel = z.object({ id: z.string(), object: z.literal("model"), created: z.number(), owned_by: z.string() });

/**
 * Anthropic's ModelInfo. The gateway knows a model's name only: what Anthropic says of its own models (capabilities,
 * token limits, lifecycle dates) is null, and every model the key may call is `active`.
 */
export const anthropicModel = z.object({
	type: z.literal("model"),
	id: z.string(),
	display_name: z.string(),
	created_at: z.string(),
	capabilities: z.null(),
	deprecated_at: z.null(),
	lifecycle: z.literal("active"),
	line: z.null(),
	max_input_tokens: z.null(),
	max_tokens: z.null(),
	retires_at: z.null(),
});

export const anthropicModelPage = z.object({
	data: z.array(anthropicModel),
	has_more: z.boolean(),
	first_id: z.string().nullable(),
	last_id: z.string().nullable(),
});

/** Anthropic's paging, as its client sends it; OpenAI's clients send none of it. */
export const modelListQuery = z.object({
	limit: z.coerce.number().int().min(1, "must be at least 1").max(1000, "must be at most 1000").default(20),
	after_id: z.string().min(1).optional(),
	before_id: z.string().min(1).optional(),
});
