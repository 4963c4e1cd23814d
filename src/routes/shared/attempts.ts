import type { Limits, Scope } from "../../../durable-objects/governor-types";
import { GatewayError } from "../../errors/gateway-error";
import { governor } from "../../relay/governor";
import { retryAfterHeader } from "../../relay/governor-headers";

/**
 * One attempt (a sign-in, a leak report) counted against each scope's rate window, through its governor; throws 429
 * with `retry-after` past any of them, saying `what` ("sign-in attempts"). Nothing is held past the decision: an
 * attempt is over when it is counted.
 */
export async function countAttempt(env: Env, requestId: string, scopes: readonly [Scope, Limits][], what: string): Promise<void> {
	const decisions = await Promise.all(
		scopes.map(async ([scope, limits]) => {
			const stub = governor(env, scope);
			const decision = await stub.reserve({ requestId, scope, limits, tokens: 0, costNusd: 0, ttlMs: 60_000 });
			if (decision.ok) await stub.settle(requestId, { tokens: 0, costNusd: 0 });
			return decision;
		}),
	);
	for (const d of decisions) {
		if (!d.ok && d.refusal.kind === "rate") {
			throw new GatewayError("rate_limit_exceeded", `Too many ${what}; try again in ${Math.ceil(d.refusal.retryAfterMs / 1000)} s`, {
				headers: retryAfterHeader(d.refusal.retryAfterMs),
			});
		}
	}
}
