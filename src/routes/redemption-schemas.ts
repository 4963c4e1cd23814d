import { z } from "zod";
import { toNusd } from "../billing/money";
import { cursorOf, pageLimit } from "./shared/pagination";

export const redemptionCreate = z.object({
	count: z.number().int().min(1).max(1_000),
	value_usd: z
		.number()
		.positive()
		.max(100_000)
		.refine((usd) => toNusd(usd) > 0, "must be at least 1e-9 USD"),
	/** ISO 8601 date-time in the future; omitted or null: the codes never expire. */
	expires_at: z.iso
		.datetime({ offset: true })
		.nullish()
		.refine((at) => at == null || Date.parse(at) > Date.now(), "must be in the future"),
	/** A label to find the codes by; one is made up when omitted. */
	batch: z
		.string()
		.trim()
		.min(1)
		.max(100)
		.regex(/^[\w.:-]+$/, "letters, digits and . _ : - only")
		.optional(),
});

export const redemptionCreated = z.object({
	batch: z.string(),
	value_usd: z.number(),
	expires_at: z.string().nullable(),
	codes: z.array(z.string()).describe("The codes themselves. Shown only in this response: the gateway keeps their SHA-256."),
});

export const redemptionQuery = z.object({
	batch: z.string().trim().min(1).max(100).optional(),
	limit: pageLimit(100, 1_000),
	/** Newest first: the id of the last code of the previous page. */
	cursor: cursorOf(z.number().int().positive()).optional(),
});

export const redemptionView = z.object({
	id: z.number(),
	/** The first characters of the code, to tell codes apart. */
	code_prefix: z.string(),
	batch: z.string(),
	value_usd: z.number(),
	state: z.enum(["available", "redeemed", "expired"]),
	expires_at: z.string().nullable(),
	redeemed_by: z.number().nullable(),
	redeemed_at: z.string().nullable(),
	created_at: z.string(),
});

export const redemptionPage = z.object({ data: z.array(redemptionView), next_cursor: z.string().nullable() });

export const redeemBody = z.object({
	code: z.string().trim().min(1).max(100),
	/** The operator redeems for a user; a user key redeems for its own user and may omit it. */
	user_id: z.number().int().positive().optional(),
});
