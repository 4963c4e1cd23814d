import type { alertRules } from "../db/schema";

export type AlertRule = typeof alertRules.$inferSelect;

/** One subject's value of a rule's metric over the window, and the requests it was measured over. */
export interface Measurement {
	subject: string;
	value: number;
	requests: number;
}

/** The subject a usage row counts for under each scope, as text ("" for the whole gateway). */
const SUBJECT = {
	all: "''",
	model: "model",
	channel: "CAST(channel_id AS TEXT)",
	key: "CAST(token_id AS TEXT)",
} as const;

/** Rows a scope can say something about: a request with no channel (refused early) belongs to no channel. */
const SCOPED = { all: "", model: "", channel: " AND channel_id IS NOT NULL", key: " AND token_id IS NOT NULL" } as const;

/** The error rate counts the gateway's and the upstreams' failures (5xx); a 4xx is the client's doing. */
const AGGREGATE = {
	error_rate: "AVG(CASE WHEN status >= 500 THEN 1.0 ELSE 0.0 END)",
	spend_usd: "SUM(cost_nusd) / 1e9",
} as const;

const PERCENTILE_OF = { p95_latency_ms: "latency_ms", p95_ttfb_ms: "ttfb_ms" } as const;

/**
 * The SQL measuring a rule over usage_logs in (?1, ?2], for ?3 only when the rule names a subject, keeping only the
 * groups with at least ?4 requests. The 95th percentile is the nearest-rank one, exact: each group's rows are
 * numbered in value order and the row at rank ceil(0.95 n) is read (a window function, one pass in D1).
 */
function measureSql(rule: AlertRule): string {
	const subject = SUBJECT[rule.scope];
	const where = `created_at > ?1 AND created_at <= ?2${SCOPED[rule.scope]}${rule.subject === null || rule.scope === "all" ? "" : ` AND ${subject} = ?3`}`;
	if (rule.metric === "error_rate" || rule.metric === "spend_usd") {
		return `SELECT ${subject} AS subject, ${AGGREGATE[rule.metric]} AS value, COUNT(*) AS requests FROM usage_logs
			WHERE ${where} GROUP BY 1 HAVING COUNT(*) >= ?4 LIMIT 1000`;
	}
	const column = PERCENTILE_OF[rule.metric];
	return `SELECT subject, v AS value, n AS requests FROM (
			SELECT ${subject} AS subject, ${column} AS v,
				ROW_NUMBER() OVER (PARTITION BY ${subject} ORDER BY ${column}) AS rn,
				COUNT(*) OVER (PARTITION BY ${subject}) AS n
			FROM usage_logs WHERE ${where} AND ${column} IS NOT NULL
		) WHERE rn = (n * 95 + 99) / 100 AND n >= ?4 LIMIT 1000`;
}

/**
 * A rule's metric per subject over the window ending at `now`. Spend is a sum, not a rate: `min_requests` applies
 * to rates and percentiles only (one request can spend too much).
 */
export async function measure(env: Env, rule: AlertRule, now: number): Promise<Measurement[]> {
	const minRequests = rule.metric === "spend_usd" ? 1 : Math.max(1, rule.minRequests);
	const { results } = await env.DB.prepare(measureSql(rule))
		.bind(now - rule.windowMinutes * 60_000, now, rule.subject ?? "", minRequests)
		.all<Measurement>();
	return results;
}
