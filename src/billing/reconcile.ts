import { z } from "zod";

export type ProblemKind = "user_balance" | "token_spent" | "usage_total" | "uncharged_usage" | "unrecorded_usage";

/** A disagreement between the ledger and what was derived from it, in nano-USD. */
export interface Problem {
	kind: ProblemKind;
	id: number | null;
	expectedNusd: number;
	actualNusd: number;
}

export interface Reconciliation {
	driftNusd: number;
	usersChecked: number;
	tokensChecked: number;
	usageCostNusd: number;
	ledgerUsageNusd: number;
	unchargedRequests: number;
	unchargedCostNusd: number;
	/** Requests served whose record is not in usage_logs: spooled, or dead-lettered and not replayed. */
	unrecordedRequests: number;
	unrecordedCostNusd: number;
	problems: Problem[];
}

/** Enough rows to act on; the totals above always cover every row. */
const PROBLEM_LIMIT = 100;

// What each balance should be by the ledger (expected) beside what it is (actual).
const USER_BALANCES = `SELECT u.id AS id, coalesce(l.total, 0) AS expected, u.balance_nusd AS actual
	FROM users u LEFT JOIN (SELECT user_id, sum(amount_nusd) AS total FROM ledger_entries GROUP BY user_id) l ON l.user_id = u.id`;
// A key's spend is what its usage cost less what was refunded: minus the sum of its usage and refund entries.
const TOKEN_SPENDS = `SELECT t.id AS id, -coalesce(l.total, 0) AS expected, t.spent_nusd AS actual
	FROM tokens t LEFT JOIN (
		SELECT token_id, sum(amount_nusd) AS total FROM ledger_entries
		WHERE kind IN ('usage', 'refund') AND token_id IS NOT NULL GROUP BY token_id
	) l ON l.token_id = t.id`;
const totals = (rows: string) => `SELECT count(*) AS n, coalesce(sum(abs(actual - expected)), 0) AS drift FROM (${rows})`;
const mismatches = (rows: string) => `SELECT id, expected, actual FROM (${rows}) WHERE actual != expected ORDER BY id LIMIT ${PROBLEM_LIMIT}`;
// The consumer charges a request under the idempotency key 'usage:<request id>' (queues/usage-consumer.ts).
const charged = "EXISTS (SELECT 1 FROM ledger_entries l WHERE l.idempotency_key = 'usage:' || u.request_id)";
const USAGE_TOTALS = `SELECT
	(SELECT coalesce(-sum(amount_nusd), 0) FROM ledger_entries WHERE kind = 'usage') AS ledger_usage,
	(SELECT coalesce(sum(cost_nusd), 0) FROM usage_logs u WHERE user_id IS NOT NULL AND ${charged}) AS usage_cost,
	(SELECT count(*) FROM usage_logs u WHERE user_id IS NOT NULL AND cost_nusd > 0 AND NOT ${charged}) AS uncharged_n,
	(SELECT coalesce(sum(cost_nusd), 0) FROM usage_logs u WHERE user_id IS NOT NULL AND cost_nusd > 0 AND NOT ${charged}) AS uncharged_cost`;

// What was served and has not reached usage_logs. Every served request makes exactly one record; past the relay's
// memory (see the README on what an isolate that dies can lose), a record is in usage_logs, in the spool (the queue
// refused it), or in dead_jobs (the consumer refused it, or its message ran out of retries). The last two are kept
// apart from usage_logs, so they are what the log is checked against. A record also stored (a duplicate delivery)
// is not counted, nor is a dead letter already replayed. A served-request counter kept apart from the records would
// cost every request a D1 write or a Durable Object call; the spool and dead_jobs are written only on failure.
const UNRECORDED = `SELECT count(*) AS n,
		coalesce(sum(CASE json_type(j.value, '$.cost_nusd') WHEN 'integer' THEN j.value ->> 'cost_nusd' ELSE 0 END), 0) AS cost
	FROM (
		SELECT body FROM usage_spool WHERE json_valid(body)
		UNION ALL
		SELECT body FROM dead_jobs WHERE queue = 'edge-gateway-usage' AND replayed_at IS NULL AND json_valid(body)
	) k, json_each(k.body, '$.records') j
	WHERE json_type(k.body, '$.records') = 'array'
		AND NOT EXISTS (SELECT 1 FROM usage_logs u WHERE u.request_id = j.value ->> 'request_id')`;

// D1 rows are unknown at runtime; parsing them keeps a changed query from producing NaN money quietly.
const totalsRow = z.object({ n: z.number(), drift: z.number() });
const mismatchRow = z.object({ id: z.number(), expected: z.number(), actual: z.number() });
const usageRow = z.object({ ledger_usage: z.number(), usage_cost: z.number(), uncharged_n: z.number(), uncharged_cost: z.number() });
const unrecordedRow = z.object({ n: z.number(), cost: z.number() });

/**
 * Checks the books: every user's balance against the sum of their ledger, every key's spend against its usage
 * and refund entries, the usage log's costs against the ledger's usage debits, and the usage log against what was
 * served and never reached it (spooled or dead-lettered records). One D1 batch is one
 * transaction, so every check reads the same moment even while usage is being charged.
 */
export async function reconcile(env: Env): Promise<Reconciliation> {
	const [users, userRows, tokens, tokenRows, usage, unrecorded] = await env.DB.batch([
		env.DB.prepare(totals(USER_BALANCES)),
		env.DB.prepare(mismatches(USER_BALANCES)),
		env.DB.prepare(totals(TOKEN_SPENDS)),
		env.DB.prepare(mismatches(TOKEN_SPENDS)),
		env.DB.prepare(USAGE_TOTALS),
		env.DB.prepare(UNRECORDED),
	]);
	const userTotals = totalsRow.parse(users?.results[0]);
	const tokenTotals = totalsRow.parse(tokens?.results[0]);
	const u = usageRow.parse(usage?.results[0]);
	const lost = unrecordedRow.parse(unrecorded?.results[0]);
	const problem = (kind: ProblemKind, rows: unknown[] | undefined): Problem[] =>
		z
			.array(mismatchRow)
			.parse(rows ?? [])
			.map((r) => ({ kind, id: r.id, expectedNusd: r.expected, actualNusd: r.actual }));
	const problems = [...problem("user_balance", userRows?.results), ...problem("token_spent", tokenRows?.results)];
	if (u.usage_cost !== u.ledger_usage) problems.push({ kind: "usage_total", id: null, expectedNusd: u.ledger_usage, actualNusd: u.usage_cost });
	if (u.uncharged_n > 0) problems.push({ kind: "uncharged_usage", id: null, expectedNusd: 0, actualNusd: u.uncharged_cost });
	if (lost.n > 0) problems.push({ kind: "unrecorded_usage", id: null, expectedNusd: lost.cost, actualNusd: 0 });
	return {
		driftNusd: userTotals.drift + tokenTotals.drift + Math.abs(u.usage_cost - u.ledger_usage) + u.uncharged_cost + lost.cost,
		usersChecked: userTotals.n,
		tokensChecked: tokenTotals.n,
		usageCostNusd: u.usage_cost,
		ledgerUsageNusd: u.ledger_usage,
		unchargedRequests: u.uncharged_n,
		unchargedCostNusd: u.uncharged_cost,
		unrecordedRequests: lost.n,
		unrecordedCostNusd: lost.cost,
		problems,
	};
}
