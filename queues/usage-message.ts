import { z } from "zod";

/**
 * The longest each text field of a record may be. The relay cuts its values to these (`withinBounds`) as it makes
 * a record, whatever a client put in a path or a model name, so that no record it sends can fail the schema below.
 */
export const TEXT_BOUNDS = {
	request_id: 128,
	client_request_id: 128,
	endpoint: 256,
	model: 256,
	upstream_model: 256,
	error_code: 64,
	unit: 64,
	batch_id: 64,
} as const;

type TextField = keyof typeof TEXT_BOUNDS;

/**
 * One request's usage, as the relay sends it and the consumer stores it; shared so both sides agree. The field
 * names are the usage_logs column names, so the consumer can insert records straight from the message's JSON.
 */
export const usageRecord = z.object({
	/** The gateway's id for the request: the row's key and the ledger debit's idempotency key. */
	request_id: z.string().min(1).max(TEXT_BOUNDS.request_id),
	/** The client's correlation id; absent from records made before it existed. */
	client_request_id: z.string().min(1).max(TEXT_BOUNDS.client_request_id).nullable().default(null),
	token_id: z.number().int().nullable(),
	user_id: z.number().int().nullable(),
	channel_id: z.number().int().nullable(),
	endpoint: z.string().max(TEXT_BOUNDS.endpoint),
	model: z.string().max(TEXT_BOUNDS.model),
	upstream_model: z.string().max(TEXT_BOUNDS.upstream_model).nullable(),
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
	error_code: z.string().max(TEXT_BOUNDS.error_code).nullable(),
	estimated: z.boolean(),
	partial: z.boolean(),
	/** Served from the response cache: the tokens are what it would have cost, `cost_nusd` what the hit was charged. */
	cache_hit: z.enum(["exact", "semantic"]).nullable().default(null),
	/** What the hit saved: the answer's cost at the prices in force, less what it was charged. */
	saved_nusd: z.number().int().nonnegative().default(0),
	/** Priced by a unit besides tokens (src/billing/units.ts): which, and how many; absent from older records. */
	unit: z.string().max(TEXT_BOUNDS.unit).nullable().default(null),
	units: z.number().nonnegative().default(0),
	/** The batch the request was a line of (/v1/batches). */
	batch_id: z.string().max(TEXT_BOUNDS.batch_id).nullable().default(null),
	created_at: z.number().int(),
});

export type UsageRecord = z.infer<typeof usageRecord>;

/** `s` cut to `max` UTF-16 units, without leaving half of a surrogate pair at the end. */
function clip(s: string, max: number): string {
	if (s.length <= max) return s;
	const cut = s.slice(0, max);
	const last = cut.charCodeAt(max - 1);
	return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * The record with every text field cut to its bound: how the relay makes records, and how a dead-lettered record
 * that failed only on a length is repaired for replay. Fields that are not strings are left for the schema to judge.
 */
export function withinBounds<T extends Partial<Record<TextField, unknown>>>(record: T): T {
	const out: T = { ...record };
	for (const [field, max] of Object.entries(TEXT_BOUNDS) as [TextField, number][]) {
		const value = out[field];
		if (typeof value === "string") Object.assign(out, { [field]: clip(value, max) });
	}
	return out;
}

/**
 * Records per message: with the string bounds above a record stays under 1.5 KB, so a full message stays
 * well inside a Queue message's 128 KB.
 */
export const MAX_RECORDS_PER_MESSAGE = 64;

/** A usage message carries the records of several requests: Queues bill and broker per message, not per record. */
export const usageMessage = z.object({ records: z.array(usageRecord).min(1).max(MAX_RECORDS_PER_MESSAGE) });

export type UsageMessage = z.infer<typeof usageMessage>;

/**
 * A message as the consumer first reads it: the envelope only. Each record is then judged on its own, so that
 * one bad record costs only itself, never the records of other requests (other tenants') that share its message.
 */
export const usageEnvelope = z.object({ records: z.array(z.unknown()).min(1).max(MAX_RECORDS_PER_MESSAGE) });

/**
 * What /readyz sends to check the usage queue's producer: the consumer acknowledges it and writes nothing. Only
 * sending proves the binding and the Queues service answer; a message that did nothing is the cheapest such proof.
 */
export const readinessMessage = z.object({ readyz: z.literal(true) });
