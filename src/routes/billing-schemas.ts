import { z } from "zod";
import { toNusd } from "../billing/money";
import { cursorOf, pageLimit } from "./shared/pagination";
import { positiveId } from "./shared/params";

export const ledgerKinds = ["topup", "usage", "refund", "adjustment", "redemption"] as const;

export const ledgerQuery = z.object({
	user_id: positiveId.optional().describe("A user key may name only its own user (403 otherwise) and always sees only its own entries"),
	token_id: positiveId.optional(),
	kind: z.enum(ledgerKinds).optional(),
	limit: pageLimit(50, 500),
	/** Newest first: the id of the last entry of the previous page. */
	cursor: cursorOf(z.number().int().positive()).optional(),
});

export const ledgerEntryView = z.object({
	id: z.number(),
	user_id: z.number(),
	token_id: z.number().nullable(),
	kind: z.enum(ledgerKinds),
	/** Signed: credits positive, debits negative. */
	amount_usd: z.number(),
	balance_before_usd: z.number().nullable(),
	balance_after_usd: z.number().nullable(),
	request_id: z.string().nullable(),
	note: z.string().nullable(),
	created_at: z.string(),
});

export const ledgerPage = z.object({ data: z.array(ledgerEntryView), next_cursor: z.string().nullable() });

export const balanceQuery = z.object({
	user_id: positiveId.optional().describe("Required of the operator; a user key reads its own balance (naming another user is a 403)"),
});

export const balanceView = z.object({ user_id: z.number(), balance_usd: z.number() });

const MAX_USD = 1_000_000;
const note = z.string().trim().min(1).max(500);
/** Retrying with the same key returns the first entry instead of writing a second one. */
const idempotencyKey = z.string().trim().min(1).max(200);

export const topupBody = z.object({
	user_id: z.number().int().positive(),
	amount_usd: z
		.number()
		.positive()
		.max(MAX_USD)
		.refine((usd) => toNusd(usd) > 0, "must be at least 1e-9 USD"),
	note: note.optional(),
	idempotency_key: idempotencyKey.optional(),
});

export const adjustBody = z.object({
	user_id: z.number().int().positive(),
	/** Signed: a credit (positive) or a debit (negative). */
	amount_usd: z
		.number()
		.min(-MAX_USD)
		.max(MAX_USD)
		.refine((usd) => toNusd(usd) !== 0, "must not be zero"),
	/** Why: adjustments are corrections, and the ledger is the audit trail. */
	note,
	idempotency_key: idempotencyKey.optional(),
});

export const reconcileReport = z.object({
	/** The sum of every absolute drift found (balances, spends, usage totals, uncharged usage); 0 when the books agree. */
	drift_usd: z.number(),
	users_checked: z.number(),
	tokens_checked: z.number(),
	/** usage_logs.cost over the requests that have a ledger debit. */
	usage_cost_usd: z.number(),
	/** Minus the sum of the ledger's usage debits. */
	ledger_usage_usd: z.number(),
	/** Requests with a user and a cost but no ledger debit: money the gateway spent and never charged. */
	uncharged_requests: z.number(),
	uncharged_cost_usd: z.number(),
	/**
	 * Requests served whose usage record has not reached the log: waiting in the spool (the queue refused it) or
	 * dead-lettered and not replayed (GET /api/jobs/dead). Their cost counts in drift_usd until they are stored.
	 */
	unrecorded_requests: z.number(),
	unrecorded_cost_usd: z.number(),
	problems: z.array(
		z.object({
			kind: z.enum(["user_balance", "token_spent", "usage_total", "uncharged_usage", "unrecorded_usage"]),
			/** The user or token at fault; null for totals. */
			id: z.number().nullable(),
			/** What the ledger says. */
			expected_usd: z.number(),
			/** What the balance, spend or usage log says. */
			actual_usd: z.number(),
			drift_usd: z.number(),
		}),
	),
	checked_at: z.string(),
});
