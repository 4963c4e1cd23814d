import { STAR_ALIAS, TOTAL_MODEL } from "./total-row";

// Parameters of both statements: ?1 period, ?2 its length in ms, ?3 first bucket start, ?4 end of the last bucket.
// `x - x % ?2` floors to the bucket: `%` works on integers whatever type D1 bound the length as.

/** Each row's group size and ranks, over a window `g` that partitions rows into their groups. */
export const RANKS = `count(*) OVER g AS n,
	count(ttfb_ms) OVER g AS ttfb_n,
	row_number() OVER (g ORDER BY latency_ms) AS latency_rank,
	row_number() OVER (g ORDER BY ttfb_ms NULLS LAST) AS ttfb_rank`;

/** A group's p50 and p95 latency and ttfb, from the RANKS of its rows (the ranking is explained at INSERT_BUCKETS). */
export const PERCENTILES = `max(CASE latency_rank WHEN (50 * n + 99) / 100 THEN latency_ms END),
	max(CASE latency_rank WHEN (95 * n + 99) / 100 THEN latency_ms END),
	max(CASE ttfb_rank WHEN (50 * ttfb_n + 99) / 100 THEN ttfb_ms END),
	max(CASE ttfb_rank WHEN (95 * ttfb_n + 99) / 100 THEN ttfb_ms END)`;

/**
 * Clears the buckets about to be recomputed, but only those that still have raw logs: retention removes logs
 * in whole UTC days, so a bucket without logs was pruned and its rollups are all that is left of it.
 */
export const DELETE_BUCKETS = `DELETE FROM usage_rollups
	WHERE period = ?1 AND bucket_start >= ?3 AND bucket_start < ?4
	AND EXISTS (SELECT 1 FROM usage_logs WHERE created_at >= usage_rollups.bucket_start AND created_at < usage_rollups.bucket_start + ?2)`;

/**
 * Every bucket of the range in one statement: each request is counted in its group and again in its bucket's
 * total row. Percentiles are nearest-rank, the value at rank ceil(p × n) among the group's sorted values, with
 * ceil(p × n) in integer arithmetic ((100p × n + 99) / 100) so no float rounding can pick the wrong rank.
 * Null ttfb values sort last and are not counted, so they never take a rank. A response-cache hit counts as a request
 * (its latency too) and in cache_hits, with what it saved.
 */
export const INSERT_BUCKETS = `WITH raw AS (
		SELECT created_at - created_at % ?2 AS bucket_start,
			CASE model WHEN '${TOTAL_MODEL}' THEN '${STAR_ALIAS}' ELSE model END AS model,
			coalesce(channel_id, 0) AS channel_id, coalesce(token_id, 0) AS token_id, coalesce(user_id, 0) AS user_id,
			status, prompt_tokens, completion_tokens, cached_tokens, cost_nusd, cache_hit IS NOT NULL AS cache_hit, saved_nusd,
			latency_ms, ttfb_ms
		FROM usage_logs WHERE created_at >= ?3 AND created_at < ?4
	),
	grouped AS (
		SELECT * FROM raw
		UNION ALL
		SELECT bucket_start, '${TOTAL_MODEL}', 0, 0, 0, status, prompt_tokens, completion_tokens, cached_tokens, cost_nusd, cache_hit, saved_nusd,
			latency_ms, ttfb_ms
		FROM raw
	),
	ranked AS (
		SELECT *,
			${RANKS}
		FROM grouped
		WINDOW g AS (PARTITION BY bucket_start, model, channel_id, token_id, user_id)
	)
	INSERT INTO usage_rollups (period, bucket_start, model, channel_id, token_id, user_id, requests, errors, prompt_tokens,
		completion_tokens, cached_tokens, cost_nusd, cache_hits, saved_nusd, latency_p50_ms, latency_p95_ms, ttfb_p50_ms, ttfb_p95_ms)
	SELECT ?1, bucket_start, model, channel_id, token_id, user_id, count(*), sum(status >= 400), sum(prompt_tokens),
		sum(completion_tokens), sum(cached_tokens), sum(cost_nusd), sum(cache_hit), sum(saved_nusd), ${PERCENTILES}
	FROM ranked
	GROUP BY bucket_start, model, channel_id, token_id, user_id`;

/** Oldest first, through the created_at index, a bounded number of rows per statement. */
export const PRUNE_LOGS = `DELETE FROM usage_logs
	WHERE rowid IN (SELECT rowid FROM usage_logs WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)`;
