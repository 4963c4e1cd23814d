import type { Actual, Scope } from "./governor-types";

const WHO: Record<Exclude<Scope["kind"], "login">, string> = {
	token: "token_id = ?1",
	user: "user_id = ?1",
	group: `user_id IN (SELECT id FROM users WHERE "group" = ?1)`,
};

/**
 * What a scope has spent so far, from the ledger (usage debits less refunds, by request time): where a governor
 * starts from when it is created or its limits change. The ledger lags the relay by the usage queue's batch
 * (about a second), which is the only spend a governor can miss this way.
 */
export async function ledgerSpend(db: D1Database, scope: Scope, dayStart: number, monthStart: number): Promise<{ day: number; month: number; total: number }> {
	// Sign-in attempts spend nothing.
	if (scope.kind === "login") return { day: 0, month: 0, total: 0 };
	const row = await db
		.prepare(
			`SELECT coalesce(-sum(amount_nusd), 0) AS total,
				coalesce(-sum(CASE WHEN created_at >= ?2 THEN amount_nusd END), 0) AS month,
				coalesce(-sum(CASE WHEN created_at >= ?3 THEN amount_nusd END), 0) AS day
			FROM ledger_entries WHERE kind IN ('usage', 'refund') AND ${WHO[scope.kind]}`,
		)
		.bind(scope.kind === "group" ? scope.id : Number(scope.id), monthStart, dayStart)
		.first<{ total: number; month: number; day: number }>();
	return { day: row?.day ?? 0, month: row?.month ?? 0, total: row?.total ?? 0 };
}

/** A request's recorded usage, when its settlement never reached the governor but its usage record reached D1. */
export async function recordedUsage(db: D1Database, requestId: string): Promise<Actual | undefined> {
	const row = await db
		.prepare("SELECT cost_nusd AS cost, prompt_tokens + completion_tokens AS tokens FROM usage_logs WHERE request_id = ?1")
		.bind(requestId)
		.first<{ cost: number; tokens: number }>();
	return row ? { costNusd: row.cost, tokens: row.tokens } : undefined;
}
