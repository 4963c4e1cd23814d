import { describe, expect, it } from "vitest";
import { attributeFilter, matchesFilter } from "../../src/knowledge/filters";
import { fuse } from "../../src/knowledge/fuse";
import { ftsQuery } from "../../src/knowledge/keyword-search";

describe("attribute filters (OpenAI's ComparisonFilter and CompoundFilter)", () => {
	const doc = { author: "ana", year: 2024, draft: false, lang: "en" };

	it("compares with each operator", () => {
		expect(matchesFilter(doc, { key: "author", type: "eq", value: "ana" })).toBe(true);
		expect(matchesFilter(doc, { key: "author", type: "ne", value: "ana" })).toBe(false);
		expect(matchesFilter(doc, { key: "year", type: "gt", value: 2023 })).toBe(true);
		expect(matchesFilter(doc, { key: "year", type: "gte", value: 2024 })).toBe(true);
		expect(matchesFilter(doc, { key: "year", type: "lt", value: 2024 })).toBe(false);
		expect(matchesFilter(doc, { key: "year", type: "lte", value: 2024 })).toBe(true);
		expect(matchesFilter(doc, { key: "lang", type: "in", value: ["de", "en"] })).toBe(true);
		expect(matchesFilter(doc, { key: "lang", type: "nin", value: ["de", "en"] })).toBe(false);
		expect(matchesFilter(doc, { key: "draft", type: "eq", value: false })).toBe(true);
	});

	it("does not order a number against a string, and a missing key matches only ne and nin", () => {
		expect(matchesFilter(doc, { key: "year", type: "gt", value: "2000" })).toBe(false);
		expect(matchesFilter(doc, { key: "missing", type: "eq", value: "x" })).toBe(false);
		expect(matchesFilter(doc, { key: "missing", type: "ne", value: "x" })).toBe(true);
		expect(matchesFilter(doc, { key: "missing", type: "nin", value: ["x"] })).toBe(true);
		expect(matchesFilter(null, { key: "missing", type: "gt", value: 1 })).toBe(false);
	});

	it("combines with and / or, nested", () => {
		const f = {
			type: "or" as const,
			filters: [
				{
					type: "and" as const,
					filters: [
						{ key: "author", type: "eq" as const, value: "ana" },
						{ key: "year", type: "lt" as const, value: 2000 },
					],
				},
				{ key: "lang", type: "eq" as const, value: "en" },
			],
		};
		expect(matchesFilter(doc, f)).toBe(true);
		expect(matchesFilter({ ...doc, lang: "de" }, f)).toBe(false);
	});

	it("validates the shape, and refuses nesting past five levels", () => {
		expect(attributeFilter.safeParse({ key: "a", type: "eq", value: 1 }).success).toBe(true);
		expect(attributeFilter.safeParse({ key: "a", type: "like", value: 1 }).success).toBe(false);
		expect(attributeFilter.safeParse({ type: "and", filters: [] }).success).toBe(false);
		let deep: unknown = { key: "a", type: "eq", value: 1 };
		for (let i = 0; i < 6; i++) deep = { type: "and", filters: [deep] };
		expect(attributeFilter.safeParse(deep).success).toBe(false);
	});
});

describe("keyword queries", () => {
	it("quotes each word and ORs them, so no text can use FTS5 operators", () => {
		expect(ftsQuery('How do breakers "open"? NEAR(a b) OR x*')).toBe('"breakers" OR "open" OR "near" OR "b" OR "x"');
		// Words too common to tell chunks apart are left out, unless the query has nothing else.
		expect(ftsQuery("how do I get a refund")).toBe('"get" OR "refund"');
		expect(ftsQuery("to be or not to be")).toBe('"to" OR "be" OR "or" OR "not"');
		expect(ftsQuery("熔断器 opens")).toBe('"熔断器" OR "opens"');
		expect(ftsQuery("?!  ")).toBeNull();
	});
});

describe("rank fusion", () => {
	it("puts what both lists rank first at 1, and ranks items either list found", () => {
		const hits = fuse([
			{ ids: [1, 2, 3], weight: 1 },
			{ ids: [1, 3, 4], weight: 1 },
		]);
		expect(hits[0]).toEqual({ chunkId: 1, score: 1 });
		expect(hits.map((h) => h.chunkId)).toEqual([1, 3, 2, 4]);
		for (const h of hits) expect(h.score).toBeGreaterThan(0);
		expect(fuse([])).toEqual([]);
	});

	it("gives tied scores one rank, so a list's arbitrary order among them does not decide", () => {
		// The keyword list ties 1, 2 and 3 (same words, same length) and happens to list 3 last; the vector list prefers 3.
		const hits = fuse([
			{ ids: [1, 2, 3], scores: [2.5, 2.5, 2.5], weight: 1 },
			{ ids: [3, 1, 2], weight: 1 },
		]);
		expect(hits.map((h) => h.chunkId)).toEqual([3, 1, 2]);
		expect(hits[0]?.score).toBe(1);
		// Without the scores, the order is taken as a ranking.
		expect(
			fuse([
				{ ids: [1, 2, 3], weight: 1 },
				{ ids: [3, 1, 2], weight: 1 },
			]).map((h) => h.chunkId),
		).toEqual([1, 3, 2]);
	});
});
