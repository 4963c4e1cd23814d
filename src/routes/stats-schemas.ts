import { z } from "zod";
import { bucketEnd, bucketStart, PERIOD_MS, PERIODS, type Period } from "../rollups/buckets";

/** What a query may span when it names no `from`. */
const DEFAULT_SPAN: Record<Period, number> = { hour: PERIOD_MS.day, day: 30 * PERIOD_MS.day };
/** Keeps a response, and the rollup rows read for it, bounded: 41 days of hours, 2.7 years of days. */
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

const range = {
	period: z.enum(PERIODS).default("hour"),
	from: instant.optional().describe("Start of the range; the bucket holding it is included. Default: 24 hours (period hour) or 30 days (day) before `to`"),
	to: instant.optional().describe("End of the range, exclusive. Default: now"),
};

const filters = {
	model: z.string().min(1).max(200).optional(),
	channel_id: id.optional(),
	token_id: id.optional(),
	/** A user's key may name only its own user, which is implied. */
	user_id: id.optional(),
};

type Ranged = { period: Period; from?: number | undefined; to?: number | undefined };

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

export const timeseriesQuery = z.object({ ...range, ...filters }).transform(resolveRange);

export const TOP_DIMENSIONS = ["model", "channel", "token", "user"] as const;

export const topQuery = z
	.object({
		...range,
		...filters,
		by: z.enum(TOP_DIMENSIONS).default("model"),
		limit: z.coerce.number().int().min(1).max(100).default(10),
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
	period: z.enum(PERIODS),
	from: z.string().describe("Start of the first bucket of the range"),
	to: z.string(),
	percentiles: z
		.enum(["exact", "approximate"])
		.describe("exact: over all the bucket's requests; approximate (any filter): the request-weighted mean of the matching groups' percentiles"),
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
export const refusalsQuery = z.object({ from: range.from, to: range.to }).transform((q, ctx) => resolveRange({ ...q, period: "hour" as const }, ctx));

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
