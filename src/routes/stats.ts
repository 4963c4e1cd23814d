import { Hono } from "hono";
import type { z } from "zod";
import { scopeToOwner } from "../auth/policy";
import type { Principal } from "../auth/principal";
import { toUsd } from "../billing/money";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { bucketStart, type SeriesPeriod } from "../rollups/buckets";
import { minuteSeries } from "../rollups/minutes";
import { isFiltered, type RollupQuery, timeseries, top } from "../rollups/read";
import { refusalsBetween } from "../rollups/refusals";
import { rollupRecent } from "../rollups/rollup";
import { refreshResponse, refusalsQuery, refusalsResponse, timeseriesQuery, timeseriesResponse, topQuery, topResponse } from "./stats-schemas";

/** The range and filters as the caller may ask them: a user sees only their own usage, whether or not they name themselves. */
function scoped(q: z.output<typeof timeseriesQuery>, principal: Principal): Omit<RollupQuery, "period"> {
	return { from: q.from, to: q.to, model: q.model, channelId: q.channel_id, tokenId: q.token_id, userId: scopeToOwner(principal, q.user_id) };
}

/** A minute's points come from the raw logs, exact whatever the filter; hours and days from the rollups. */
async function series(env: Env, period: SeriesPeriod, q: Omit<RollupQuery, "period">) {
	if (period === "minute") return { percentiles: "exact" as const, rows: await minuteSeries(env, q) };
	const rollups = { ...q, period };
	return { percentiles: isFiltered(rollups) ? ("approximate" as const) : ("exact" as const), rows: await timeseries(env, rollups) };
}

/** The counts every stats row carries, as the API shows them. */
const totals = (row: {
	requests: number;
	errors: number;
	promptTokens: number;
	completionTokens: number;
	cachedTokens: number;
	costNusd: number;
	cacheHits: number;
	savedNusd: number;
}) => ({
	requests: row.requests,
	errors: row.errors,
	prompt_tokens: row.promptTokens,
	completion_tokens: row.completionTokens,
	cached_tokens: row.cachedTokens,
	cost_usd: toUsd(row.costNusd),
	cache_hits: row.cacheHits,
	saved_usd: toUsd(row.savedNusd),
});

const range = (q: { period: SeriesPeriod; from: number; to: number }) => ({
	period: q.period,
	from: new Date(bucketStart(q.period, q.from)).toISOString(),
	to: new Date(q.to).toISOString(),
});

export const statsRoutes = new Hono<AppEnv>()
	// The cron recomputes rollups every 10 minutes; the dashboard asks for it now, so a request shows at once.
	.post("/refresh", async (c) => c.json({ ok: true as const, rows: await rollupRecent(c.env, Date.now()) }))
	.get("/timeseries", valid("query", timeseriesQuery), async (c) => {
		const query = c.req.valid("query");
		const q = scoped(query, c.get("principal"));
		const { percentiles, rows } = await series(c.env, query.period, q);
		return c.json({
			...range({ ...q, period: query.period }),
			percentiles,
			data: rows.map((row) => ({
				bucket_start: new Date(row.bucketStart).toISOString(),
				...totals(row),
				latency_p50_ms: row.latencyP50Ms,
				latency_p95_ms: row.latencyP95Ms,
				ttfb_p50_ms: row.ttfbP50Ms,
				ttfb_p95_ms: row.ttfbP95Ms,
			})),
		});
	})
	// Relay requests refused before any key was accepted: counted, since they write no usage row (middleware/usage-meter.ts).
	.get("/refusals", valid("query", refusalsQuery), async (c) => {
		const q = c.req.valid("query");
		const rows = await refusalsBetween(c.env, q.from, q.to);
		return c.json({
			...range({ period: "hour", from: q.from, to: q.to }),
			data: rows.map((row) => ({ bucket_start: new Date(row.bucketStart).toISOString(), code: row.code, count: row.count })),
		});
	})
	.get("/top", valid("query", topQuery), async (c) => {
		const query = c.req.valid("query");
		const q = { ...scoped(query, c.get("principal")), period: query.period };
		const rows = await top(c.env, q, query.by, query.limit, query.order);
		return c.json({
			...range(q),
			by: query.by,
			data: rows.map((row) => ({
				key: row.key,
				...totals(row),
			})),
		});
	});

export const statsDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/api/stats/refresh",
		summary: "Recompute the rollups of the current and previous hour and day now, as the cron does every 10 minutes",
		tag: "Usage",
		auth: "admin",
		response: refreshResponse,
	},
	{
		method: "get",
		path: "/api/stats/timeseries",
		summary:
			"Requests, errors, tokens, cost and latency percentiles per hour or day (from the rollups) or per minute (from the raw logs, for ranges of a few hours); a key sees only its user's usage",
		tag: "Usage",
		auth: "user",
		query: timeseriesQuery,
		response: timeseriesResponse,
		errors: [403],
	},
	{
		method: "get",
		path: "/api/stats/refusals",
		summary: "Relay requests refused before any key was accepted (they leave no usage row), per hour and error code",
		tag: "Usage",
		auth: "admin",
		query: refusalsQuery,
		response: refusalsResponse,
	},
	{
		method: "get",
		path: "/api/stats/top",
		summary: "The busiest models, channels, keys or users of a range, by requests, with their cost and response-cache hits and savings",
		tag: "Usage",
		auth: "user",
		query: topQuery,
		response: topResponse,
		errors: [403],
	},
];
