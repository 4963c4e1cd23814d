import { describe, expect, inject, it } from "vitest";
import { admin, call, createChannel, createKey, uid, upstream, upstreamLog, usageRow } from "../support/gateway";

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
