import { describe, expect, it } from "vitest";
import type { Held } from "../../durable-objects/governor-budget";
import { advance, decide, dueAlerts, type GovernorState, initialState, release, settle } from "../../durable-objects/governor-state";
import type { Limits, ReserveRequest } from "../../durable-objects/governor-types";
import { NO_LIMITS } from "../../durable-objects/governor-types";

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const none: Held = { count: 0, costNusd: 0 };
const req = (over: Partial<ReserveRequest> = {}): ReserveRequest => ({
	requestId: "r",
	scope: { kind: "token", id: "1" },
	limits: NO_LIMITS,
	tokens: 100,
	costNusd: 1_000,
	ttlMs: 60_000,
	...over,
});

function under(limits: Partial<Limits>, now = T0): GovernorState {
	return advance(initialState(now), { ...NO_LIMITS, ...limits }, now);
}

/** Admits requests one after another at `now` until one is refused; returns how many were admitted. */
function admitAll(state: GovernorState, request: ReserveRequest, held: Held = none) {
	let s = state;
	let admitted = 0;
	for (;;) {
		const r = decide(s, held, request);
		if (!r.decision.ok) return { admitted, state: s, refusal: r.decision.refusal };
		s = r.state;
		admitted++;
	}
}

describe("governor: rates", () => {
	it("admits rpm requests at once, then refuses with the wait for the next one, and refills over the minute", () => {
		const { admitted, state, refusal } = admitAll(under({ rpm: 6 }), req());
		expect(admitted).toBe(6);
		expect(refusal).toMatchObject({ kind: "rate", limit: "requests", retryAfterMs: 10_000 });
		expect(decide(advance(state, state.limits, T0 + 9_999), none, req()).decision.ok).toBe(false);
		const later = advance(state, state.limits, T0 + 10_000);
		expect(decide(later, none, req()).decision).toMatchObject({ ok: true, requests: { limit: 6, remaining: 0, resetMs: 60_000 } });
		expect(admitAll(advance(state, state.limits, T0 + 3_600_000), req()).admitted).toBe(6);
	});

	it("holds a request's token estimate in the TPM and gives back what it did not use when it settles", () => {
		const limits = { tpm: 1_000 };
		const first = decide(under(limits), none, req({ tokens: 600 }));
		expect(first.decision).toMatchObject({ ok: true, tokens: { limit: 1_000, remaining: 400 } });
		const refused = decide(first.state, none, req({ tokens: 600 }));
		expect(refused.decision).toMatchObject({ ok: false, refusal: { kind: "rate", limit: "tokens", retryAfterMs: 12_000 } });
		const settled = settle(first.state, { tokens: first.tokens, costNusd: 0, expiresAt: 0 }, { tokens: 150, costNusd: 0 });
		expect(decide(settled, none, req({ tokens: 600 })).decision.ok).toBe(true);
	});

	it("admits a request larger than the whole TPM when the window is full, and makes later ones wait out the debt", () => {
		const big = decide(under({ tpm: 100 }), none, req({ tokens: 5_000 }));
		expect(big.decision.ok).toBe(true);
		const used = settle(big.state, { tokens: big.tokens, costNusd: 0, expiresAt: 0 }, { tokens: 400, costNusd: 0 });
		expect(used.tokens?.level).toBe(-300);
		expect(decide(used, none, req({ tokens: 10 })).decision).toMatchObject({ ok: false, refusal: { limit: "tokens", retryAfterMs: 186_000 } });
	});

	it("refuses past the concurrency limit, whatever the rates say", () => {
		const s = under({ maxConcurrency: 2 });
		expect(decide(s, { count: 1, costNusd: 0 }, req()).decision.ok).toBe(true);
		expect(decide(s, { count: 2, costNusd: 0 }, req()).decision).toMatchObject({ ok: false, refusal: { kind: "rate", limit: "concurrency" } });
	});

	it("gives a cancelled request its RPM unit and tokens back", () => {
		const s = under({ rpm: 1, tpm: 100 });
		const r = decide(s, none, req({ tokens: 100 }));
		expect(decide(r.state, none, req()).decision.ok).toBe(false);
		const back = release(r.state, { tokens: r.tokens, costNusd: 0, expiresAt: 0 }, true);
		expect(decide(back, none, req({ tokens: 100 })).decision.ok).toBe(true);
	});
});

