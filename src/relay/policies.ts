import type { RoutingPolicy } from "../types/routing";
import { byTier, type Weighted, weightedOrder } from "./select";

export interface Routable extends Weighted {
	id: number;
}

/** What a policy may know about the channels besides their weights; each is read only by the policy that needs it. */
export interface Signals {
	random: () => number;
	/** round_robin: this request's turn (a counter per model in the isolate). */
	turn: () => number;
	/** consistent_hash: the value the request is kept on a channel by. */
	hashKey: () => string;
	/** least_errors: the failure rate of the channel's recent window for the model, 0 when unknown. */
	errorRate: (channelId: number) => number;
	/** lowest_latency: the moving average of the channel's answer time for the model; undefined when it wants a sample. */
	latencyMs: (channelId: number) => number | undefined;
}

/** Sorted by `score`, lowest first; ties keep the weighted random order they came in, so weights still split them. */
function ranked<T extends Routable>(tier: readonly T[], random: () => number, score: (ch: T) => number): T[] {
	const drawn = weightedOrder(tier, random);
	const scores = new Map(drawn.map((ch) => [ch, score(ch)]));
	return drawn.sort((a, b) => (scores.get(a) ?? 0) - (scores.get(b) ?? 0));
}

/** The tier by channel id, rotated by the turn: N turns give each of N channels the first place once. */
export function roundRobin<T extends Routable>(tier: readonly T[], turn: number): T[] {
	const byId = [...tier].sort((a, b) => a.id - b.id);
	const start = byId.length === 0 ? 0 : turn % byId.length;
	return [...byId.slice(start), ...byId.slice(0, start)];
}

/** FNV-1a with a murmur3 finalizer: a fast, well-mixed 32-bit hash (not for secrets). */
export function hash32(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Weighted rendezvous (highest random weight) hashing: each channel scores weight / -ln(u) with u drawn from
 * hash(key, channel id). A key keeps its channel as long as that channel is there, removing a channel moves only
 * the keys it held, and the next best channel is the key's own failover order.
 */
export function rendezvous<T extends Routable>(tier: readonly T[], key: string): T[] {
	const score = (ch: T) => {
		const u = (hash32(`${key}\u0000${ch.id}`) + 0.5) / 2 ** 32;
		return Math.max(ch.weight, 0) / -Math.log(u);
	};
	const scores = new Map(tier.map((ch) => [ch, score(ch)]));
	return [...tier].sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || a.id - b.id);
}

function orderTier<T extends Routable>(tier: readonly T[], policy: RoutingPolicy, s: Signals, turn: () => number): T[] {
	switch (policy) {
		case "weighted":
			return weightedOrder(tier, s.random);
		case "round_robin":
			return roundRobin(tier, turn());
		case "least_errors":
			return ranked(tier, s.random, (ch) => s.errorRate(ch.id));
		case "lowest_latency":
			// A channel without a recent sample goes first, once: that is how a slow channel that recovered gets seen.
			return ranked(tier, s.random, (ch) => s.latencyMs(ch.id) ?? -1);
		case "consistent_hash":
			return rendezvous(tier, s.hashKey());
	}
}

/** The order in which to try channels: highest priority tier first; inside a tier, as the policy says. */
export function orderByPolicy<T extends Routable>(channels: readonly T[], policy: RoutingPolicy, signals: Signals): T[] {
	let taken: number | undefined;
	// One turn per request, whatever the number of tiers.
	const turn = () => (taken ??= signals.turn());
	return byTier(channels).flatMap((tier) => orderTier(tier, policy, signals, turn));
}
