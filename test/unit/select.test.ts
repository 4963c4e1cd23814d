import { describe, expect, it } from "vitest";
import { orderCandidates } from "../../src/relay/select";

/** A seeded generator so the distribution test is repeatable. */
function seeded(seed: number): () => number {
	let x = seed;
	return () => {
		x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
		return x / 2 ** 32;
	};
}

const ch = (id: string, priority: number, weight: number) => ({ id, priority, weight });

describe("orderCandidates", () => {
	it("tries the highest priority tier first, then lower tiers", () => {
		const order = orderCandidates([ch("low", 0, 100), ch("high-a", 10, 1), ch("mid", 5, 1), ch("high-b", 10, 1)], seeded(1));
		expect(
			order
				.slice(0, 2)
				.map((c) => c.id)
				.sort(),
		).toEqual(["high-a", "high-b"]);
		expect(order.slice(2).map((c) => c.id)).toEqual(["mid", "low"]);
	});

	it("draws first picks in proportion to weight within a tier", () => {
		const random = seeded(42);
		const channels = [ch("a", 0, 1), ch("b", 0, 3), ch("c", 0, 6)];
		const firsts: Record<string, number> = { a: 0, b: 0, c: 0 };
		const draws = 20_000;
		for (let i = 0; i < draws; i++) {
			const first = orderCandidates(channels, random)[0];
			if (first) firsts[first.id] = (firsts[first.id] ?? 0) + 1;
		}
		expect((firsts.a ?? 0) / draws).toBeCloseTo(0.1, 1);
		expect((firsts.b ?? 0) / draws).toBeCloseTo(0.3, 1);
		expect((firsts.c ?? 0) / draws).toBeCloseTo(0.6, 1);
	});

	it("lists every channel exactly once, so failover can reach each", () => {
		const order = orderCandidates([ch("a", 1, 1), ch("b", 1, 0), ch("c", 0, 5)], seeded(7));
		expect(order.map((c) => c.id).sort()).toEqual(["a", "b", "c"]);
	});

	it("never picks a zero-weight channel before a weighted one in the same tier", () => {
		const random = seeded(3);
		for (let i = 0; i < 200; i++) expect(orderCandidates([ch("zero", 0, 0), ch("one", 0, 1)], random)[0]?.id).toBe("one");
	});
});
