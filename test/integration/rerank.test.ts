import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, inject, it } from "vitest";
import worker from "../../src";
import { sha256Hex } from "../../src/lib/crypto";
import { admin, call, createChannel, createKey, uid, upstream, upstreamLog, usageRow } from "../support/gateway";
import { auth, keyOfNewUser, storeWith, upload } from "../support/knowledge";

interface Reranked {
	id: string;
	model: string;
	results: { index: number; relevance_score: number; document?: { text: string } }[];
	meta: { billed_units: { search_units: number } };
	usage: { total_tokens: number };
}

interface ErrorBody {
	error: { message: string; type: string; code: string; param: string | null };
}

function rerank(key: string, body: unknown, path = "/v1/rerank"): Promise<Response> {
	return call(path, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
}

const DOCS = ["Paris is the capital of France.", "Berlin is the capital of Germany.", "The Nile is a river."];

describe("POST /v1/rerank", () => {
	it("relays to a Jina channel and answers in Jina's and Cohere's shape, documents included, metered and priced by tokens", async () => {
		const tag = uid();
		const model = `jina-reranker-${tag}`;
		await createChannel({ type: "jina", base_url: upstream(tag, "ok"), key: "jina_key_0000000001", models: [model] });
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 2, output_usd_per_mtok: 0, request_usd: 0.001 })).status).toBe(200);
		const { key } = await createKey();

		const res = await rerank(key, { model, query: "capital of France", documents: DOCS.map((text) => ({ text })), top_n: 2 });
		expect(res.status).toBe(200);
		const body = await res.json<Reranked>();
		expect(body).toMatchObject({
			model,
			results: [
				{ index: 2, relevance_score: 1, document: { text: DOCS[2] } },
				{ index: 1, relevance_score: 2 / 3, document: { text: DOCS[1] } },
			],
			meta: { billed_units: { search_units: 1 } },
			usage: { total_tokens: 17 },
		});
		expect(body.id).toMatch(/^[\w-]{8,}$/);

		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v1/rerank`);
		expect(sent?.authorization).toBe("Bearer jina_key_0000000001");
		// The upstream gets the texts, and is not asked to echo them: the gateway has them.
		expect(sent?.body).toEqual({ model, query: "capital of France", documents: DOCS, top_n: 2, return_documents: false });

		// 17 tokens at $2 per million, plus $0.001 a request: 34,000 + 1,000,000 nano-USD.
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ endpoint: "/v1/rerank", model, status: 200, prompt_tokens: 17, completion_tokens: 0, estimated: 0, cost_nusd: 1_034_000 });
	});

	it("is served at /v2/rerank for Cohere's clients, from a Cohere channel, without documents unless asked", async () => {
		const tag = uid();
		const model = `rerank-v3.5-${tag}`;
		await createChannel({ type: "cohere", base_url: `${inject("upstreamUrl")}/${tag}/ok/v2`, key: "co-key-0000000001", models: [model] });
		const { key } = await createKey();

		const res = await rerank(key, { model, query: "rivers", documents: DOCS, top_n: 1 }, "/v2/rerank");
		expect(res.status).toBe(200);
		const body = await res.json<Reranked>();
		expect(body.results).toEqual([{ index: 2, relevance_score: 1 }]);
		expect(body.meta.billed_units.search_units).toBe(1);
		// Cohere reports search units, not tokens: the gateway's estimate is billed, and marked as such.
		expect(body.usage.total_tokens).toBeGreaterThan(0);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ endpoint: "/v2/rerank", status: 200, estimated: 1, prompt_tokens: body.usage.total_tokens });

		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toBe(`/${tag}/ok/v2/rerank`);
		expect(sent?.body).toEqual({ model, query: "rivers", documents: DOCS, top_n: 1 });

		const asked = await rerank(key, { model, query: "rivers", documents: DOCS, return_documents: true }, "/v2/rerank");
		expect((await asked.json<Reranked>()).results[0]).toEqual({ index: 2, relevance_score: 1, document: { text: DOCS[2] } });
	});

	it("maps top_n to Voyage's top_k and reads Voyage's `data` answer", async () => {
		const tag = uid();
		const model = `rerank-2-${tag}`;
		await createChannel({ type: "voyage", base_url: upstream(tag, "ok"), key: "pa-voyage-000001", models: [model] });
		const { key } = await createKey();
		const res = await rerank(key, { model, query: "q", documents: DOCS, top_n: 3, return_documents: false });
		expect(res.status).toBe(200);
		const body = await res.json<Reranked>();
		expect(body.results.map((r) => r.index)).toEqual([2, 1, 0]);
		expect(body.results[0]).not.toHaveProperty("document");
		expect(body.usage.total_tokens).toBe(21);
		const [sent] = await upstreamLog(tag);
		expect(sent?.body).toEqual({ model, query: "q", documents: DOCS, top_k: 3, truncation: true });
	});

	it("fails over to the next channel when one answers 5xx", async () => {
		const tag = uid();
		const model = `rr-${tag}`;
		const broken = await createChannel({ type: "jina", base_url: upstream(`${tag}a`, "status-500"), models: [model], priority: 10 });
		const healthy = await createChannel({ type: "jina", base_url: upstream(`${tag}b`, "ok"), models: [model], priority: 1 });
		const { key } = await createKey();
		const res = await rerank(key, { model, query: "q", documents: DOCS });
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-attempts")).toBe("2");
		expect(res.headers.get("x-gateway-channel")).toBe(String(healthy.id));
		expect((await res.json<Reranked>()).results).toHaveLength(3);
		expect(await upstreamLog(`${tag}a`)).toHaveLength(1);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ status: 200, attempts: 2, channel_id: healthy.id });
		expect(row.channel_id).not.toBe(broken.id);
	});

	it("fails over when a 2xx answer is not a ranking of the documents sent", async () => {
		const tag = uid();
		const model = `rr-${tag}`;
		// An OpenAI chat server where a reranker should be: its answer has no `results`.
		await createChannel({ type: "jina", base_url: `${inject("upstreamUrl")}/${tag}/fixture/openai/text`, models: [model], priority: 10 });
		await createChannel({ type: "jina", base_url: upstream(tag, "ok"), models: [model], priority: 1 });
		const { key } = await createKey();
		const res = await rerank(key, { model, query: "q", documents: DOCS });
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-attempts")).toBe("2");
	});

	it("refuses bad input with a 400 in OpenAI's shape that names the field", async () => {
		const { key } = await createKey();
		const cases: [unknown, string, string][] = [
			[{ model: "m", query: "q", documents: [] }, "documents", "must not be empty"],
			[{ model: "m", query: "q", documents: ["a", { title: "b" }] }, "documents.1.text", "expected string"],
			[{ model: "m", documents: ["a"] }, "query", "expected string"],
			[{ model: "m", query: "q", documents: ["a"], top_n: 0 }, "top_n", "expected number to be >0"],
			[{ query: "q", documents: ["a"] }, "model", "expected string"],
		];
		for (const [body, param, message] of cases) {
			const res = await rerank(key, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			const { error } = await res.json<ErrorBody>();
			expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param });
			expect(error.message).toContain(`'${param}'`);
			expect(error.message).toContain(message);
		}
	});

	it("answers an unknown model, or one only channels without rerank serve, as not available", async () => {
		const { key } = await createKey();
		const unknown = await rerank(key, { model: `nobody-${uid()}`, query: "q", documents: ["a"] });
		expect(unknown.status).toBe(503);
		expect((await unknown.json<ErrorBody>()).error).toMatchObject({ code: "model_not_available", param: "model" });

		const chatOnly = `chat-${uid()}`;
		await createChannel({ type: "openai", base_url: upstream(uid(), "ok"), models: [chatOnly] });
		const res = await rerank(key, { model: chatOnly, query: "q", documents: ["a"] });
		expect(res.status).toBe(503);
		expect((await res.json<ErrorBody>()).error.code).toBe("model_not_available");
	});

	it("is what the channel test sends to a rerank model or a channel without chat", async () => {
		const tag = uid();
		const base = `${inject("upstreamUrl")}/${tag}/ok/v2`;
		const { id } = await createChannel({ type: "cohere", base_url: base, key: "co-key-0000000002", models: [`rerank-english-${tag}`] });
		const res = await admin("POST", `/api/channels/${id}/test`);
		expect(await res.json()).toMatchObject({ ok: true, url: `${base}/rerank`, status: 200, error: null });
		expect((await upstreamLog(tag))[0]?.body).toMatchObject({ query: "ping", documents: ["pong"] });
	});

	it("needs a gateway key", async () => {
		const res = await call("/v1/rerank", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ model: "m", query: "q", documents: ["a"] }),
		});
		expect(res.status).toBe(401);
		expect((await res.json<ErrorBody>()).error.type).toBe("authentication_error");
	});
});

describe("the offline mock-rerank model", () => {
	it("ranks the documents that share the query's words first, the same every time, with scores in [0, 1]", async () => {
		await createChannel({ type: "mock", models: ["mock-rerank"] });
		const { key } = await createKey();
		const documents = [
			"Bananas are rich in potassium.",
			"A circuit breaker opens after five failures in a row.",
			"The breaker closes again when a probe succeeds.",
		];
		const ask = async () => (await rerank(key, { model: "mock-rerank", query: "when does the circuit breaker open?", documents })).json<Reranked>();
		const first = await ask();
		expect(first.results.map((r) => r.index)).toEqual([1, 2, 0]);
		expect(first.results[2]?.relevance_score).toBe(0);
		for (const r of first.results) expect(r.relevance_score).toBeGreaterThanOrEqual(0);
		for (const r of first.results) expect(r.relevance_score).toBeLessThanOrEqual(1);
		expect(first.results[0]?.document?.text).toBe(documents[1]);
		expect((await ask()).results).toEqual(first.results);
	});
});

interface SearchPage {
	data: { file_id: string; filename: string; score: number; content: { text: string }[] }[];
}

describe("vector store search's ranking_options.ranker", () => {
	const breakers = "# Circuit breakers\n\nA channel's circuit breaker opens after five failures in a row.";
	const billing = "# Billing\n\nTop-ups raise a balance; every request is charged once.";
	const query = "when does a circuit breaker open?";
	let key: string;
	let store: string;

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		key = await keyOfNewUser();
		store = await storeWith(key, [await upload(key, "breakers.md", breakers), await upload(key, "billing.md", billing)]);
	});

	/** A search through the Worker's real fetch handler, with VECTOR_RERANK_MODEL set as given. */
	async function search(body: Record<string, unknown>, rerankModel = ""): Promise<{ res: Response; page: SearchPage }> {
		const request = new Request(`http://gateway.test/v1/vector_stores/${store}/search`, {
			method: "POST",
			headers: { ...auth(key), "content-type": "application/json" },
			body: JSON.stringify({ query, ...body }),
		});
		const ctx = createExecutionContext();
		const res = await worker.fetch(request, { ...env, VECTOR_RERANK_MODEL: rerankModel }, ctx);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBe(200);
		return { res, page: await res.json<SearchPage>() };
	}

	it("re-scores by the query's words when no rerank model is configured: a chunk that shares none drops, scores stay in [0, 1]", async () => {
		const fused = (await search({ ranking_options: { ranker: "none" } })).page.data;
		const rescored = (await search({})).page.data;
		expect(fused.map((h) => h.filename)).toEqual(["breakers.md", "billing.md"]);
		expect(rescored.map((h) => h.filename)).toEqual(["breakers.md", "billing.md"]);
		for (const h of [...fused, ...rescored]) {
			expect(h.score).toBeGreaterThanOrEqual(0);
			expect(h.score).toBeLessThanOrEqual(1);
		}
		// billing.md shares no word with the question: the re-score halves its fused score.
		const [, billingFused] = fused;
		const [, billingRescored] = rescored;
		expect(billingRescored?.score).toBeCloseTo((billingFused?.score ?? 0) / 2, 10);
		// score_threshold applies to the score returned: the re-score leaves out what the fused rank alone let through.
		const threshold = ((billingFused?.score ?? 0) + (billingRescored?.score ?? 0)) / 2;
		expect((await search({ ranking_options: { ranker: "none", score_threshold: threshold } })).page.data).toHaveLength(2);
		expect((await search({ ranking_options: { ranker: "auto", score_threshold: threshold } })).page.data.map((h) => h.filename)).toEqual(["breakers.md"]);
	});

	it("ranks by the configured rerank model, through the relay, billed to the store's owner", async () => {
		const tag = uid();
		const model = `search-reranker-${tag}`;
		// The fake upstream ranks the documents it is sent last first, scoring them n/n … 1/n.
		await createChannel({ type: "jina", base_url: upstream(tag, "ok"), models: [model] });
		expect((await admin("PUT", `/api/prices/${model}`, { input_usd_per_mtok: 1, output_usd_per_mtok: 0 })).status).toBe(200);
		const { res, page } = await search({ max_num_results: 5 }, model);
		expect(page.data.map((h) => [h.filename, h.score])).toEqual([
			["billing.md", 1],
			["breakers.md", 0.5],
		]);
		const [sent] = await upstreamLog(tag);
		expect(sent?.body).toMatchObject({ model, query, documents: [expect.stringContaining("circuit breaker"), expect.stringContaining("Top-ups")] });
		const row = await usageRow(`${res.headers.get("x-request-id")}-rerank`);
		const owner = await env.DB.prepare("SELECT user_id FROM tokens WHERE key_hash = ?")
			.bind(await sha256Hex(key))
			.first<{ user_id: number }>();
		expect(owner?.user_id).toBeGreaterThan(1);
		expect(row).toMatchObject({ endpoint: "/v1/vector_stores/search", model, status: 200, prompt_tokens: 17, cost_nusd: 17_000, user_id: owner?.user_id });
	});

	it("keeps answering with the built-in re-score when the rerank model fails, and logs the failure", async () => {
		const tag = uid();
		const model = `search-reranker-${tag}`;
		await createChannel({ type: "jina", base_url: upstream(tag, "status-500"), models: [model] });
		const { res, page } = await search({}, model);
		const builtIn = (await search({})).page.data;
		expect(page.data).toEqual(builtIn);
		expect(await usageRow(`${res.headers.get("x-request-id")}-rerank`)).toMatchObject({ model, status: 502, error_code: "upstream_error" });
	});

	it("skips the reranker for ranker none", async () => {
		const tag = uid();
		const model = `search-reranker-${tag}`;
		await createChannel({ type: "jina", base_url: upstream(tag, "ok"), models: [model] });
		await search({ ranking_options: { ranker: "none" } }, model);
		expect(await upstreamLog(tag)).toEqual([]);
	});
});
