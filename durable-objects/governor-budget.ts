import type { Limits, Period, ReserveRequest } from "./governor-types";

/** Settled spend in nano-USD, per UTC day and month (reset when the day or month changes) and in total. */
export interface Spend {
	day: string;
	dayNusd: number;
	month: string;
	monthNusd: number;
	totalNusd: number;
}

/** What the requests in flight hold together. */
export interface Held {
	count: number;
	costNusd: number;
}

/** What the budgets allow a request: its output (all it asked for, or fewer tokens) and the cost held for it. */
export type BudgetGrant = { ok: true; outputTokens: number | undefined; costNusd: number } | { ok: false; period: Period; message: string };

export const PERIODS: readonly Period[] = ["daily", "monthly", "total"];
const PERIOD_WORDS: Record<Period, string> = { daily: "daily budget", monthly: "monthly budget", total: "quota" };

export const spentIn = (spend: Spend, period: Period) => (period === "daily" ? spend.dayNusd : period === "monthly" ? spend.monthNusd : spend.totalNusd);

export const budgetOf = (limits: Limits, period: Period) =>
	period === "daily" ? limits.budgetDailyNusd : period === "monthly" ? limits.budgetMonthlyNusd : limits.quotaNusd;

export const usd = (nusd: number) => `$${(nusd / 1e9).toFixed(nusd % 1e7 === 0 ? 2 : 6)}`;

/**
 * The budgets' answer to a request, counting what requests in flight hold. A request that every budget can hold
 * whole is granted all it asked for. One that does not fit, but came with output terms, is granted the output the
 * tightest budget still pays for after its prompt, if that is at least its minimum: a small budget then serves
 * short answers instead of refusing every request for the output it might use. Holds are whole nano-USD, and what
 * is held never exceeds what is left, so concurrent requests together never hold more than a budget.
 */
export function budgetGrant(limits: Limits, spend: Spend, held: Held, req: ReserveRequest): BudgetGrant {
	const whole: BudgetGrant = { ok: true, outputTokens: req.output?.tokens, costNusd: req.costNusd };
	let tightest: { period: Period; budget: number; room: number } | undefined;
	let short: typeof tightest;
	// Output can be cut only when it costs something; `least` is what the request needs held at the very least.
	const out = req.output && req.output.nusdPerToken > 0 ? req.output : undefined;
	const minimum = out ? Math.min(out.minimum, out.tokens) : 0;
	const least = out ? Math.ceil(out.baseNusd + minimum * out.nusdPerToken) : req.costNusd;
	let wholeFits = true;
	for (const period of PERIODS) {
		const budget = budgetOf(limits, period);
		if (budget === null) continue;
		const room = budget - spentIn(spend, period) - held.costNusd;
		if (room <= 0 || req.costNusd > room) wholeFits = false;
		if (!tightest || room < tightest.room) tightest = { period, budget, room };
		if (!short && (room <= 0 || least > room)) short = { period, budget, room };
	}
	if (wholeFits || !tightest) return whole;
	if (out && !short) {
		const { room } = tightest;
		let granted = Math.min(out.tokens, Math.floor((room - out.baseNusd) / out.nusdPerToken));
		// Floating point may put the cost of `granted` a hair above the room.
		if (Math.ceil(out.baseNusd + granted * out.nusdPerToken) > room) granted--;
		if (granted >= minimum) return { ok: true, outputTokens: granted, costNusd: Math.ceil(out.baseNusd + granted * out.nusdPerToken) };
	}
	const refused = short ?? tightest;
	const inFlight = held.count > 0 ? `, ${usd(held.costNusd)} held by ${held.count} request(s) in flight` : "";
	const need = out ? `needs at least ${usd(least)} (its prompt and ${minimum} output tokens)` : `may cost up to ${usd(req.costNusd)}`;
	return {
		ok: false,
		period: refused.period,
		message: `The ${PERIOD_WORDS[refused.period]} of ${usd(refused.budget)} does not cover this request: ${usd(spentIn(spend, refused.period))} spent${inFlight}, and this request ${need}`,
	};
}
