import { describe, expect, it } from "vitest";
import { lexicalScores } from "../../src/lib/lexical-relevance";
import { estimateRerankTokens, readRerankAnswer, searchUnitsFor } from "../../src/protocols/rerank";
import { estimateTokens } from "../../src/protocols/token-estimate";
import { rerankAnswer, rerankInputs } from "../../src/providers/workers-ai/rerank";

describe("lexical relevance (the mock reranker and the search's built-in re-score)", () => {
	it("scores documents by the query's words, in [0, 1), word forms alike, common words ignored", () => {
		const [exact, forms, none, common] = lexicalScores("How do circuit breakers open?", [
			"A circuit breaker opens after five failures.",
			"Breakers opened; circuits tripped.",
			"Bananas are yellow.",
			"How do you do it?",
		]);
		expect(exact).toBeGreaterThan(0.5);
		expect(exact).toBeLessThan(1);
		expect(forms).toBeGreaterThan(0);
		expect(none).toBe(0);
		expect(common).toBe(0);
	});

	it("weighs a rare word above one every document has", () => {
		const [rare, everywhere] = lexicalScores("gateway refund", ["gateway refund policy", "gateway setup", "gateway limits"]);
		expect(rare).toBeGreaterThan(everywhere ?? 1);
	});

	it("gives 0 to every document for a query without words, and copes with no documents", () => {
		expect(lexicalScores("?!", ["a b c"])).toEqual([0]);
		expect(lexicalScores("query", [])).toEqual([]);
	});
});

describe("rerank answers", () => {
	it("reads Cohere's and Jina's `results` and Voyage's `data`, with their usage", () => {
		expect(readRerankAnswer({ results: [{ index: 1, relevance_score: 0.9 }], meta: { billed_units: { search_units: 1 } } }, 2)).toEqual({
			ranked: [{ index: 1, relevanceScore: 0.9 }],
			tokens: undefined,
			searchUnits: 1,
		});
		expect(readRerankAnswer({ object: "list", data: [{ index: 0, relevance_score: 0.2 }], usage: { total_tokens: 9 } }, 1)).toMatchObject({
			ranked: [{ index: 0, relevanceScore: 0.2 }],
			tokens: 9,
		});
	});

	it("is no answer when an index names no document sent or one twice, or nothing is ranked", () => {
		expect(readRerankAnswer({ results: [{ index: 2, relevance_score: 0.9 }] }, 2)).toBeUndefined();
		expect(readRerankAnswer({ choices: [] }, 2)).toBeUndefined();
		expect(readRerankAnswer({ results: [0, 0].map((index) => ({ index, relevance_score: 0.5 })) }, 2)).toBeUndefined();
		expect(readRerankAnswer({ results: [{ index: 0, relevance_score: "high" }] }, 2)).toBeUndefined();
	});

	it("counts search units per 100 documents and estimates tokens as the query with each document", () => {
		expect([1, 100, 101, 1000].map(searchUnitsFor)).toEqual([1, 1, 2, 10]);
		const query = "a question";
		expect(estimateRerankTokens(query, ["one answer", "another"])).toBe(2 * estimateTokens(query) + estimateTokens("one answer") + estimateTokens("another"));
	});
});

describe("workers-ai rerank", () => {
	it("sends the documents as contexts and top_n as top_k, and reads the answer as Cohere's", () => {
		expect(rerankInputs({ model: "m", query: "q", documents: ["a", "b"], top_n: 1, return_documents: false })).toEqual({
			query: "q",
			contexts: [{ text: "a" }, { text: "b" }],
			top_k: 1,
		});
		expect(
			rerankAnswer(
				{
					response: [
						{ id: 1, score: 0.7 },
						{ id: 0, score: 0.1 },
					],
				},
				"@cf/baai/bge-reranker-base",
			),
		).toEqual({
			model: "@cf/baai/bge-reranker-base",
			results: [
				{ index: 1, relevance_score: 0.7 },
				{ index: 0, relevance_score: 0.1 },
			],
		});
		expect(() => rerankAnswer({ response: "nope" }, "m")).toThrow();
	});
});
