import { beforeAll, describe, expect, inject, it } from "vitest";
import { call, chat, createChannel, readSse, uid, upstream, upstreamLog } from "../support/gateway";
import { keyOfNewUser, storeWith, upload } from "../support/knowledge";

interface Cited {
	citations?: { type: string; file_id: string; filename: string; index: number }[];
	file_search?: { queries: string[]; results: { file_id: string; filename: string; score: number; text: string }[] };
	choices: { finish_reason: string | null; message?: { content: string }; delta?: { content?: string } }[];
}

describe("the gateway's file_search extension field on /v1/chat/completions, /v1/messages and Gemini's generateContent", () => {
	const tag = `cfs-${uid()}`;
	const model = `gpt-cfs-${uid()}`;
	const claude = `claude-cfs-${uid()}`;
	const question = "When does a circuit breaker open?";
	let key: string;
	let fileId: string;
	let storeId: string;

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		// An Anthropic-format channel: the answer is translated, and still gets the citations.
		await createChannel({
			type: "anthropic",
			base_url: `${inject("upstreamUrl")}/${tag}-ant/fixture/anthropic/text`,
			key: "sk-ant-api03-0000000009",
			models: [claude],
		});
		key = await keyOfNewUser();
		fileId = await upload(key, "breakers.md", "# Circuit breakers\n\nA channel's circuit breaker opens after five failures in a row.");
		const other = await upload(key, "billing.md", "# Billing\n\nTop-ups raise a balance; every request is charged once.");
		storeId = await storeWith(key, [fileId, other]);
	});

	it("gives an OpenAI channel the excerpts without the field, and answers with the citations and the search", async () => {
		const res = await chat(key, {
			model,
			messages: [
				{ role: "system", content: "Be brief." },
				{ role: "user", content: question },
			],
			file_search: { vector_store_ids: [storeId], max_num_results: 1 },
		});
		expect(res.status).toBe(200);
		const body = await res.json<Cited>();
		const text = body.choices[0]?.message?.content ?? "";
		expect(body.citations).toEqual([{ type: "file_citation", file_id: fileId, filename: "breakers.md", index: text.length }]);
		expect(body.file_search?.queries).toEqual([question]);
		expect(body.file_search?.results.map((r) => r.file_id)).toEqual([fileId]);

		const [sent] = await upstreamLog(tag);
		expect(sent?.body.file_search).toBeUndefined();
		const messages = sent?.body.messages as { role: string; content: string }[];
		expect(messages.map((m) => m.role)).toEqual(["system", "system", "user"]);
		expect(messages[1]?.content).toContain("opens after five failures");
	});

	it("streams every chunk and puts the citations on the one that finishes the answer", async () => {
		const res = await chat(key, { model, stream: true, messages: [{ role: "user", content: question }], file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		const chunks = events.filter((e): e is Cited => e !== "[DONE]");
		const text = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
		expect(text.length).toBeGreaterThan(0);
		const finishing = chunks.find((c) => c.choices[0]?.finish_reason);
		expect(finishing?.citations?.map((c) => [c.file_id, c.index])).toContainEqual([fileId, text.length]);
		expect(finishing?.file_search?.queries).toEqual([question]);
		expect(chunks.filter((c) => c.citations)).toHaveLength(1);
		expect(events.at(-1)).toBe("[DONE]");
	});

	it("adds the citations to an answer translated from another wire", async () => {
		const res = await chat(key, { model: claude, messages: [{ role: "user", content: question }], file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const body = await res.json<Cited>();
		expect(body.citations?.map((c) => c.file_id)).toContain(fileId);
		const [sent] = await upstreamLog(`${tag}-ant`);
		expect(JSON.stringify(sent?.body.system)).toContain("opens after five failures");
	});

	it("refuses another user's store (404) and a malformed field (400)", async () => {
		const stranger = await keyOfNewUser();
		const res = await chat(stranger, { model, messages: [{ role: "user", content: "hi" }], file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(404);
		const bad = await chat(key, { model, messages: [{ role: "user", content: "hi" }], file_search: { vector_store_ids: [] } });
		expect(bad.status).toBe(400);
		expect((await bad.json<{ error: { param?: string } }>()).error.param).toContain("file_search");
	});
	const messages = (apiKey: string, body: Record<string, unknown>) =>
		call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
			body: JSON.stringify({ max_tokens: 200, messages: [{ role: "user", content: question }], ...body }),
		});

	interface MessagesCited {
		citations?: { type: string; file_id: string; filename: string; index: number }[];
		file_search?: { queries: string[] };
		content: { type: string; text?: string }[];
	}

	it("on /v1/messages: an Anthropic channel gets the excerpts after the caller's system prompt, the answer the citations", async () => {
		const res = await messages(key, { model: claude, system: "Be brief.", file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const body = await res.json<MessagesCited>();
		const text = body.content.flatMap((b) => (b.type === "text" ? [b.text ?? ""] : [])).join("");
		expect(body.citations).toContainEqual({ type: "file_citation", file_id: fileId, filename: "breakers.md", index: text.length });
		expect(body.file_search?.queries).toEqual([question]);
		const sent = (await upstreamLog(`${tag}-ant`)).at(-1);
		expect(sent?.body.file_search).toBeUndefined();
		const system = String(sent?.body.system);
		expect(system.startsWith("Be brief.")).toBe(true);
		expect(system).toContain("opens after five failures");
	});

	it("on /v1/messages streamed (translated from an OpenAI channel): the citations ride on message_delta", async () => {
		const res = await messages(key, { model, stream: true, file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		const events = (await readSse(res)).events as { type: string; delta?: { text?: string }; citations?: { file_id: string; index: number }[] }[];
		const text = events.map((e) => (e.type === "content_block_delta" ? (e.delta?.text ?? "") : "")).join("");
		const end = events.find((e) => e.type === "message_delta");
		expect(end?.citations?.map((c) => [c.file_id, c.index])).toContainEqual([fileId, text.length]);
		expect(events.filter((e) => e.citations)).toHaveLength(1);
		expect(events.at(-1)?.type).toBe("message_stop");
		const bad = await messages(key, { model, file_search: { vector_store_ids: "vs_x" } });
		expect(bad.status).toBe(400);
	});

	const gemini = (model: string, action: string, apiKey: string, body: Record<string, unknown>) =>
		call(`/v1beta/models/${model}:${action}`, {
			method: "POST",
			headers: { "x-goog-api-key": apiKey, "content-type": "application/json" },
			body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: question }] }], ...body }),
		});

	interface GeminiCited {
		citations?: { type: string; fileId: string; filename: string; index: number }[];
		fileSearch?: { queries: string[]; results: { fileId: string; filename: string; score: number; text: string }[] };
		candidates?: { content: { parts: { text?: string }[] }; finishReason?: string }[];
		error?: { code: number; status: string; message: string };
	}
	const geminiText = (responses: GeminiCited[]) =>
		responses
			.flatMap((r) => r.candidates?.[0]?.content.parts ?? [])
			.map((p) => p.text ?? "")
			.join("");

	it("on Gemini's generateContent (translated to an OpenAI channel): camelCase citations and fileSearch", async () => {
		const res = await gemini(model, "generateContent", key, { fileSearch: { vectorStoreIds: [storeId], maxNumResults: 1 } });
		expect(res.status).toBe(200);
		const body = await res.json<GeminiCited>();
		const text = geminiText([body]);
		expect(body.citations).toEqual([{ type: "file_citation", fileId, filename: "breakers.md", index: text.length }]);
		expect(body.fileSearch?.queries).toEqual([question]);
		expect(body.fileSearch?.results.map((r) => r.fileId)).toEqual([fileId]);
		const sent = (await upstreamLog(tag)).at(-1);
		expect(JSON.stringify(sent?.body.messages)).toContain("opens after five failures");
	});

	it("on Gemini's default stream (one JSON array): the citations ride on the response with the finish reason", async () => {
		// Google's snake_case spelling of the field is accepted too, as for the rest of its request.
		const res = await gemini(model, "streamGenerateContent", key, { file_search: { vector_store_ids: [storeId] } });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("application/json");
		const responses = await res.json<GeminiCited[]>();
		const text = geminiText(responses);
		expect(text.length).toBeGreaterThan(0);
		const last = responses.at(-1);
		expect(last?.candidates?.[0]?.finishReason).toBeDefined();
		expect(last?.citations?.map((c) => [c.fileId, c.index])).toContainEqual([fileId, text.length]);
		expect(responses.filter((r) => r.citations)).toHaveLength(1);
	});

	it("on a Gemini channel's SSE stream, passed through: the excerpts follow the caller's system instruction", async () => {
		const gem = `gem-cfs-${uid()}`;
		const gemTag = `${tag}-gem`;
		await createChannel({
			type: "gemini",
			base_url: `${inject("upstreamUrl")}/${gemTag}/fixture/gemini/text`,
			key: "AIza-upstream-gemini-key-0002",
			models: [gem],
			model_mapping: { [gem]: "gemini-2.5-flash" },
		});
		const res = await gemini(gem, "streamGenerateContent?alt=sse", key, {
			systemInstruction: { parts: [{ text: "Be brief." }] },
			fileSearch: { vectorStoreIds: [storeId] },
		});
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		const responses = events.filter((e): e is GeminiCited => e !== "[DONE]");
		const text = geminiText(responses);
		expect(responses.at(-1)?.citations?.map((c) => [c.fileId, c.index])).toContainEqual([fileId, text.length]);
		const [sent] = await upstreamLog(gemTag);
		expect(sent?.body.fileSearch).toBeUndefined();
		const instruction = sent?.body.systemInstruction as { parts: { text: string }[] } | undefined;
		const parts = instruction?.parts.map((p) => p.text) ?? [];
		expect(parts[0]).toBe("Be brief.");
		expect(parts[1]).toContain("opens after five failures");
	});

	it("on Gemini: another user's store is a 404 and a malformed field a 400, in Gemini's error shape", async () => {
		const stranger = await keyOfNewUser();
		const res = await gemini(model, "generateContent", stranger, { fileSearch: { vectorStoreIds: [storeId] } });
		expect(res.status).toBe(404);
		expect((await res.json<GeminiCited>()).error?.status).toBe("NOT_FOUND");
		const bad = await gemini(model, "generateContent", key, { fileSearch: { vectorStoreIds: [], maxNumResults: 99 } });
		expect(bad.status).toBe(400);
		const error = (await bad.json<GeminiCited>()).error;
		expect(error?.status).toBe("INVALID_ARGUMENT");
		expect(error?.message).toContain("vector_store_ids");
	});
});
