import { budgetGrant, budgetOf, type Held, PERIODS, type Spend, spentIn } from "./governor-budget";
import type { Actual, Decision, Limits, Period, RateStanding, ReserveRequest, Scope } from "./governor-types";
import { NO_LIMITS } from "./governor-types";

/**
 * A token bucket: `level` units available at `at`, refilling at the limit per minute up to the limit. A request
 * takes one unit (or its token estimate); usage above the estimate can drive it below zero, a debt later
 * requests wait out.
 */
export interface Bucket {
	level: number;
	at: number;
}

/** What a request in flight holds: its tokens in the TPM bucket, its cost against the budgets, a concurrency slot. */
export interface Hold {
	tokens: number;
	costNusd: number;
	expiresAt: number;
}

export interface GovernorState {
	scope: Scope | null;
	limits: Limits;
	requests: Bucket | null;
	tokens: Bucket | null;
	spend: Spend;
	/** Budget alerts already sent, by `<threshold|exhausted>:<period>:<period key>`: each is sent once. */
	alerted: Record<string, number>;
}

export interface BudgetEvent {
	type: "budget.threshold" | "budget.exhausted";
	period: Period;
	percent: number;
	limitNusd: number;
	spentNusd: number;
}

const MINUTE = 60_000;
export const ALERT_THRESHOLDS = [80, 100] as const;
// A client refused for concurrency has no reset time to wait for; one second is a fair hint.
const CONCURRENCY_RETRY_MS = 1_000;

export const dayOf = (now: number) => new Date(now).toISOString().slice(0, 10);
export const monthOf = (now: number) => new Date(now).toISOString().slice(0, 7);

export function initialState(now: number): GovernorState {
	return {
		scope: null,
		limits: NO_LIMITS,
		requests: null,
		tokens: null,
		spend: { day: dayOf(now), dayNusd: 0, month: monthOf(now), monthNusd: 0, totalNusd: 0 },
		alerted: {},
	};
}

function refill(bucket: Bucket | null, limit: number | null, now: number): Bucket | null {
	if (limit === null) return null;
	if (!bucket) return { level: limit, at: now };
	const elapsed = Math.max(0, now - bucket.at);
	return { level: Math.min(limit, bucket.level + (elapsed * limit) / MINUTE), at: now };
}

function standing(bucket: Bucket | null, limit: number | null): RateStanding | undefined {
	if (!bucket || limit === null) return undefined;
	return { limit, remaining: Math.max(0, Math.floor(bucket.level)), resetMs: Math.ceil(((limit - bucket.level) * MINUTE) / limit) };
}

/** Time until the bucket holds `needed` units. */
const waitFor = (bucket: Bucket, limit: number, needed: number) => Math.max(1, Math.ceil(((needed - bucket.level) * MINUTE) / limit));

export function rollSpend(spend: Spend, now: number): Spend {
	const day = dayOf(now);
	const month = monthOf(now);
	if (day === spend.day && month === spend.month) return spend;
	return {
		day,
		dayNusd: day === spend.day ? spend.dayNusd : 0,
		month,
		monthNusd: month === spend.month ? spend.monthNusd : 0,
		totalNusd: spend.totalNusd,
	};
}

const periodKey = (spend: Spend, period: Period) => `${period}:${period === "daily" ? spend.day : period === "monthly" ? spend.month : "all"}`;

/** The state brought up to `now` under `limits`: buckets refilled (created or dropped as limits come and go), periods rolled. */
export function advance(state: GovernorState, limits: Limits, now: number): GovernorState {
	const spend = rollSpend(state.spend, now);
	const alerted = spend === state.spend ? state.alerted : pruneAlerts(state.alerted, spend);
	return {
		...state,
		limits,
		requests: refill(state.requests, limits.rpm, now),
		tokens: refill(state.tokens, limits.tpm, now),
		spend,
		alerted,
	};
}

function pruneAlerts(alerted: Record<string, number>, spend: Spend): Record<string, number> {
	const current = new Set(PERIODS.map((p) => periodKey(spend, p)));
	return Object.fromEntries(Object.entries(alerted).filter(([k]) => current.has(k.slice(k.indexOf(":") + 1))));
}

/**
 * Admits a request or says why not. Admitting takes a request from the RPM bucket and the token estimate (at most
 * the whole TPM) from the TPM bucket, and grants the output the budgets pay for (see `budgetGrant`); the caller
 * records the hold. Checked in the order a client can act on: concurrency, requests, tokens, then the budgets,
 * which include what requests in flight hold.
 */
