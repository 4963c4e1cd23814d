import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import worker from "../../src";
import { admin, createChannel, uid, upstream, upstreamLog, usageRow } from "../support/gateway";
import { newOwner, post, token } from "../support/mem0-api";

interface Hit {
	id: string;
	memory: string;
	score: number;
}

async function add(key: string, user_id: string, texts: string[]): Promise<void> {
	const res = await post(key, "/v3/memories/add/", { infer: false, user_id, messages: texts.map((content) => ({ role: "user", content })) });
	expect(res.status).toBe(200);
}

describe("Mem0's search options keyword_search and rerank", () => {
	let key: string;

	/** A search through the Worker's fetch handler, with VECTOR_RERANK_MODEL set as given. */
	async function search(body: Record<string, unknown>, rerankModel = ""): Promise<{ res: Response; hits: Hit[] }> {
		const request = new Request("http://gateway.test/mem0/v3/memories/search/", { method: "POST", headers: token(key), body: JSON.stringify(body) });
		const ctx = createExecutionContext();
		const res = await worker.fetch(request, { ...env, VECTOR_RERANK_MODEL: rerankModel }, ctx);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBe(200);
		return { res, hits: (await res.json<{ results: Hit[] }>()).results };
	}

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		key = (await newOwner()).key;
		// 110 memories nearer the query by their vectors than the one that has its rarer word.
		await add(
			key,
			"crowd",
			Array.from({ length: 110 }, (_, i) => `violoncello concerto ${i}`),
		);
		await add(key, "crowd", ["Kim eats bananas"]);
		await add(key, "ivy", ["I am allergic to peanuts", "My favourite city is Lisbon", "Peanut butter is banned at home"]);
	});

	it("finds keyword matches beside the vector's by default (or keyword_search true), and not with keyword_search false", async () => {
		const query = { query: "violoncello concerto bananas", filters: { user_id: "crowd" }, top_k: 100, threshold: 0 };
		const hybrid = (await search(query)).hits.map((h) => h.memory);
		expect(hybrid).toContain("Kim eats bananas");
		expect((await search({ ...query, keyword_search: true })).hits.map((h) => h.memory)).toEqual(hybrid);
		const vectorOnly = (await search({ ...query, keyword_search: false })).hits.map((h) => h.memory);
		expect(vectorOnly).toHaveLength(100);
		expect(vectorOnly).not.toContain("Kim eats bananas");
	});

	it("re-scores with the built-in lexical re-score when no rerank model is set: a memory sharing no word with the query drops", async () => {
		const query = { query: "peanuts allergy", filters: { user_id: "ivy" }, threshold: 0 };
		const plain = (await search(query)).hits;
		const reranked = (await search({ ...query, rerank: true })).hits;
		expect(reranked[0]?.memory).toBe("I am allergic to peanuts");
		const lisbon = (hits: Hit[]) => hits.find((h) => h.memory === "My favourite city is Lisbon")?.score ?? Number.NaN;
		// Just made, so recency is 1: score = 0.8 * relevance + 0.2, and the re-score halves a relevance sharing no word.
		const relevance = (lisbon(plain) - 0.2) / 0.8;
		expect(lisbon(reranked)).toBeCloseTo(0.8 * (relevance / 2) + 0.2, 4);
		for (const h of reranked) {
			expect(h.score).toBeGreaterThanOrEqual(0);
			expect(h.score).toBeLessThanOrEqual(1);
		}
	});

	it("ranks by VECTOR_RERANK_MODEL through the relay when set, billed as the search; never without rerank true", async () => {
		const tag = uid();
		const model = `memory-reranker-${tag}`;
		// The fake upstream ranks the documents it is sent last first.
		await createChannel({ type: "jina", base_url: upstream(tag, "ok"), models: [model] });
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 0 })).status).toBe(200);
		const query = { query: "peanuts allergy", filters: { user_id: "ivy" }, threshold: 0 };
		await search(query, model);
		expect(await upstreamLog(tag)).toEqual([]);

		const { res, hits } = await search({ ...query, rerank: true }, model);
		const [sent] = await upstreamLog(tag);
		const { documents } = z.object({ documents: z.array(z.string()) }).parse(sent?.body);
		expect(documents).toHaveLength(3);
		expect(hits.map((h) => h.memory)).toEqual([...documents].reverse());
		expect(await usageRow(`${res.headers.get("x-request-id")}-rerank`)).toMatchObject({ endpoint: "/mem0/v3/memories/search/", model, status: 200 });
	});
});
