import { z } from "zod";
import type { GovernorView, Limits, RateStanding } from "../../durable-objects/governor-types";
import { toNusd, toUsd } from "../billing/money";

const count = (max: number) => z.number().int().positive().max(max).nullish();
const usd = z.number().min(0).max(1_000_000_000).nullish();

/** The limits a key, user or group may carry, as the API takes them: each omitted (unchanged) or null (no limit). */
export const limitFields = {
	/** Requests per minute. */
	rpm: count(10_000_000),
	/** Tokens per minute, prompt and output together. */
	tpm: count(1_000_000_000),
	/** Requests in flight at once. */
	max_concurrency: count(100_000),
	/** USD per UTC day. */
	budget_daily_usd: usd,
	/** USD per UTC month. */
	budget_monthly_usd: usd,
	/** USD in total, for good. */
	quota_usd: usd,
};

type LimitInput = { [K in keyof typeof limitFields]?: number | null | undefined };

export const limitsView = z.object({
	rpm: z.number().nullable(),
	tpm: z.number().nullable(),
	max_concurrency: z.number().nullable(),
	budget_daily_usd: z.number().nullable(),
	budget_monthly_usd: z.number().nullable(),
	quota_usd: z.number().nullable(),
});

const money = (v: number | null | undefined) => (v === undefined ? undefined : v === null ? null : toNusd(v));

/** The columns to write for the limits given; omitted ones stay as they are. */
export function limitColumns(input: LimitInput): Partial<Limits> {
	const columns: Partial<Limits> = {
		rpm: input.rpm,
		tpm: input.tpm,
		maxConcurrency: input.max_concurrency,
		budgetDailyNusd: money(input.budget_daily_usd),
		budgetMonthlyNusd: money(input.budget_monthly_usd),
		quotaNusd: money(input.quota_usd),
	};
	return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
}

/** A row's limits (its limit columns), as the API shows them. */
export function limitsOf(row: Limits): z.infer<typeof limitsView> {
	const usdOrNull = (v: number | null) => (v === null ? null : toUsd(v));
	return {
		rpm: row.rpm,
		tpm: row.tpm,
		max_concurrency: row.maxConcurrency,
		budget_daily_usd: usdOrNull(row.budgetDailyNusd),
		budget_monthly_usd: usdOrNull(row.budgetMonthlyNusd),
		quota_usd: usdOrNull(row.quotaNusd),
	};
}

const standing = z.object({ limit: z.number(), remaining: z.number(), reset_ms: z.number() }).nullable();

/** A governor's live standing: what GET /api/{tokens,users,groups}/:id/limits returns. */
export const governorStanding = z.object({
	limits: limitsView,
	in_flight: z.number().describe("Requests holding a concurrency slot now"),
	requests: standing.describe("The requests-per-minute window, when an rpm is set"),
	tokens: standing.describe("The tokens-per-minute window, when a tpm is set"),
	spent_usd: z.object({ daily: z.number(), monthly: z.number(), total: z.number() }).describe("Settled spend this UTC day, this UTC month, and in total"),
	held_usd: z.number().describe("Held by requests in flight until they settle"),
});

const standingOf = (s: RateStanding | null) => (s ? { limit: s.limit, remaining: s.remaining, reset_ms: s.resetMs } : null);

export function governorStandingOf(limits: Limits, v: GovernorView): z.infer<typeof governorStanding> {
	return {
		limits: limitsOf(limits),
		in_flight: v.in_flight,
		requests: standingOf(v.requests),
		tokens: standingOf(v.tokens),
		spent_usd: { daily: toUsd(v.spent.daily), monthly: toUsd(v.spent.monthly), total: toUsd(v.spent.total) },
		held_usd: toUsd(v.held_nusd),
	};
}
