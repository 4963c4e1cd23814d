import { z } from "zod";
import { priceView } from "./price-schemas";
import { cursorOf, pageLimit } from "./shared/pagination";
import { positiveId } from "./shared/params";

const isoInstant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/** A point in time: an ISO 8601 date or date-time, or milliseconds since the epoch. */
export const instant = z
	.string()
	.trim()
	.transform((s, ctx) => {
		const ms = /^\d{1,15}$/.test(s) ? Number(s) : isoInstant.safeParse(s).success ? Date.parse(s) : Number.NaN;
		if (Number.isFinite(ms)) return ms;
		ctx.addIssue({ code: "custom", message: "expected an ISO 8601 date-time or milliseconds since the epoch" });
		return z.NEVER;
	});

/** `ok` (status < 400), `error` (>= 400) or one status. */
const statusFilter = z.union([
	z.enum(["ok", "error"]),
	z
		.string()
		.regex(/^\d{3}$/, "expected ok, error or an HTTP status")
		.transform(Number),
]);

export const usageFilters = z.object({
	from: instant.optional().describe("Inclusive: an ISO 8601 date or date-time, or milliseconds since the epoch"),
	to: instant.optional().describe("Exclusive: an ISO 8601 date or date-time, or milliseconds since the epoch"),
	token_id: positiveId.optional(),
	user_id: positiveId.optional().describe("A user key may name only its own user (403 otherwise) and always sees only its own rows"),
	model: z.string().min(1).max(256).optional(),
	channel_id: positiveId.optional(),
	client_request_id: z
		.string()
		.min(1)
		.max(128)
		.optional()
		.describe("The id the client sent in x-client-request-id (or x-request-id): every request it named so, newest first"),
	status: statusFilter.optional().describe("ok (status < 400), error (>= 400) or one HTTP status"),
	batch_id: z.string().min(1).max(64).optional().describe("The lines of one batch (/v1/batches, /v1/messages/batches)"),
});

export type UsageFilters = z.infer<typeof usageFilters>;

/** Newest first, so a page ends at its oldest row: (created_at, request_id) of that row. */
export const usageCursor = cursorOf(z.tuple([z.number().int(), z.string()]));

export const usageQuery = usageFilters.extend({ limit: pageLimit(50, 500), cursor: usageCursor.optional() });

export const requestIdParam = z.object({ request_id: z.string().min(1).max(128) });

export const usageItem = z.object({
	/** The gateway's id for the request, as its response's x-request-id said. */
	request_id: z.string(),
	/** The client's own id for it (x-client-request-id, or x-request-id), if it sent one; not unique. */
	client_request_id: z.string().nullable(),
	model: z.string(),
	upstream_model: z.string().nullable(),
	channel_id: z.number().nullable(),
	token_id: z.number().nullable(),
	user_id: z.number().nullable(),
	prompt_tokens: z.number(),
	completion_tokens: z.number(),
	cached_tokens: z.number(),
	cost_usd: z.number(),
	/** The price version charged; null when the request was free. */
	price_id: z.number().nullable(),
	/** Answered by the response cache (exact or semantic); null: by an upstream. A hit's tokens are what it would have cost. */
	cache_hit: z.enum(["exact", "semantic"]).nullable(),
	/** What the hit saved: the answer's cost less what it was charged (cost_usd); 0 when not a hit. */
	saved_usd: z.number(),
	status: z.number(),
	error_code: z.string().nullable(),
	partial: z.boolean(),
	estimated: z.boolean(),
	stream: z.boolean(),
	latency_ms: z.number(),
	ttfb_ms: z.number().nullable(),
	attempts: z.number(),
	endpoint: z.string(),
	/** The batch the request was a line of; null for a request of its own. */
	batch_id: z.string().nullable(),
	created_at: z.string(),
});

export const usagePage = z.object({ data: z.array(usageItem), next_cursor: z.string().nullable() });

export const usageDetail = usageItem.extend({
	/** The ledger debit for this request; null when it cost nothing or has not been charged. */
	charge: z.object({ ledger_entry_id: z.number(), amount_usd: z.number(), balance_after_usd: z.number().nullable() }).nullable(),
	/** The price version charged, as it was then. */
	price: priceView.nullable(),
});
