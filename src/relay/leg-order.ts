import type { LiveChannel } from "../channels/live";
import type { CallerKey } from "../types/caller";
import type { Leg } from "./admit";
import type { Resolved } from "./aliases";
import { errorRate } from "./breakers";
import { orderByPolicy } from "./policies";
import { latencyOf, nextTurn } from "./route-signals";
import { orderCandidates } from "./select";

export interface LegRequest {
	resolved: Resolved;
	caller: CallerKey;
	stream: boolean;
	/** The end user the request names, if any (consistent_hash on "user"). */
	user: string | undefined;
}

/** The order a leg's channels are tried in, by the policy of the requested name (an alias lends its own to its chain). */
export function orderLeg(leg: Leg, { resolved, caller, stream, user }: LegRequest): LiveChannel[] {
	const route = resolved.route;
	if (!route || route.policy === "weighted") return orderCandidates(leg.channels);
	const byKey = `key:${caller.keyId}`;
	return orderByPolicy(leg.channels, route.policy, {
		random: Math.random,
		turn: () => nextTurn(`${resolved.requested}\u0000${leg.model}`),
		hashKey: () => (route.hashOn === "user" && user ? `user:${user}` : byKey),
		errorRate: (id) => errorRate(id, leg.model),
		latencyMs: (id) => latencyOf(id, leg.model, stream),
	});
}
