/**
 * Whose counters a governor keeps: one object per key, per user and per group, named `<kind>:<id>`; and one per
 * email and per client address for dashboard sign-in attempts ("login", rates only).
 */
export interface Scope {
	kind: "token" | "user" | "group" | "login";
	id: string;
}

export const scopeName = (s: Scope) => `${s.kind}:${s.id}`;

/** Each null for no limit. Budgets in nano-USD. */
export interface Limits {
	rpm: number | null;
	tpm: number | null;
	maxConcurrency: number | null;
	budgetDailyNusd: number | null;
	budgetMonthlyNusd: number | null;
	quotaNusd: number | null;
}

export const NO_LIMITS: Limits = { rpm: null, tpm: null, maxConcurrency: null, budgetDailyNusd: null, budgetMonthlyNusd: null, quotaNusd: null };

export const hasLimits = (l: Limits) => Object.values(l).some((v) => v !== null);

/** Just the limits of a row that has more columns. */
export function pickLimits(row: Limits): Limits {
	const { rpm, tpm, maxConcurrency, budgetDailyNusd, budgetMonthlyNusd, quotaNusd } = row;
	return { rpm, tpm, maxConcurrency, budgetDailyNusd, budgetMonthlyNusd, quotaNusd };
}

/** What a request is expected to use at most, held until it settles. */
export interface ReserveRequest {
	requestId: string;
	scope: Scope;
	limits: Limits;
	/** Prompt estimate plus the output allowed (max_tokens, or the configured default). */
	tokens: number;
	costNusd: number;
	/** Present when a budget that cannot hold the whole request may admit it with less output. */
	output?: OutputTerms;
	/** How long the hold lasts if its settlement never arrives. */
	ttlMs: number;
}

/**
 * How a request's cost grows with its output, so that a governor can grant fewer output tokens than asked: with
 * `g` output tokens it costs at most `baseNusd + g × nusdPerToken` (the dearest channel's prompt and per-request
 * price, and the dearest channel's output price; `costNusd` is that or less for the whole output).
 */
export interface OutputTerms {
	/** The output tokens within `tokens`; the rest is the prompt. */
	tokens: number;
	/** The fewest output tokens worth sending; below that the request is refused. */
	minimum: number;
	baseNusd: number;
	nusdPerToken: number;
}

/** What a request used, from its usage record. */
export interface Actual {
	tokens: number;
	costNusd: number;
}

/** A rate window's standing after a decision, for the x-ratelimit-* headers. */
export interface RateStanding {
	limit: number;
	remaining: number;
	/** Until the window is full again. */
	resetMs: number;
}

export type Period = "daily" | "monthly" | "total";

export type Refusal =
	| { kind: "rate"; limit: "requests" | "tokens" | "concurrency"; message: string; retryAfterMs: number }
	| { kind: "budget"; period: Period; message: string };

export type Decision =
	/** `outputTokens`: the output granted, when the request came with `output` terms (fewer than asked: capped). */
	| { ok: true; outputTokens?: number; requests?: RateStanding; tokens?: RateStanding }
	| { ok: false; refusal: Refusal; requests?: RateStanding; tokens?: RateStanding };

/** A governor as the admin API shows it. */
export interface GovernorView {
	scope: Scope | null;
	limits: Limits;
	in_flight: number;
	requests: RateStanding | null;
	tokens: RateStanding | null;
	/** Settled spend, in nano-USD, for the current UTC day and month and in total. */
	spent: Record<Period, number>;
	/** Held by requests in flight, nano-USD. */
	held_nusd: number;
}
