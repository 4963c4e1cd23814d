import { z } from "zod";
import { bucketEnd, bucketStart, PERIOD_MS, PERIODS, SERIES_PERIODS, type SeriesPeriod } from "../rollups/buckets";

/** What a query may span when it names no `from`. */
const DEFAULT_SPAN: Record<SeriesPeriod, number> = { minute: PERIOD_MS.hour, hour: PERIOD_MS.day, day: 30 * PERIOD_MS.day };
/** Keeps a response, and the rows read for it, bounded: 16.6 hours of minutes (raw logs), 41 days of hours, 2.7 years of days. */
export const MAX_BUCKETS = 1000;

const instant = z
	.union([
		z
			.string()
			.regex(/^\d{1,15}$/)
			.transform(Number),
		z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
		z.iso.date().transform((v) => Date.parse(v)),
	])
	.describe("An ISO 8601 date-time or date (UTC), or milliseconds since the epoch");

const id = z.coerce.number().int().nonnegative().describe("0 selects requests that had none");

const from = instant
	.optional()
	.describe("Start of the range; the bucket holding it is included. Default: 1 hour (period minute), 24 hours (hour) or 30 days (day) before `to`");
const to = instant.optional().describe("End of the range, exclusive. Default: now");

/** The rollups' periods: what `top` reads. */
const range = { period: z.enum(PERIODS).default("hour"), from, to };

const filters = {
	model: z.string().min(1).max(200).optional(),
	channel_id: id.optional(),
	token_id: id.optional(),
	/** A user's key may name only its own user, which is implied. */
	user_id: id.optional(),
};

type Ranged = { period: SeriesPeriod; from?: number | undefined; to?: number | undefined };

/** Fills in the default range and refuses one that is empty or too long. */
function resolveRange<T extends Ranged>(q: T, ctx: z.RefinementCtx): Omit<T, "from" | "to"> & { from: number; to: number } {
	const to = q.to ?? Date.now();
	const from = q.from ?? to - DEFAULT_SPAN[q.period];
	if (from >= to) {
		ctx.addIssue({ code: "custom", path: ["from"], message: "must be before 'to'" });
		return z.NEVER;
	}
	if ((bucketEnd(q.period, to) - bucketStart(q.period, from)) / PERIOD_MS[q.period] > MAX_BUCKETS) {
		ctx.addIssue({ code: "custom", path: ["from"], message: `the range spans more than ${MAX_BUCKETS} ${q.period}s` });
		return z.NEVER;
	}
	return { ...q, from, to };
}

export const timeseriesQuery = z
	.object({
		period: z
			.enum(SERIES_PERIODS)
			.default("hour")
			.describe(`minute: counted from the raw usage logs, for ranges of up to ${MAX_BUCKETS} minutes; hour and day: from the rollups`),
		from,
		to,
		...filters,
	})
	.transform(resolveRange);

export const TOP_DIMENSIONS = ["model", "channel", "token", "user"] as const;

export const topQuery = z
	.object({
		...range,
		...filters,
		by: z.enum(TOP_DIMENSIONS).default("model"),
		limit: z.coerce.number().int().min(1).max(100).default(10),
		/** requests: the busiest; cache_hits: those the response cache answered most often (only those it answered). */
		order: z.enum(["requests", "cache_hits"]).default("requests"),
	})
	.transform(resolveRange);

const totals = {
	requests: z.number(),
	/** Requests answered with a status of 400 or more. */
	errors: z.number(),
	prompt_tokens: z.number(),
	completion_tokens: z.number(),
	cached_tokens: z.number(),
	cost_usd: z.number(),
	/** Requests the response cache answered (their tokens are counted above, their cost is what they were charged). */
	cache_hits: z.number(),
	/** What those hits saved: the answers' cost less what the hits were charged. */
	saved_usd: z.number(),
};

const percentile = z.number().nullable();

export const timeseriesPoint = z.object({
	bucket_start: z.string().describe("ISO 8601, UTC; buckets without requests are absent"),
	...totals,
	latency_p50_ms: percentile,
	latency_p95_ms: percentile,
	ttfb_p50_ms: percentile.describe("Over requests that had a first byte (streams); null when none did"),
	ttfb_p95_ms: percentile,
});

export const timeseriesResponse = z.object({
	period: z.enum(SERIES_PERIODS),
	from: z.string().describe("Start of the first bucket of the range"),
	to: z.string(),
	percentiles: z
		.enum(["exact", "approximate"])
		.describe(
			"exact: over the bucket's matching requests (always for period minute); approximate (hour or day, any filter): the request-weighted mean of the matching groups' percentiles",
		),
	data: z.array(timeseriesPoint),
});

export const topResponse = z.object({
	period: z.enum(PERIODS),
	by: z.enum(TOP_DIMENSIONS),
	from: z.string(),
	to: z.string(),
	data: z.array(
		z.object({
			key: z.union([z.string(), z.number()]).describe("The model name, or the channel, key or user id (0: none)"),
			...totals,
		}),
	),
});

export const refreshResponse = z.object({ ok: z.literal(true), rows: z.number().describe("Rollup rows written") });

/** Hours only: refusals are counted per hour. */
export const refusalsQuery = z.object({ from, to }).transform((q, ctx) => resolveRange({ ...q, period: "hour" as const }, ctx));

export const refusalsResponse = z.object({
	period: z.literal("hour"),
	from: z.string().describe("Start of the first hour of the range"),
	to: z.string(),
	data: z.array(
		z.object({
			bucket_start: z.string().describe("ISO 8601, UTC; hours without refusals are absent"),
			code: z.string().describe("The error the caller got: invalid_api_key (no key, or a wrong one), auth_unavailable …"),
			count: z.number(),
		}),
	),
});
