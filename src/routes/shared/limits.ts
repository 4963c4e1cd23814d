import type { Limits, Scope } from "../../../durable-objects/governor-types";
import { hasLimits } from "../../../durable-objects/governor-types";
import { forgetCallers } from "../../relay/callers";
import { governor } from "../../relay/governor";
import { governorStandingOf } from "../limit-schemas";

/**
 * After an admin changes a key's, user's or group's limits: the relay's cached keys are dropped, and the governor
 * (when there are limits) reads its spend again from the ledger, since requests made while it had no limits
 * never reached it.
 */
export async function limitsChanged(env: Env, scope: Scope, limits: Limits): Promise<void> {
	forgetCallers();
	if (hasLimits(limits)) await governor(env, scope).configure(scope, limits);
}

export async function standingOf(env: Env, scope: Scope, limits: Limits) {
	return governorStandingOf(limits, await governor(env, scope).view(scope, limits));
}