export function decide(state: GovernorState, held: Held, req: ReserveRequest): { state: GovernorState; decision: Decision; tokens: number; costNusd: number } {
	const { limits } = state;
	const grant = budgetGrant(limits, state.spend, held, req);
	// A request granted less output holds less of the TPM too.
	const tokensAsked = grant.ok && req.output && grant.outputTokens !== undefined ? req.tokens - req.output.tokens + grant.outputTokens : req.tokens;
	const tokensNeeded = limits.tpm === null ? 0 : Math.min(tokensAsked, limits.tpm);
	const refuse = (refusal: Extract<Decision, { ok: false }>["refusal"]) => ({
		state,
		tokens: 0,
		costNusd: 0,
		decision: { ok: false as const, refusal, ...rateHeaders(state) },
	});
	if (limits.maxConcurrency !== null && held.count >= limits.maxConcurrency) {
		return refuse({
			kind: "rate",
			limit: "concurrency",
			retryAfterMs: CONCURRENCY_RETRY_MS,
			message: `Too many concurrent requests: the limit is ${limits.maxConcurrency} at a time`,
		});
	}
	if (state.requests && limits.rpm !== null && state.requests.level < 1) {
		return refuse({
			kind: "rate",
			limit: "requests",
			retryAfterMs: waitFor(state.requests, limits.rpm, 1),
			message: `Rate limit reached: ${limits.rpm} requests per minute`,
		});
	}
	if (state.tokens && limits.tpm !== null && state.tokens.level < tokensNeeded) {
		return refuse({
			kind: "rate",
			limit: "tokens",
			retryAfterMs: waitFor(state.tokens, limits.tpm, tokensNeeded),
			message: `Rate limit reached: ${limits.tpm} tokens per minute (this request may use up to ${tokensNeeded})`,
		});
	}
	if (!grant.ok) return refuse({ kind: "budget", period: grant.period, message: grant.message });
	const next: GovernorState = {
		...state,
		requests: state.requests && { ...state.requests, level: state.requests.level - 1 },
		tokens: state.tokens && { ...state.tokens, level: state.tokens.level - tokensNeeded },
	};
	const output = grant.outputTokens === undefined ? {} : { outputTokens: grant.outputTokens };
	return { state: next, tokens: tokensNeeded, costNusd: grant.costNusd, decision: { ok: true, ...output, ...rateHeaders(next) } };
}

function rateHeaders(state: GovernorState): { requests?: RateStanding; tokens?: RateStanding } {
	const requests = standing(state.requests, state.limits.rpm);
	const tokens = standing(state.tokens, state.limits.tpm);
	return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

/** A request's real usage replaces its hold (undefined: the hold already expired): the TPM gets back the difference, the spend grows. */
export function settle(state: GovernorState, hold: Hold | undefined, actual: Actual): GovernorState {
	return {
		...state,
		tokens: state.tokens && { ...state.tokens, level: state.tokens.level + (hold?.tokens ?? 0) - actual.tokens },
		spend: {
			...state.spend,
			dayNusd: state.spend.dayNusd + actual.costNusd,
			monthNusd: state.spend.monthNusd + actual.costNusd,
			totalNusd: state.spend.totalNusd + actual.costNusd,
		},
	};
}

/** A hold given back unused: its tokens, and its request too when the request never went out. */
export function release(state: GovernorState, hold: Hold, returnRequest: boolean): GovernorState {
	return {
		...state,
		requests: state.requests && returnRequest ? { ...state.requests, level: state.requests.level + 1 } : state.requests,
		tokens: state.tokens && { ...state.tokens, level: state.tokens.level + hold.tokens },
	};
}

/** Budget alerts due in `state` not yet sent: the highest threshold crossed per period, and an exhaustion once. */
export function dueAlerts(state: GovernorState, refusedFor?: Period): { state: GovernorState; events: BudgetEvent[] } {
	const events: BudgetEvent[] = [];
	const alerted = { ...state.alerted };
	for (const period of PERIODS) {
		const limitNusd = budgetOf(state.limits, period);
		if (limitNusd === null || limitNusd <= 0) continue;
		const spentNusd = spentIn(state.spend, period);
		const key = periodKey(state.spend, period);
		const percent = Math.floor((spentNusd * 100) / limitNusd);
		const crossed = ALERT_THRESHOLDS.filter((t) => percent >= t).at(-1);
		if (crossed !== undefined && (alerted[`threshold:${key}`] ?? 0) < crossed) {
			alerted[`threshold:${key}`] = crossed;
			events.push({ type: "budget.threshold", period, percent: crossed, limitNusd, spentNusd });
		}
		if (refusedFor === period && !alerted[`exhausted:${key}`]) {
			alerted[`exhausted:${key}`] = 1;
			events.push({ type: "budget.exhausted", period, percent, limitNusd, spentNusd });
		}
	}
	return events.length === 0 ? { state, events } : { state: { ...state, alerted }, events };
}

/** The view's rate standings without taking anything. */
export const standings = rateHeaders;