describe("governor: budgets", () => {
	it("counts what requests in flight hold, so concurrent requests cannot overshoot", () => {
		const s = under({ quotaNusd: 10_000 });
		expect(decide(s, { count: 9, costNusd: 9_000 }, req({ costNusd: 1_000 })).decision.ok).toBe(true);
		const refused = decide(s, { count: 9, costNusd: 9_001 }, req({ costNusd: 1_000 })).decision;
		expect(refused).toMatchObject({ ok: false, refusal: { kind: "budget", period: "total" } });
		if (!refused.ok)
			expect(refused.refusal.message).toBe(
				"The quota of $0.000010 does not cover this request: $0.00 spent, $0.000009 held by 9 request(s) in flight, and this request may cost up to $0.000001",
			);
	});

	it("resets the daily budget at midnight UTC and the monthly one on the 1st, not the total", () => {
		let s = under({ budgetDailyNusd: 1_000, budgetMonthlyNusd: 5_000, quotaNusd: 100_000 });
		s = settle(s, undefined, { tokens: 0, costNusd: 1_000 });
		expect(decide(s, none, req({ costNusd: 1 })).decision).toMatchObject({ ok: false, refusal: { period: "daily" } });
		const tomorrow = advance(s, s.limits, Date.UTC(2026, 10, 23, 0, 0, 0));
		expect(tomorrow.spend).toMatchObject({ dayNusd: 0, monthNusd: 1_000, totalNusd: 1_000 });
		const nextMonth = advance(tomorrow, s.limits, Date.UTC(2026, 11, 1));
		expect(nextMonth.spend).toMatchObject({ day: "2026-12-01", dayNusd: 0, month: "2026-12", monthNusd: 0, totalNusd: 1_000 });
	});

	it("alerts once at 80% and once at 100% of each budget, and once when a request is refused for it", () => {
		let s = under({ quotaNusd: 1_000 });
		s = settle(s, undefined, { tokens: 0, costNusd: 700 });
		expect(dueAlerts(s).events).toEqual([]);
		s = settle(s, undefined, { tokens: 0, costNusd: 150 });
		const at80 = dueAlerts(s);
		expect(at80.events).toEqual([{ type: "budget.threshold", period: "total", percent: 80, limitNusd: 1_000, spentNusd: 850 }]);
		expect(dueAlerts(at80.state).events).toEqual([]);
		const refused = dueAlerts(at80.state, "total");
		expect(refused.events).toEqual([{ type: "budget.exhausted", period: "total", percent: 85, limitNusd: 1_000, spentNusd: 850 }]);
		expect(dueAlerts(refused.state, "total").events).toEqual([]);
		const full = dueAlerts(settle(refused.state, undefined, { tokens: 0, costNusd: 150 }));
		expect(full.events).toEqual([expect.objectContaining({ type: "budget.threshold", percent: 100 })]);
	});

	it("alerts again in a new day for a daily budget", () => {
		let s = under({ budgetDailyNusd: 100 });
		s = dueAlerts(settle(s, undefined, { tokens: 0, costNusd: 90 })).state;
		const tomorrow = Date.UTC(2026, 10, 23, 1);
		s = settle(advance(s, s.limits, tomorrow), undefined, { tokens: 0, costNusd: 85 });
		expect(dueAlerts(s).events).toEqual([expect.objectContaining({ period: "daily", percent: 80 })]);
	});
});

