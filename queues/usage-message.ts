import { z } from "zod";

/** One request's usage, as the relay sends it and the consumer stores it; shared so both sides agree. */
export const usageMessage = z.object({
	request_id: z.string().min(1).max(128),
	token_id: z.number().int().nullable(),
	user_id: z.number().int().nullable(),
	channel_id: z.number().int().nullable(),
	endpoint: z.string(),
	model: z.string(),
	upstream_model: z.string().nullable(),
	prompt_tokens: z.number().int().nonnegative(),
	completion_tokens: z.number().int().nonnegative(),
	cached_tokens: z.number().int().nonnegative(),
	cost_usd: z.number().nonnegative(),
	latency_ms: z.number().int().nonnegative(),
	ttfb_ms: z.number().int().nonnegative().nullable(),
	stream: z.boolean(),
	attempts: z.number().int().nonnegative(),
	status: z.number().int(),
	error_code: z.string().nullable(),
	estimated: z.boolean(),
	partial: z.boolean(),
	created_at: z.number().int(),
});

export type UsageMessage = z.infer<typeof usageMessage>;
