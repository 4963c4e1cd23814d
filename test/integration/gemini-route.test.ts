import { beforeAll, describe, expect, inject, it } from "vitest";
import type { GenerateContentResponse } from "../../src/protocols/gemini/types";
import { sseEvents } from "../../src/protocols/sse";
import { call, createChannel, createKey, uid, upstreamLog, usageRow } from "../support/gateway";

type GeminiBody = GenerateContentResponse & { error?: { code: number; message: string; status: string } };

const hello = { contents: [{ role: "user", parts: [{ text: "Say hi" }] }] };

function gemini(path: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	return call(`/v1beta/models/${path}`, {
		method: "POST",
		headers: { "content-type": "application/json", ...(key ? { "x-goog-api-key": key } : {}), ...headers },
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
}

const textOf = (responses: GeminiBody[]) =>
	responses.flatMap((r) => r.candidates?.[0]?.content?.parts ?? []).reduce((text, p) => text + (p.thought ? "" : (p.text ?? "")), "");

function sseResponses(raw: string): GeminiBody[] {
	return sseEvents(raw).map((e) => JSON.parse(e.data) as GeminiBody);
}

async function expectGeminiError(res: Response, code: number, status: string) {
	expect(res.status).toBe(code);
	const body = (await res.json()) as GeminiBody;
	expect(body.error).toEqual({ code, message: expect.any(String), status });
	return body.error?.message ?? "";
}

describe("Gemini API through the built-in mock channel (OpenAI wire)", () => {
	let model = "";
	let key = "";
	beforeAll(async () => {
		model = `gem-${uid()}`;
		await createChannel({ type: "mock", models: [model] });
		({ key } = await createKey());
	});

	it("answers generateContent in Gemini's shape, the conversation carried through the internal representation", async () => {
		const body = { systemInstruction: { parts: [{ text: "Be brief." }] }, ...hello, generationConfig: { maxOutputTokens: 200 } };
		const res = await gemini(`${model}:generateContent`, key, body);
		expect(res.status).toBe(200);
		const answer = (await res.json()) as GeminiBody;
		expect(answer).toMatchObject({
			candidates: [{ content: { role: "model" }, finishReason: "STOP", index: 0 }],
			usageMetadata: { promptTokenCount: expect.any(Number), candidatesTokenCount: expect.any(Number), totalTokenCount: expect.any(Number) },
			modelVersion: model,
			responseId: expect.any(String),
		});
		expect(textOf([answer])).toContain('You said: "Say hi"');
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ model, status: 200, stream: 0, estimated: 0 });
	});

	it("maps maxOutputTokens to the upstream and MAX_TOKENS back", async () => {
		const res = await gemini(`${model}:generateContent`, key, { ...hello, generationConfig: { maxOutputTokens: 3 } });
		const answer = (await res.json()) as GeminiBody;
		expect(answer.candidates?.[0]?.finishReason).toBe("MAX_TOKENS");
		expect(answer.usageMetadata?.candidatesTokenCount).toBe(3);
	});

	it("streams with ?alt=sse as SSE, text as it comes and the finish and usage last", async () => {
		const plain = textOf([(await (await gemini(`${model}:generateContent`, key, hello)).json()) as GeminiBody]);
		const res = await gemini(`${model}:streamGenerateContent?alt=sse`, key, hello);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("text/event-stream");
		const events = sseResponses(await res.text());
		expect(events.length).toBeGreaterThan(3);
		expect(textOf(events)).toBe(plain);
		expect(events.at(-1)).toMatchObject({ candidates: [{ finishReason: "STOP" }], usageMetadata: { promptTokenCount: expect.any(Number) } });
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ status: 200, stream: 1, partial: 0, estimated: 0 });
	});

	it("streams without alt as one JSON array, as Gemini does by default", async () => {
		const res = await gemini(`${model}:streamGenerateContent`, key, hello);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toContain("application/json");
		const events = (await res.json()) as GeminiBody[];
		expect(Array.isArray(events)).toBe(true);
		expect(textOf(events)).toContain('You said: "Say hi"');
		expect(events.at(-1)?.candidates?.[0]?.finishReason).toBe("STOP");
	});

	it("accepts Google's snake_case field names", async () => {
		const body = {
			system_instruction: { parts: [{ text: "x" }] },
			contents: [{ role: "user", parts: [{ text: "snake" }] }],
			generation_config: { max_output_tokens: 50 },
		};
		const res = await gemini(`${model}:generateContent`, key, body);
		expect(res.status).toBe(200);
		expect(textOf([(await res.json()) as GeminiBody])).toContain('You said: "snake"');
	});

	it("lists the key's models in Gemini's shape", async () => {
		const res = await call("/v1beta/models", { headers: { "x-goog-api-key": key } });
		expect(res.status).toBe(200);
		const { models } = (await res.json()) as { models: { name: string; supportedGenerationMethods: string[] }[] };
		expect(models).toContainEqual({ name: `models/${model}`, displayName: model, supportedGenerationMethods: ["generateContent", "streamGenerateContent"] });
	});

	it("gets one of the key's models in Gemini's shape (models.get), and a Gemini 404 for another", async () => {
		const res = await call(`/v1beta/models/${model}`, { headers: { "x-goog-api-key": key } });
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ name: `models/${model}`, displayName: model, supportedGenerationMethods: ["generateContent", "streamGenerateContent"] });
		await expectGeminiError(await call("/v1beta/models/no-such-model", { headers: { "x-goog-api-key": key } }), 404, "NOT_FOUND");
	});

	it("refuses a missing or wrong key with a Gemini 401", async () => {
		await expectGeminiError(await gemini(`${model}:generateContent`, undefined, hello), 401, "UNAUTHENTICATED");
		await expectGeminiError(await gemini(`${model}:generateContent`, "sk-wrong-key-000000", hello), 401, "UNAUTHENTICATED");
		await expectGeminiError(await call("/v1beta/models"), 401, "UNAUTHENTICATED");
	});

	it.each([
		["no contents", { contents: [] }, "contents"],
		["parts not an array", { contents: [{ role: "user", parts: "hi" }] }, "contents.0.parts"],
		["a bad temperature", { ...hello, generationConfig: { temperature: "hot" } }, "generationConfig.temperature"],
		["several candidates", { ...hello, generationConfig: { candidateCount: 2 } }, "candidateCount"],
		["malformed JSON", "{", "JSON"],
	])("answers a body with %s with a Gemini 400 naming the fault", async (_, body, named) => {
		const message = await expectGeminiError(await gemini(`${model}:generateContent`, key, body), 400, "INVALID_ARGUMENT");
		expect(message).toContain(named);
	});

	it.each([`${model}:countTokens`, "no-method-here", `${model}:embedContent`])("answers an unknown action (%s) with a Gemini 404", async (action) => {
		await expectGeminiError(await gemini(action, key, hello), 404, "NOT_FOUND");
	});

	it("answers a stream format it cannot send (alt=proto) with a Gemini 400", async () => {
		const message = await expectGeminiError(await gemini(`${model}:streamGenerateContent?alt=proto`, key, hello), 400, "INVALID_ARGUMENT");
		expect(message).toContain("alt");
	});

	it("refuses a model the key may not use with a Gemini 403", async () => {
		const { key: narrow } = await createKey({ models: ["some-other-model"] });
		await expectGeminiError(await gemini(`${model}:generateContent`, narrow, hello), 403, "PERMISSION_DENIED");
	});
});

