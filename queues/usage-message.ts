import { z } from "zod";

/**
 * One request's usage, as the relay sends it and the consumer stores it; shared so both sides agree. The field
 * names are the usage_logs column names, so the consumer can insert records straight from the message's JSON.
 */
export const usageRecord = z.object({
	request_id: z.string().min(1).max(128),
	token_id: z.number().int().nullable(),
	user_id: z.number().int().nullable(),
	channel_id: z.number().int().nullable(),
	endpoint: z.string().max(256),
	model: z.string().max(256),
	upstream_model: z.string().max(256).nullable(),
	prompt_tokens: z.number().int().nonnegative(),
	completion_tokens: z.number().int().nonnegative(),
	cached_tokens: z.number().int().nonnegative(),
	/** nano-USD (1e-9 USD), priced by the relay at the price in force when the request ran. */
	cost_nusd: z.number().int().nonnegative(),
	/** The price version charged (prices.id); null when the request cost nothing. */
	price_id: z.number().int().nullable(),
	latency_ms: z.number().int().nonnegative(),
	ttfb_ms: z.number().int().nonnegative().nullable(),
	stream: z.boolean(),
	attempts: z.number().int().nonnegative(),
	status: z.number().int(),
	error_code: z.string().max(64).nullable(),
	estimated: z.boolean(),
	partial: z.boolean(),
	created_at: z.number().int(),
});

export type UsageRecord = z.infer<typeof usageRecord>;

/**
 * Records per message: with the string bounds above a record stays under 1.5 KB, so a full message stays
 * well inside a Queue message's 128 KB.
 */
export const MAX_RECORDS_PER_MESSAGE = 64;

/** A usage message carries the records of several requests: Queues bill and broker per message, not per record. */
export const usageMessage = z.object({ records: z.array(usageRecord).min(1).max(MAX_RECORDS_PER_MESSAGE) });

export type UsageMessage = z.infer<typeof usageMessage>;
