import { describe, expect, it } from "vitest";
import { hash32, orderByPolicy, rendezvous, roundRobin, type Signals } from "../../src/relay/policies";
import { latencyOf, nextTurn, recordLatency } from "../../src/relay/route-signals";

/** A seeded generator so the distribution tests are repeatable. */
function seeded(seed: number): () => number {
	let x = seed;
	return () => {
		x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
		return x / 2 ** 32;
	};
}

const ch = (id: number, priority = 0, weight = 1) => ({ id, priority, weight });
const ids = (list: readonly { id: number }[]) => list.map((c) => c.id);

function signals(over: Partial<Signals> = {}): Signals {
	return { random: seeded(1), turn: () => 0, hashKey: () => "k", errorRate: () => 0, latencyMs: () => undefined, ...over };
}

describe("roundRobin", () => {
	it("gives each channel the first place once in as many turns, in id order", () => {
		const tier = [ch(3), ch(1), ch(2)];
		expect([0, 1, 2, 3].map((t) => roundRobin(tier, t)[0]?.id)).toEqual([1, 2, 3, 1]);
		expect(ids(roundRobin(tier, 1))).toEqual([2, 3, 1]);
	});
});

describe("rendezvous", () => {
	it("keeps a key on its channel, and moves only the keys of a channel removed", () => {
		const all = [ch(1), ch(2), ch(3), ch(4)];
		const keys = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);
		const before = keys.map((k) => rendezvous(all, k)[0]?.id);
		expect(keys.map((k) => rendezvous([...all].reverse(), k)[0]?.id)).toEqual(before);
		const after = keys.map((k) => rendezvous(all.slice(1), k)[0]?.id);
		for (const [i, was] of before.entries()) if (was !== 1) expect(after[i]).toBe(was);
		// And the users of the channel removed go where their own order said next.
		for (const [i, k] of keys.entries()) if (before[i] === 1) expect(after[i]).toBe(rendezvous(all, k)[1]?.id);
	});

	it("spreads keys by weight", () => {
		const keys = Array.from({ length: 4_000 }, (_, i) => `user-${i}`);
		const heavy = keys.filter((k) => rendezvous([ch(1, 0, 3), ch(2, 0, 1)], k)[0]?.id === 1).length;
		expect(heavy / keys.length).toBeGreaterThan(0.72);
		expect(heavy / keys.length).toBeLessThan(0.78);
	});

	it("hashes well enough that similar keys land apart", () => {
		const firsts = new Set(Array.from({ length: 50 }, (_, i) => hash32(`u${i}`) % 8));
		expect(firsts.size).toBe(8);
	});
});

describe("orderByPolicy", () => {
	const tiers = [ch(1, 0), ch(2, 10), ch(3, 0), ch(4, 10)];

	it("keeps priority tiers first for every policy", () => {
		for (const policy of ["weighted", "round_robin", "least_errors", "lowest_latency", "consistent_hash"] as const) {
			const order = ids(orderByPolicy(tiers, policy, signals()));
			expect(order.slice(0, 2).sort(), policy).toEqual([2, 4]);
			expect(order.slice(2).sort(), policy).toEqual([1, 3]);
		}
	});

	it("takes one round-robin turn per request, whatever the number of tiers", () => {
		let turns = 0;
		orderByPolicy(tiers, "round_robin", signals({ turn: () => turns++ }));
		expect(turns).toBe(1);
	});

	it("least_errors puts the lowest failure rate first, weights breaking ties", () => {
		const rates = new Map([
			[1, 0.5],
			[2, 0],
			[3, 0.1],
		]);
		const order = orderByPolicy([ch(1), ch(2), ch(3)], "least_errors", signals({ errorRate: (id) => rates.get(id) ?? 0 }));
		expect(ids(order)).toEqual([2, 3, 1]);
		const random = seeded(5);
		let first = 0;
		for (let i = 0; i < 2_000; i++) if (orderByPolicy([ch(1, 0, 3), ch(2, 0, 1)], "least_errors", signals({ random }))[0]?.id === 1) first++;
		expect(first / 2_000).toBeGreaterThan(0.7);
		expect(first / 2_000).toBeLessThan(0.8);
	});

	it("lowest_latency tries an unmeasured channel first, then the fastest", () => {
		const avg = new Map([
			[1, 300],
			[2, 20],
		]);
		const order = orderByPolicy([ch(1), ch(2), ch(3)], "lowest_latency", signals({ latencyMs: (id) => avg.get(id) }));
		expect(ids(order)).toEqual([3, 2, 1]);
	});

	it("consistent_hash orders by the request's key", () => {
		const a = ids(orderByPolicy([ch(1), ch(2), ch(3)], "consistent_hash", signals({ hashKey: () => "alice" })));
		expect(ids(orderByPolicy([ch(3), ch(2), ch(1)], "consistent_hash", signals({ hashKey: () => "alice" })))).toEqual(a);
	});
});

describe("route signals", () => {
	it("averages answer times, forgets a stale sample, and keeps streams apart", () => {
		recordLatency(901, "m", false, 100, 1_000);
		recordLatency(901, "m", false, 200, 2_000);
		expect(latencyOf(901, "m", false, 2_000)).toBeCloseTo(130);
		expect(latencyOf(901, "m", true, 2_000)).toBeUndefined();
		expect(latencyOf(901, "m", false, 40_000)).toBeUndefined();
		recordLatency(901, "m", false, 50, 40_000);
		expect(latencyOf(901, "m", false, 40_000)).toBe(50);
	});

	it("counts turns per model", () => {
		const model = `turns-${Math.random()}`;
		expect([nextTurn(model), nextTurn(model), nextTurn(`${model}-other`), nextTurn(model)]).toEqual([0, 1, 0, 2]);
	});
});
