import { and, asc, desc, eq, gte, lt, ne, type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { db } from "../db/client";
import { usageRollups as r } from "../db/schema";
import { bucketStart, type Period } from "./buckets";
import { rollupModel, TOTAL_MODEL } from "./total-row";

/** Which rollups to read; every dimension left undefined is not filtered on. */
export interface RollupQuery {
	period: Period;
	from: number;
	to: number;
	model?: string | undefined;
	channelId?: number | undefined;
	tokenId?: number | undefined;
	userId?: number | undefined;
}

export type Dimension = "model" | "channel" | "token" | "user";

const dimensionColumn = { model: r.model, channel: r.channelId, token: r.tokenId, user: r.userId } as const satisfies Record<Dimension, AnySQLiteColumn>;

export const isFiltered = (q: RollupQuery): boolean => q.model !== undefined || q.channelId !== undefined || q.tokenId !== undefined || q.userId !== undefined;

const sumOf = (column: AnySQLiteColumn) => sql<number>`coalesce(sum(${column}), 0)`.mapWith(Number);

/**
 * Percentiles do not add up; across groups the best the rollups allow is their mean weighted by requests (for
 * ttfb, by the requests of the groups that had one). Over a single row this is that row's exact value.
 */
const weightedMean = (column: AnySQLiteColumn) =>
	sql<number | null>`round(sum(${column} * ${r.requests}) * 1.0 / sum(CASE WHEN ${column} IS NOT NULL THEN ${r.requests} END))`.mapWith(Number);

const totals = {
	requests: sumOf(r.requests),
	errors: sumOf(r.errors),
	promptTokens: sumOf(r.promptTokens),
	completionTokens: sumOf(r.completionTokens),
	cachedTokens: sumOf(r.cachedTokens),
	costNusd: sumOf(r.costNusd),
	cacheHits: sumOf(r.cacheHits),
	savedNusd: sumOf(r.savedNusd),
};

/** The detail rows that match the query, or with no filter the buckets' total rows. */
function matching(q: RollupQuery, detail: boolean): SQL | undefined {
	return and(
		eq(r.period, q.period),
		gte(r.bucketStart, bucketStart(q.period, q.from)),
		lt(r.bucketStart, q.to),
		detail ? ne(r.model, TOTAL_MODEL) : eq(r.model, TOTAL_MODEL),
		q.model === undefined ? undefined : eq(r.model, rollupModel(q.model)),
		q.channelId === undefined ? undefined : eq(r.channelId, q.channelId),
		q.tokenId === undefined ? undefined : eq(r.tokenId, q.tokenId),
		q.userId === undefined ? undefined : eq(r.userId, q.userId),
	);
}

/** One point per bucket that had requests, oldest first. */
export function timeseries(env: Env, q: RollupQuery) {
	return db(env)
		.select({
			bucketStart: r.bucketStart,
			...totals,
			latencyP50Ms: weightedMean(r.latencyP50Ms),
			latencyP95Ms: weightedMean(r.latencyP95Ms),
			ttfbP50Ms: weightedMean(r.ttfbP50Ms),
			ttfbP95Ms: weightedMean(r.ttfbP95Ms),
		})
		.from(r)
		.where(matching(q, isFiltered(q)))
		.groupBy(r.bucketStart)
		.orderBy(asc(r.bucketStart));
}

/** What a top list ranks by: requests, or the response cache's hits (then only those that had any). */
export type TopOrder = "requests" | "cache_hits";

/** The busiest models, channels, keys or users of the range, by requests or by response-cache hits. */
export function top(env: Env, q: RollupQuery, by: Dimension, limit: number, order: TopOrder = "requests") {
	const key = dimensionColumn[by];
	const rows = db(env)
		.select({ key: sql<string | number>`${key}`, ...totals })
		.from(r)
		.where(matching(q, true))
		.groupBy(key);
	const ranked =
		order === "cache_hits"
			? rows.having(sql`${totals.cacheHits} > 0`).orderBy(desc(totals.cacheHits), desc(totals.requests), asc(key))
			: rows.orderBy(desc(totals.requests), asc(key));
	return ranked.limit(limit);
}