describe("governor: output the budget pays for", () => {
	// 10 prompt tokens and 1,000 output tokens asked at 1,000 nano-USD a token (and 500 for the request): 1,020,500 whole.
	const priced = (over: Partial<ReserveRequest> = {}) =>
		req({ tokens: 1_010, costNusd: 1_020_500, output: { tokens: 1_000, minimum: 16, baseNusd: 10_500, nusdPerToken: 1_000 }, ...over });

	it("grants the whole output when every budget holds the whole request", () => {
		const r = decide(under({ quotaNusd: 2_000_000 }), none, priced());
		expect(r.decision).toMatchObject({ ok: true, outputTokens: 1_000 });
		expect(r.costNusd).toBe(1_020_500);
	});

	it("grants the output the tightest budget pays for after the prompt, and holds exactly its cost", () => {
		// The daily budget leaves 200,000: 10,500 for the prompt and the request, then 189 tokens at 1,000.
		const s = settle(under({ budgetDailyNusd: 300_000, quotaNusd: 5_000_000 }), undefined, { tokens: 0, costNusd: 100_000 });
		const r = decide(s, none, priced());
		expect(r.decision).toMatchObject({ ok: true, outputTokens: 189 });
		expect(r.costNusd).toBe(199_500);
		// Held by requests in flight counts too: with 150,000 held, 39 tokens remain.
		expect(decide(s, { count: 3, costNusd: 150_000 }, priced()).decision).toMatchObject({ ok: true, outputTokens: 39 });
	});

	it("refuses only when the budget cannot pay for the prompt and the minimum output, and says so", () => {
		expect(decide(under({ quotaNusd: 26_500 }), none, priced()).decision).toMatchObject({ ok: true, outputTokens: 16 });
		const refused = decide(under({ quotaNusd: 26_499 }), none, priced());
		expect(refused.decision).toMatchObject({ ok: false, refusal: { kind: "budget", period: "total" } });
		if (!refused.decision.ok)
			expect(refused.decision.refusal.message).toBe(
				"The quota of $0.000026 does not cover this request: $0.00 spent, and this request needs at least $0.000027 (its prompt and 16 output tokens)",
			);
	});

	it("asks no more than the request's own max_tokens as its minimum", () => {
		const small = priced({ tokens: 17, costNusd: 17_500, output: { tokens: 7, minimum: 16, baseNusd: 10_500, nusdPerToken: 1_000 } });
		expect(decide(under({ quotaNusd: 17_500 }), none, small).decision).toMatchObject({ ok: true, outputTokens: 7 });
		expect(decide(under({ quotaNusd: 17_499 }), none, small).decision).toMatchObject({ ok: false, refusal: { kind: "budget" } });
	});

	it("never lets the requests in flight together hold more than the budget", () => {
		const budget = 1_234_567;
		let s = under({ quotaNusd: budget });
		let held: Held = none;
		for (let i = 0; i < 50; i++) {
			const r = decide(s, held, priced());
			if (!r.decision.ok) break;
			s = r.state;
			held = { count: held.count + 1, costNusd: held.costNusd + r.costNusd };
		}
		expect(held.count).toBe(2);
		expect(held.costNusd).toBeLessThanOrEqual(budget);
	});

	it("holds the granted output, not the asked, in the TPM", () => {
		const r = decide(under({ tpm: 10_000, quotaNusd: 110_500 }), none, priced());
		expect(r.decision).toMatchObject({ ok: true, outputTokens: 100, tokens: { remaining: 9_890 } });
		expect(r.tokens).toBe(110);
	});

	it("cannot cut output that costs nothing: such a request is held whole or refused", () => {
		const free = priced({ costNusd: 10_500, output: { tokens: 1_000, minimum: 16, baseNusd: 10_500, nusdPerToken: 0 } });
		expect(decide(under({ quotaNusd: 10_499 }), none, free).decision).toMatchObject({ ok: false, refusal: { kind: "budget" } });
		expect(decide(under({ quotaNusd: 10_500 }), none, free).decision).toMatchObject({ ok: true, outputTokens: 1_000 });
	});
});
