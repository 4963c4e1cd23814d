import type { Decision, RateStanding, Refusal, Scope } from "../../durable-objects/governor-types";
import { scopeName } from "../../durable-objects/governor-types";
import type { UsageRecord } from "../../queues/usage-message";
import { costNusd, costTerms } from "../billing/cost";
import type { PriceBook } from "../billing/price-book";
import type { Units } from "../billing/units";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import { rateLimitHeaders, retryAfterHeader } from "./governor-headers";
import type { RelayRequest } from "./request";

/**
 * How long a hold lasts when its settlement never comes (an isolate that died mid-request). Longer than any
 * request should take, streams included; a settlement after it still counts.
 */
const HOLD_TTL_MS = 15 * 60_000;
const SETTLE_TRIES = 3;

export const governor = (env: Env, scope: Scope) => env.KEY_GOVERNOR.getByName(scopeName(scope));

/** A request's most it may use: its prompt, estimated, the output it allows, and what it may make besides tokens. */
export interface Estimate {
	promptTokens: number;
	outputTokens: number;
	/** Images, seconds of audio or characters of speech, priced by unit: a budget must cover them up front too. */
	units?: Units | undefined;
}

/**
 * Reserves the request with each governor of its key, user and group that has limits (none: no call at all),
 * in parallel. A refusal anywhere gives back what the others granted and throws the refusal in the caller's
 * API's format; otherwise the rate-limit headers are set and the meter settles every hold when it records.
 * Returns the output tokens the request may be sent with when a budget pays for fewer than it asked (the least
 * any governor granted; the others hold a little more than that until the request settles), else undefined.
 */
export async function reserveWithGovernors(
	req: RelayRequest,
	book: PriceBook,
	targets: readonly { model: string; channelId: number }[],
	estimate: () => Estimate,
): Promise<number | undefined> {
	const { caller, env, requestId } = req;
	if (caller.governed.length === 0) return undefined;
	const { promptTokens, outputTokens, units } = estimate();
	const usage = { promptTokens, completionTokens: outputTokens, cachedTokens: 0, units };
	const multiplier = book.multiplier(caller.group);
	// The dearest channel (and model, for an alias) the request may land on: the hold must cover wherever failover takes it.
	let cost = 0;
	const terms = { baseNusd: 0, nusdPerToken: 0 };
	for (const { model, channelId } of targets) {
		const price = book.priceFor(model, channelId);
		if (!price) continue;
		cost = Math.max(cost, costNusd(price, usage, multiplier));
		const t = costTerms(price, promptTokens, multiplier);
		terms.baseNusd = Math.max(terms.baseNusd, t.baseNusd);
		terms.nusdPerToken = Math.max(terms.nusdPerToken, t.nusdPerToken);
	}
	const output = outputTokens > 0 ? { output: { tokens: outputTokens, minimum: config(env).reserveMinOutputTokens, ...terms } } : {};
	const request = { requestId, tokens: promptTokens + outputTokens, costNusd: cost, ...output, ttlMs: HOLD_TTL_MS };
	const results = await Promise.allSettled(caller.governed.map(({ scope, limits }) => governor(env, scope).reserve({ ...request, scope, limits })));
	const giveBack = () => {
		const granted = caller.governed.filter((_, i) => {
			const r = results[i];
			return r?.status === "fulfilled" && r.value.ok;
		});
		if (granted.length > 0) req.waitUntil(Promise.allSettled(granted.map(({ scope }) => governor(env, scope).cancel(requestId))).then(() => {}));
	};
	const decisions = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
	if (decisions.length < results.length) {
		// Limits that cannot be checked are not waived: a budget could be overrun.
		giveBack();
		metrics.inc(F.refusals, ["limits_unavailable"]);
		throw new GatewayError("limits_unavailable", "This key's limits could not be checked just now; try again", { headers: retryAfterHeader(1_000) });
	}

	const headers = rateLimitHeaders(req.dialect, tightest(decisions, "requests"), tightest(decisions, "tokens"), Date.now());
	const refusal = worst(decisions);
	if (refusal) {
		giveBack();
		// The reason names what was spent: a budget's period, or the rate limit (requests, tokens, concurrency).
		metrics.inc(F.refusals, [refusal.kind === "budget" ? `budget_${refusal.period}` : refusal.limit]);
		if (refusal.kind === "budget") throw new GatewayError("insufficient_quota", refusal.message, { headers });
		throw new GatewayError("rate_limit_exceeded", refusal.message, { headers: { ...headers, ...retryAfterHeader(refusal.retryAfterMs) } });
	}
	for (const [name, value] of Object.entries(headers)) req.responseHeaders.set(name, value);
	req.meter.onRecord = (record) => settleAll(env, caller.governed, record);
	const granted = Math.min(outputTokens, ...decisions.map((d) => (d.ok && d.outputTokens !== undefined ? d.outputTokens : outputTokens)));
	if (granted >= outputTokens) return undefined;
	req.responseHeaders.set("x-gateway-max-tokens-capped", String(granted));
	return granted;
}

async function settleAll(env: Env, governed: readonly { scope: Scope }[], record: UsageRecord): Promise<void> {
	const actual = { tokens: record.prompt_tokens + record.completion_tokens, costNusd: record.cost_nusd };
	await Promise.all(governed.map(({ scope }) => settleOne(env, scope, record.request_id, actual)));
}

/** Retried: a settlement is idempotent, and one that never arrives is only recovered when its hold expires. */
async function settleOne(env: Env, scope: Scope, requestId: string, actual: { tokens: number; costNusd: number }): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await governor(env, scope).settle(requestId, actual);
		} catch (err) {
			if (attempt >= SETTLE_TRIES) {
				console.error(JSON.stringify({ level: "warn", request_id: requestId, scope: scopeName(scope), error: `settlement failed: ${String(err)}` }));
				return;
			}
			await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
		}
	}
}

/** A budget refusal wins (waiting does not help); among rate refusals, the longest wait. */
function worst(decisions: Decision[]): Refusal | undefined {
	let found: Refusal | undefined;
	for (const d of decisions) {
		if (d.ok) continue;
		const r = d.refusal;
		if (r.kind === "budget") return r;
		if (!found || (found.kind === "rate" && r.retryAfterMs > found.retryAfterMs)) found = r;
	}
	return found;
}

/** The standing with the fewest remaining across the scopes: the one the client will hit first. */
function tightest(decisions: Decision[], which: "requests" | "tokens"): RateStanding | undefined {
	let found: RateStanding | undefined;
	for (const d of decisions) {
		const s = d[which];
		if (s && (!found || s.remaining < found.remaining)) found = s;
	}
	return found;
}
