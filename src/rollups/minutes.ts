import { z } from "zod";
import { bucketStart, PERIOD_MS } from "./buckets";
import type { RollupQuery } from "./read";
import { PERCENTILES, RANKS } from "./rollup-sql";

/** A minute series' range and filters, as a rollup query has them; 0 selects rows that had no id. */
export type MinuteQuery = Omit<RollupQuery, "period">;

// ?1 bucket length, ?2 first bucket start, ?3 end of the range; ?4–?7 the filters, null when not applied.
// The created_at range is what the index serves; the range is bounded (MAX_BUCKETS minutes), so is the scan.
const MINUTE_SERIES = `WITH raw AS (
		SELECT created_at - created_at % ?1 AS bucket_start,
			status, prompt_tokens, completion_tokens, cached_tokens, cost_nusd, cache_hit IS NOT NULL AS cache_hit, saved_nusd,
			latency_ms, ttfb_ms
		FROM usage_logs
		WHERE created_at >= ?2 AND created_at < ?3
			AND (?4 IS NULL OR model = ?4)
			AND (?5 IS NULL OR coalesce(channel_id, 0) = ?5)
			AND (?6 IS NULL OR coalesce(token_id, 0) = ?6)
			AND (?7 IS NULL OR coalesce(user_id, 0) = ?7)
	),
	ranked AS (SELECT *, ${RANKS} FROM raw WINDOW g AS (PARTITION BY bucket_start))
	SELECT bucket_start, count(*), sum(status >= 400), sum(prompt_tokens), sum(completion_tokens), sum(cached_tokens),
		sum(cost_nusd), sum(cache_hit), sum(saved_nusd), ${PERCENTILES}
	FROM ranked GROUP BY bucket_start ORDER BY bucket_start`;

const count = z.number().int();
const percentile = z.number().nullable();
const row = z
	.tuple([count, count, count, count, count, count, count, count, count, percentile, percentile, percentile, percentile])
	.transform(([bucketStart, requests, errors, promptTokens, completionTokens, cachedTokens, costNusd, cacheHits, savedNusd, p50, p95, ttfb50, ttfb95]) => ({
		bucketStart,
		requests,
		errors,
		promptTokens,
		completionTokens,
		cachedTokens,
		costNusd,
		cacheHits,
		savedNusd,
		latencyP50Ms: p50,
		latencyP95Ms: p95,
		ttfbP50Ms: ttfb50,
		ttfbP95Ms: ttfb95,
	}));

/**
 * One point per minute that had requests, oldest first, counted from the raw logs: the rollups have no minutes.
 * Percentiles are exact over the matching requests, filtered or not. Rows pruned by retention are gone.
 */
export async function minuteSeries(env: Env, q: MinuteQuery) {
	const rows = await env.DB.prepare(MINUTE_SERIES)
		.bind(PERIOD_MS.minute, bucketStart("minute", q.from), q.to, q.model ?? null, q.channelId ?? null, q.tokenId ?? null, q.userId ?? null)
		.raw();
	return z.array(row).parse(rows);
}