describe("gemini channels (the loopback upstream playing Gemini fixtures)", () => {
	const UPSTREAM_KEY = "AIza-upstream-gemini-key-0001";

	async function geminiChannel(fixture: string) {
		const tag = uid();
		const model = `gch-${tag}`;
		await createChannel({
			type: "gemini",
			base_url: `${inject("upstreamUrl")}/${tag}/fixture/gemini/${fixture}`,
			key: UPSTREAM_KEY,
			models: [model],
			model_mapping: { [model]: "gemini-2.5-flash" },
		});
		const { key } = await createKey();
		return { tag, model, key };
	}

	it("stream a Gemini client's JSON-array request through the internal representation, the key in a header only", async () => {
		const { tag, model, key } = await geminiChannel("text");
		const res = await gemini(`${model}:streamGenerateContent`, key, hello);
		expect(res.status).toBe(200);
		const events = (await res.json()) as GeminiBody[];
		expect(textOf(events)).toBe("Hello! How can I help you today?");
		expect(events.at(-1)?.usageMetadata).toMatchObject({ promptTokenCount: 12, candidatesTokenCount: 9, totalTokenCount: 21 });
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toMatch(/\/models\/gemini-2\.5-flash:streamGenerateContent$/);
		expect(sent?.search).toBe("?alt=sse");
		expect(sent?.headers["x-goog-api-key"]).toBe(UPSTREAM_KEY);
		expect(sent?.body).toEqual(hello);
	});

	it("pass a Gemini client's SSE stream through untouched, metered by the Gemini tap", async () => {
		const { tag, model, key } = await geminiChannel("reasoning");
		const body = { ...hello, generationConfig: { thinkingConfig: { includeThoughts: true } }, safetySettings: [] };
		const res = await gemini(`${model}:streamGenerateContent?alt=sse`, key, body);
		expect(res.status).toBe(200);
		const events = sseResponses(await res.text());
		expect(events.map((e) => e.candidates?.[0]?.content?.parts?.[0]?.text)).toEqual(["Let me think.", "Four."]);
		expect((await upstreamLog(tag))[0]?.body).toEqual(body);
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ status: 200, stream: 1, prompt_tokens: 10, completion_tokens: 30, estimated: 0, partial: 0 });
	});

	it("bill a passed-through stream that fails mid-way as partial", async () => {
		const { model, key } = await geminiChannel("error-mid");
		const res = await gemini(`${model}:streamGenerateContent?alt=sse`, key, hello);
		const events = sseResponses(await res.text());
		expect(textOf(events)).toBe("Hello");
		expect(events.at(-1)?.error).toMatchObject({ code: 500, status: "INTERNAL" });
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({ status: 502, partial: 1, error_code: "upstream_stream_failed" });
	});

	it("answer an OpenAI client's stream with whole tool calls and usage", async () => {
		const { tag, model, key } = await geminiChannel("tools");
		const res = await call("/v1/chat/completions", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: JSON.stringify({ model, messages: [{ role: "user", content: "Weather in Paris?" }], stream: true, stream_options: { include_usage: true } }),
		});
		const raw = await res.text();
		expect(raw).toContain('"arguments":"{\\"city\\":\\"Paris\\"}"');
		expect(raw).toContain('"finish_reason":"tool_calls"');
		expect(raw).toContain('"usage":{"prompt_tokens":20,"completion_tokens":15,"total_tokens":35}');
		expect(raw.trimEnd().endsWith("data: [DONE]")).toBe(true);
		expect((await upstreamLog(tag))[0]?.body).toEqual({ contents: [{ role: "user", parts: [{ text: "Weather in Paris?" }] }] });
	});

	it("serve OpenAI embeddings through :batchEmbedContents", async () => {
		const { tag, model, key } = await geminiChannel("embeddings");
		const res = await call("/v1/embeddings", {
			method: "POST",
			headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
			body: JSON.stringify({ model, input: ["first text", "second"], dimensions: 3, encoding_format: "float" }),
		});
		expect(res.status).toBe(200);
		const list = (await res.json()) as { object: string; model: string; data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } };
		// Estimated, as Gemini counts none: "first text" two tokens, "second" one.
		expect(list).toMatchObject({ object: "list", model, usage: { prompt_tokens: 3, total_tokens: 3 } });
		expect(list.data.map((d) => [d.index, d.embedding.length])).toEqual([
			[0, 3],
			[1, 3],
		]);
		const [sent] = await upstreamLog(tag);
		expect(sent?.path).toMatch(/\/models\/gemini-2\.5-flash:batchEmbedContents$/);
		expect(sent?.search).toBe("");
		expect(sent?.headers["x-goog-api-key"]).toBe(UPSTREAM_KEY);
		expect(sent?.body).toEqual({
			requests: [
				{ model: "models/gemini-2.5-flash", content: { parts: [{ text: "first text" }] }, outputDimensionality: 3 },
				{ model: "models/gemini-2.5-flash", content: { parts: [{ text: "second" }] }, outputDimensionality: 3 },
			],
		});
	});
});
