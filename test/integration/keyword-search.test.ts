import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keywordSearch, withoutCutTie } from "../../src/knowledge/keyword-search";
import { uid } from "../support/gateway";

async function addChunks(store: string, texts: string[]): Promise<number[]> {
	const ids: number[] = [];
	for (const [position, text] of texts.entries()) {
		const row = await env.DB.prepare(
			"INSERT INTO chunks (vector_store_id, file_id, user_id, position, text, tokens) VALUES (?1, 'file-x', 1, ?2, ?3, 10) RETURNING id",
		)
			.bind(store, position, text)
			.first<{ id: number }>();
		if (!row) throw new Error("no id");
		ids.push(row.id);
	}
	return ids;
}

describe("keyword search (D1 FTS5, BM25)", () => {
	it("ranks a store's chunks by the query's words, and sees only the stores named", async () => {
		const store = `vs_${uid()}`;
		const other = `vs_${uid()}`;
		const [breaker, billing, mixed] = await addChunks(store, [
			"The circuit breaker opens after five failures and probes the channel again.",
			"Billing charges each request once, from the usage record, into the ledger.",
			"A breaker that opens for a model leaves the channel's other models served, and billing continues.",
		]);
		await addChunks(other, ["The circuit breaker of another tenant."]);

		const hits = await keywordSearch(env.DB, [store], "when does the circuit breaker open?", 10);
		// The billing chunk shares only "the" with the question, a word too common to search for.
		expect(hits.map((h) => h.chunkId)).toEqual([breaker, mixed]);
		expect(hits.map((h) => h.chunkId)).not.toContain(billing);
		for (const h of hits) expect(h.bm25).toBeGreaterThan(0);

		expect((await keywordSearch(env.DB, [store, other], "tenant", 10)).length).toBe(1);
		expect(await keywordSearch(env.DB, [store], "tenant", 10)).toEqual([]);
	});

	it("finds a word's other forms (Porter stemming): refund finds refunds, opened finds opens", async () => {
		const store = `vs_${uid()}`;
		const [refunds, breaker] = await addChunks(store, ["Refunds are accepted within 30 days.", "The breaker opens after failures."]);
		expect((await keywordSearch(env.DB, [store], "how do I get a refund?", 10)).map((h) => h.chunkId)).toEqual([refunds]);
		expect((await keywordSearch(env.DB, [store], "when is it opened", 10)).map((h) => h.chunkId)).toEqual([breaker]);
	});

	it("takes any text as a query, operators included, and finds nothing for a query without words", async () => {
		const store = `vs_${uid()}`;
		const [id] = await addChunks(store, ['Quotes " and NEAR(a b) and stars* are only text here.']);
		expect((await keywordSearch(env.DB, [store], 'NEAR(a b) OR "quotes', 10)).map((h) => h.chunkId)).toEqual([id]);
		expect(await keywordSearch(env.DB, [store], '"*)(', 10)).toEqual([]);
	});

	it("follows the chunks table: an updated chunk is found by its new words, a deleted one no more", async () => {
		const store = `vs_${uid()}`;
		const [id] = await addChunks(store, ["apples and pears"]);
		await env.DB.prepare("UPDATE chunks SET text = 'plums only' WHERE id = ?1").bind(id).run();
		expect(await keywordSearch(env.DB, [store], "apples", 10)).toEqual([]);
		expect((await keywordSearch(env.DB, [store], "plums", 10)).map((h) => h.chunkId)).toEqual([id]);
		await env.DB.prepare("DELETE FROM chunks WHERE id = ?1").bind(id).run();
		expect(await keywordSearch(env.DB, [store], "plums", 10)).toEqual([]);
	});

	it("ties chunks of one length that share the same words, and can leave out a tie a limit would cut", async () => {
		const store = `vs_${uid()}`;
		const [, , kelvor] = await addChunks(store, [
			"The Tamrin depot stores pallets.",
			"The Dospel depot stores pallets.",
			"The Kelvor depot stores pallets.",
			"The Salbre depot stores pallets.",
		]);
		const all = await keywordSearch(env.DB, [store], "pallets", 4);
		expect(all).toHaveLength(4);
		expect(new Set(all.map((h) => h.bm25)).size).toBe(1);
		// Two of four equals would be two picked by chance: none are given.
		expect(withoutCutTie(await keywordSearch(env.DB, [store], "pallets", 3), 2)).toEqual([]);
		expect(withoutCutTie(all, 4)).toEqual(all);
		const named = withoutCutTie(await keywordSearch(env.DB, [store], "pallets at Kelvor", 3), 2);
		expect(named.map((h) => h.chunkId)).toEqual([kelvor]);
	});
});
