import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors/gateway-error";
import { geminiEgress, geminiIngress } from "../../src/protocols/gemini";
import { batchEmbedBody, embeddingListOf, embeddingTexts } from "../../src/protocols/gemini/embeddings";
import type { GenerateContentRequest, GenerateContentResponse } from "../../src/protocols/gemini/types";
import type { ChatChunk, ChatRequest, ChatResponse } from "../../src/protocols/ir";
import { openaiTap } from "../../src/protocols/openai/stream-tap";
import { type SseMapper, sseEvents, sseTransform } from "../../src/protocols/sse";
import { generateContentRequest } from "../../src/routes/gemini-schemas";
import embeddingsJson from "../fixtures/gemini/embeddings.json?raw";
import errorMidSse from "../fixtures/gemini/error-mid.sse?raw";
import reasoningJson from "../fixtures/gemini/reasoning.json?raw";
import reasoningSse from "../fixtures/gemini/reasoning.sse?raw";
import requestTextJson from "../fixtures/gemini/request-text.json?raw";
import requestToolsJson from "../fixtures/gemini/request-tools.json?raw";
import textJson from "../fixtures/gemini/text.json?raw";
import textSse from "../fixtures/gemini/text.sse?raw";
import toolsJson from "../fixtures/gemini/tools.json?raw";
import toolsSse from "../fixtures/gemini/tools.sse?raw";
import openaiErrorMidSse from "../fixtures/openai/error-mid.sse?raw";
import openaiReasoningJson from "../fixtures/openai/reasoning.json?raw";
import openaiReasoningSse from "../fixtures/openai/reasoning.sse?raw";
import openaiRequestTextJson from "../fixtures/openai/request-text.json?raw";
import openaiRequestToolsJson from "../fixtures/openai/request-tools.json?raw";
import openaiTextJson from "../fixtures/openai/text.json?raw";
import openaiTextSse from "../fixtures/openai/text.sse?raw";
import openaiToolsJson from "../fixtures/openai/tools.json?raw";
import openaiToolsSse from "../fixtures/openai/tools.sse?raw";

const ingress = geminiIngress(true);
const MODEL = "gemini-2.5-flash";

const geminiRequest = (raw: string, model = MODEL): GenerateContentRequest => ({ ...(JSON.parse(raw) as GenerateContentRequest), model });
const chatRequest = (raw: string): ChatRequest => JSON.parse(raw) as ChatRequest;
const toChat = (request: GenerateContentRequest) => ingress.toChat({ ...request, model: MODEL });

/** Runs a stream through a mapper in small network chunks that cut events in two, as the relay would. */
async function mapStream(input: string, mapper: SseMapper): Promise<string> {
	const bytes = new TextEncoder().encode(input);
	let offset = 0;
	const source = new ReadableStream<Uint8Array>({
		pull(controller) {
			if (offset >= bytes.length) return controller.close();
			controller.enqueue(bytes.slice(offset, offset + 37));
			offset += 37;
		},
	});
	return new Response(source.pipeThrough(sseTransform(mapper))).text();
}

const dataOf = (sse: string) => sseEvents(sse).map((e) => e.data);

type ChatEvent = Partial<ChatChunk> & { error?: { message: string; type: string; code?: string | null } };
type GeminiEvent = GenerateContentResponse & { error?: { code: number; message: string; status: string } };

const chatEvents = (sse: string): (ChatEvent | "[DONE]")[] => dataOf(sse).map((d) => (d === "[DONE]" ? d : (JSON.parse(d) as ChatEvent)));
const geminiEvents = (sse: string): GeminiEvent[] => dataOf(sse).map((d) => JSON.parse(d) as GeminiEvent);

/** What an OpenAI SDK reassembles from a chunk stream. */
function readChatStream(events: (ChatEvent | "[DONE]")[]) {
	let text = "";
	let reasoning = "";
	let signature = "";
	let finish: string | null = null;
	const calls: { id: string; name: string; args: string }[] = [];
	for (const e of events) {
		if (e === "[DONE]") continue;
		for (const choice of e.choices ?? []) {
			text += choice.delta.content ?? "";
			reasoning += choice.delta.reasoning_content ?? "";
			signature += choice.delta.reasoning_signature ?? "";
			for (const t of choice.delta.tool_calls ?? []) {
				const call = calls[t.index] ?? { id: "", name: "", args: "" };
				calls[t.index] = call;
				call.id += t.id ?? "";
				call.name += t.function?.name ?? "";
				call.args += t.function?.arguments ?? "";
			}
			finish = choice.finish_reason ?? finish;
		}
	}
	return { text, reasoning, signature, finish, calls };
}

/** What a Gemini SDK reassembles from a stream of responses. */
function readGemini(events: GeminiEvent[]) {
	let text = "";
	let thoughts = "";
	let finish: string | undefined;
	let error: GeminiEvent["error"];
	const calls: unknown[] = [];
	for (const e of events) {
		error ??= e.error;
		const candidate = e.candidates?.[0];
		for (const p of candidate?.content?.parts ?? []) {
			if (p.functionCall) calls.push(p.functionCall);
			else if (p.thought) thoughts += p.text ?? "";
			else text += p.text ?? "";
		}
		finish = candidate?.finishReason ?? finish;
	}
	return { text, thoughts, finish, calls, error, usage: events.at(-1)?.usageMetadata };
}

const IMAGE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";

describe("gemini request → chat", () => {
	it("maps the text fixture to the same chat request the OpenAI fixture is", () => {
		const chat = ingress.toChat(geminiRequest(requestTextJson));
		const openai = chatRequest(openaiRequestTextJson);
		expect(chat).toEqual({ model: MODEL, messages: openai.messages, max_tokens: 1024, temperature: 0.7, stop: ["END"] });
	});

	it("maps the tools fixture: declarations become function tools, mode AUTO becomes auto", () => {
		const chat = ingress.toChat(geminiRequest(requestToolsJson));
		const openai = chatRequest(openaiRequestToolsJson);
		expect(chat).toMatchObject({ messages: openai.messages, tools: openai.tools, tool_choice: "auto", max_tokens: 1024 });
	});

	it("pairs function responses with their calls by name, giving calls without an id stable ids", () => {
		const chat = toChat({
			contents: [
				{ role: "user", parts: [{ text: "Weather in Paris and Rome?" }] },
				{
					role: "model",
					parts: [
						{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "sig-1" },
						{ functionCall: { name: "get_time", args: { city: "Rome" } } },
					],
				},
				{
					role: "user",
					parts: [
						{ functionResponse: { name: "get_time", response: { time: "12:00" } } },
						{ functionResponse: { name: "get_weather", response: { sky: "clear" } } },
						{ text: "Thanks" },
					],
				},
			],
		});
		expect(chat.messages).toEqual([
			{ role: "user", content: "Weather in Paris and Rome?" },
			{
				role: "assistant",
				content: null,
				tool_calls: [
					{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
					{ id: "call_2", type: "function", function: { name: "get_time", arguments: '{"city":"Rome"}' } },
				],
				reasoning_signature: "sig-1",
			},
			{ role: "tool", tool_call_id: "call_2", content: '{"time":"12:00"}' },
			{ role: "tool", tool_call_id: "call_1", content: '{"sky":"clear"}' },
			{ role: "user", content: "Thanks" },
		]);
	});

	it("keeps Gemini's own call ids and matches results by id first", () => {
		const chat = toChat({
			contents: [
				{
					role: "model",
					parts: [{ functionCall: { name: "f", args: {}, id: "a" } }, { functionCall: { name: "f", args: {}, id: "b" } }],
				},
				{ role: "user", parts: [{ functionResponse: { name: "f", response: {}, id: "b" } }, { functionResponse: { name: "f", response: {}, id: "a" } }] },
			],
		});
		expect(chat.messages.map((m) => m.tool_call_id ?? m.tool_calls?.map((c) => c.id))).toEqual([["a", "b"], "b", "a"]);
	});

	it("maps thoughts to reasoning and file URIs to image URLs", () => {
		const chat = toChat({
			contents: [
				{ role: "user", parts: [{ fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.jpg" } }, { text: "What is it?" }] },
				{ role: "model", parts: [{ text: "Hmm.", thought: true, thoughtSignature: "sig" }, { text: "A cat." }] },
			],
		});
		expect(chat.messages).toEqual([
			{
				role: "user",
				content: [
					{ type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
					{ type: "text", text: "What is it?" },
				],
			},
			{ role: "assistant", content: "A cat.", reasoning_content: "Hmm.", reasoning_signature: "sig" },
		]);
	});

	const declarations = [{ functionDeclarations: [{ name: "a" }, { name: "b" }, { name: "c" }] }];
	it.each([
		["AUTO", undefined, "auto", 3],
		["NONE", undefined, "none", 3],
		["ANY", undefined, "required", 3],
		["ANY", ["b"], { type: "function", function: { name: "b" } }, 3],
		["ANY", ["a", "c"], "required", 2],
	])("maps function calling mode %s (allowed %j) to tool_choice %j", (mode, allowedFunctionNames, choice, offered) => {
		const chat = toChat({ contents: [{ parts: [{ text: "x" }] }], tools: declarations, toolConfig: { functionCallingConfig: { mode, allowedFunctionNames } } });
		expect(chat.tool_choice).toEqual(choice);
		expect(chat.tools).toHaveLength(offered);
	});

	it("turns Google's upper-case OpenAPI schemas into JSON Schema", () => {
		const parameters = { type: "OBJECT", properties: { n: { type: "INTEGER", nullable: true } }, propertyOrdering: ["n"] };
		const chat = toChat({ contents: [{ parts: [{ text: "x" }] }], tools: [{ functionDeclarations: [{ name: "f", parameters }] }] });
		expect(chat.tools?.[0]?.function.parameters).toEqual({ type: "object", properties: { n: { type: ["integer", "null"] } } });
	});

	it.each([
		[{ responseMimeType: "application/json" }, { response_format: { type: "json_object" } }],
		[
			{ responseMimeType: "application/json", responseSchema: { type: "ARRAY", items: { type: "STRING" } } },
			{ response_format: { type: "json_schema", json_schema: { name: "response", schema: { type: "array", items: { type: "string" } } } } },
		],
		[
			{ responseMimeType: "application/json", responseJsonSchema: { type: "object" } },
			{ response_format: { type: "json_schema", json_schema: { name: "response", schema: { type: "object" } } } },
		],
		[{ thinkingConfig: { thinkingBudget: 2048 } }, { thinking_budget: 2048, reasoning_effort: "medium" }],
		[{ thinkingConfig: { thinkingBudget: 0 } }, { thinking_budget: 0, reasoning_effort: "minimal" }],
		[{ thinkingConfig: { thinkingLevel: "HIGH" } }, { reasoning_effort: "high" }],
		[
			{ topP: 0.9, seed: 7, presencePenalty: 0.5, frequencyPenalty: 0.25 },
			{ top_p: 0.9, seed: 7, presence_penalty: 0.5, frequency_penalty: 0.25 },
		],
	])("maps generationConfig %j", (generationConfig, expected) => {
		expect(toChat({ contents: [{ parts: [{ text: "x" }] }], generationConfig })).toMatchObject(expected);
	});

	it("leaves dynamic thinking (-1) to the upstream", () => {
		const chat = toChat({ contents: [{ parts: [{ text: "x" }] }], generationConfig: { thinkingConfig: { thinkingBudget: -1 } } });
		expect(chat.thinking_budget).toBeUndefined();
		expect(chat.reasoning_effort).toBeUndefined();
	});

	it("rejects more than one candidate with a 400", () => {
		let thrown: unknown;
		try {
			toChat({ contents: [{ parts: [{ text: "x" }] }], generationConfig: { candidateCount: 2 } });
		} catch (err) {
			thrown = err;
		}
		expect(thrown).toBeInstanceOf(GatewayError);
		expect(thrown).toMatchObject({ code: "invalid_request", status: 400 });
	});

	it("accepts Google's snake_case spelling, leaving tool arguments and schemas as they are", () => {
		const parsed = generateContentRequest.parse({
			system_instruction: { parts: [{ text: "Be brief." }] },
			contents: [
				{ role: "user", parts: [{ inline_data: { mime_type: "image/png", data: IMAGE } }] },
				{ role: "model", parts: [{ function_call: { name: "f", args: { snake_key: 1 } } }] },
			],
			tools: [{ function_declarations: [{ name: "f", parameters: { type: "object", properties: { snake_key: { type: "integer" } } } }] }],
			generation_config: { max_output_tokens: 5, thinking_config: { thinking_budget: 1024 } },
		});
		const chat = toChat(parsed);
		expect(chat).toMatchObject({
			messages: [
				{ role: "system", content: "Be brief." },
				{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${IMAGE}` } }] },
				{ role: "assistant", tool_calls: [{ function: { arguments: '{"snake_key":1}' } }] },
			],
			tools: [{ function: { parameters: { properties: { snake_key: { type: "integer" } } } } }],
			max_tokens: 5,
			thinking_budget: 1024,
		});
	});
});

describe("chat request → gemini", () => {
	it("maps the OpenAI text fixture to exactly the Gemini text fixture", () => {
		const expected = JSON.parse(requestTextJson) as unknown;
		expect(geminiEgress.fromChat(chatRequest(openaiRequestTextJson))).toEqual(expected);
	});

	it("maps the OpenAI tools fixture to declarations with a JSON Schema and mode AUTO, with no model field", () => {
		const body = geminiEgress.fromChat(chatRequest(openaiRequestToolsJson));
		const fixture = JSON.parse(requestToolsJson) as GenerateContentRequest;
		const declaration = fixture.tools?.[0]?.functionDeclarations?.[0];
		expect(body).toEqual({
			...fixture,
			tools: [{ functionDeclarations: [{ name: declaration?.name, description: declaration?.description, parametersJsonSchema: declaration?.parameters }] }],
		});
		expect(body).not.toHaveProperty("model");
	});

	it("sends tool results as function responses named after their call, merged into one user turn", () => {
		const body = geminiEgress.fromChat({
			model: "m",
			messages: [
				{ role: "developer", content: "Be brief." },
				{ role: "user", content: "Weather and time?" },
				{
					role: "assistant",
					content: null,
					reasoning_content: "Two calls.",
					reasoning_signature: "sig",
					tool_calls: [
						{ id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
						{ id: "c2", type: "function", function: { name: "get_time", arguments: "" } },
					],
				},
				{ role: "tool", tool_call_id: "c2", content: "noon" },
				{ role: "tool", tool_call_id: "c1", content: '{"sky":"clear"}' },
				{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.png?x=1" } }] },
			],
			tool_choice: { type: "function", function: { name: "get_weather" } },
			tools: [{ type: "function", function: { name: "get_weather" } }],
		});
		expect(body).toEqual({
			systemInstruction: { parts: [{ text: "Be brief." }] },
			contents: [
				{ role: "user", parts: [{ text: "Weather and time?" }] },
				{
					role: "model",
					parts: [
						// Gemini 3 wants the signature on the first function call of the turn.
						{ functionCall: { name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "sig" },
						{ functionCall: { name: "get_time", args: {} } },
					],
				},
				{
					role: "user",
					parts: [
						{ functionResponse: { name: "get_time", response: { content: "noon" } } },
						{ functionResponse: { name: "get_weather", response: { sky: "clear" } } },
						{ fileData: { mimeType: "image/png", fileUri: "https://example.com/a.png?x=1" } },
					],
				},
			],
			tools: [{ functionDeclarations: [{ name: "get_weather" }] }],
			toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } },
		});
	});

	it("sends signed reasoning back as a thought and drops unsigned reasoning", () => {
		const body = geminiEgress.fromChat({
			model: "m",
			messages: [
				{ role: "user", content: "a" },
				{ role: "assistant", content: "b", reasoning_content: "thinking", reasoning_signature: "sig" },
				{ role: "user", content: "c" },
				{ role: "assistant", content: "d", reasoning_content: "unsigned" },
				{ role: "user", content: "e" },
			],
		});
		expect(body.contents).toEqual([
			{ role: "user", parts: [{ text: "a" }] },
			{ role: "model", parts: [{ text: "thinking", thought: true, thoughtSignature: "sig" }, { text: "b" }] },
			{ role: "user", parts: [{ text: "c" }] },
			{ role: "model", parts: [{ text: "d" }] },
			{ role: "user", parts: [{ text: "e" }] },
		]);
	});

	it.each([
		[{ reasoning_effort: "high" }, { thinkingConfig: { thinkingBudget: 16384, includeThoughts: true } }],
		[{ thinking_budget: 3000, reasoning_effort: "low" }, { thinkingConfig: { thinkingBudget: 3000, includeThoughts: true } }],
		[{ response_format: { type: "json_object" } }, { responseMimeType: "application/json" }],
		[
			{ response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "object" } } } },
			{ responseMimeType: "application/json", responseJsonSchema: { type: "object" } },
		],
		[
			{ max_completion_tokens: 9, stop: "END", top_p: 0.5, temperature: null },
			{ maxOutputTokens: 9, stopSequences: ["END"], topP: 0.5 },
		],
	])("maps %j to generationConfig %j", (options, generationConfig) => {
		const body = geminiEgress.fromChat({ model: "m", messages: [{ role: "user", content: "x" }], ...options } as ChatRequest);
		expect(body.generationConfig).toEqual(generationConfig);
	});
});

describe("gemini response → chat", () => {
	it.each([
		[textJson, { content: "Hello! How can I help you today?" }, "stop", { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 }],
		[
			toolsJson,
			{
				content: null,
				tool_calls: [{ id: expect.stringMatching(/^call_\w+$/), type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
			},
			"tool_calls",
			{ prompt_tokens: 20, completion_tokens: 15, total_tokens: 35 },
		],
		[
			reasoningJson,
			{ content: "Four.", reasoning_content: "Let me think.", reasoning_signature: expect.any(String) },
			"stop",
			{ prompt_tokens: 10, completion_tokens: 30, total_tokens: 40, completion_tokens_details: { reasoning_tokens: 25 } },
		],
	])("maps a fixture answer (%#)", (raw, message, finish, usage) => {
		const chat = geminiEgress.toChat(JSON.parse(raw), MODEL);
		expect(chat).toMatchObject({
			object: "chat.completion",
			model: MODEL,
			choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish }],
		});
		expect(chat.usage).toEqual(usage);
	});

	it("counts cached and tool-use prompt tokens", () => {
		const usageMetadata = { promptTokenCount: 100, cachedContentTokenCount: 60, toolUsePromptTokenCount: 5, candidatesTokenCount: 7, totalTokenCount: 112 };
		const chat = geminiEgress.toChat({ candidates: [{ content: { parts: [{ text: "x" }] }, finishReason: "STOP" }], usageMetadata }, MODEL);
		expect(chat.usage).toEqual({ prompt_tokens: 105, completion_tokens: 7, total_tokens: 112, prompt_tokens_details: { cached_tokens: 60 } });
		expect(geminiEgress.readUsage({ usageMetadata })).toEqual({ promptTokens: 105, completionTokens: 7, cachedTokens: 60 });
		expect(geminiEgress.readUsage(JSON.parse(reasoningJson))).toEqual({ promptTokens: 10, completionTokens: 30, cachedTokens: 0 });
	});

	it.each([
		["MAX_TOKENS", "length"],
		["SAFETY", "content_filter"],
		["RECITATION", "content_filter"],
		["PROHIBITED_CONTENT", "content_filter"],
		["OTHER", "stop"],
	])("maps finish reason %s to %s", (finishReason, expected) => {
		const chat = geminiEgress.toChat({ candidates: [{ content: { parts: [{ text: "x" }] }, finishReason }] }, MODEL);
		expect(chat.choices[0]?.finish_reason).toBe(expected);
	});

	it("maps a prompt blocked outright to content_filter with empty text", () => {
		const chat = geminiEgress.toChat({ promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 } }, MODEL);
		expect(chat.choices[0]).toMatchObject({ message: { content: "" }, finish_reason: "content_filter" });
	});
});

describe("chat response → gemini", () => {
	it.each([
		[
			openaiTextJson,
			{ text: "Hello! How can I help you today?", finish: "STOP", calls: [] },
			{ promptTokenCount: 12, candidatesTokenCount: 9, totalTokenCount: 21 },
		],
		[
			openaiToolsJson,
			{ text: "", finish: "STOP", calls: [{ name: "get_weather", args: { city: "Paris" }, id: "call_abc123" }] },
			{ promptTokenCount: 20, candidatesTokenCount: 15, totalTokenCount: 35 },
		],
		[
			openaiReasoningJson,
			{ text: "Four.", thoughts: "Let me think.", finish: "STOP" },
			{ promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 25, totalTokenCount: 40 },
		],
	])("maps an OpenAI fixture answer (%#)", (raw, expected, usageMetadata) => {
		const response = ingress.fromChat(JSON.parse(raw) as ChatResponse, MODEL) as GenerateContentResponse;
		expect(readGemini([response])).toMatchObject({ ...expected, usage: usageMetadata });
		expect(response).toMatchObject({ modelVersion: MODEL, responseId: expect.any(String), candidates: [{ index: 0, content: { role: "model" } }] });
	});

	it("is the inverse of the Gemini mapping for a fixture answer", () => {
		for (const raw of [textJson, toolsJson, reasoningJson]) {
			const original = JSON.parse(raw) as GenerateContentResponse;
			const back = ingress.fromChat(geminiEgress.toChat(original, MODEL), MODEL) as GenerateContentResponse;
			const { calls, ...rest } = readGemini([back]);
			const { calls: originalCalls, ...originalRest } = readGemini([original]);
			expect(rest).toEqual({ ...originalRest, usage: expect.objectContaining({ promptTokenCount: original.usageMetadata?.promptTokenCount }) });
			expect(calls).toEqual(originalCalls.map((c) => ({ ...(c as object), id: expect.any(String) })));
		}
	});
});

describe("gemini stream → chat stream", () => {
	it("streams text as it comes: role first, then the finish, the usage and [DONE]", async () => {
		const events = chatEvents(await mapStream(textSse, geminiEgress.streamToChat?.(MODEL) ?? fail()));
		const first = events[0];
		expect(first !== "[DONE]" && first?.choices?.[0]?.delta.role).toBe("assistant");
		const contents = events.flatMap((e) => (e === "[DONE]" ? [] : (e.choices ?? []).map((c) => c.delta.content).filter((c) => c)));
		expect(contents).toEqual(["Hello!", " How can I help", " you today?"]);
		expect(readChatStream(events)).toMatchObject({ text: "Hello! How can I help you today?", finish: "stop" });
		expect(events.at(-2)).toMatchObject({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 } });
		expect(events.at(-1)).toBe("[DONE]");
	});

	it("sends a function call as one tool call delta and finishes with tool_calls", async () => {
		const events = chatEvents(await mapStream(toolsSse, geminiEgress.streamToChat?.(MODEL) ?? fail()));
		const read = readChatStream(events);
		expect(read.finish).toBe("tool_calls");
		expect(read.calls).toEqual([{ id: expect.stringMatching(/^call_/), name: "get_weather", args: '{"city":"Paris"}' }]);
		expect(events.at(-2)).toMatchObject({ usage: { prompt_tokens: 20, completion_tokens: 15 } });
	});

	it("streams thoughts as reasoning, with the signature, and bills thoughts as completion", async () => {
		const events = chatEvents(await mapStream(reasoningSse, geminiEgress.streamToChat?.(MODEL) ?? fail()));
		expect(readChatStream(events)).toMatchObject({ text: "Four.", reasoning: "Let me think.", signature: expect.any(String), finish: "stop" });
		expect(events.at(-2)).toMatchObject({ usage: { prompt_tokens: 10, completion_tokens: 30, completion_tokens_details: { reasoning_tokens: 25 } } });
	});

	it("turns a mid-stream error into an OpenAI error event, with no [DONE]", async () => {
		const out = await mapStream(errorMidSse, geminiEgress.streamToChat?.(MODEL) ?? fail());
		const events = chatEvents(out);
		expect(readChatStream(events).text).toBe("Hello");
		expect(events.at(-1)).toEqual({ error: { message: expect.stringContaining("internal error"), type: "api_error", code: "upstream_error" } });
		const tap = openaiTap(true);
		for (const data of dataOf(out)) tap.inspect(data);
		expect(tap).toMatchObject({ failed: true, complete: false });
	});

	it("ends a stream cut before its finish with neither a finish nor [DONE], so the meter reports it", async () => {
		const cut = textSse.split("\r\n\r\n").slice(0, 2).join("\r\n\r\n");
		const out = await mapStream(cut, geminiEgress.streamToChat?.(MODEL) ?? fail());
		const tap = openaiTap(true);
		for (const data of dataOf(out)) tap.inspect(data);
		expect(out).not.toContain("[DONE]");
		expect(tap.complete).toBe(false);
	});

	it("is read as complete, with the usage, by the meter's chat tap", async () => {
		const out = await mapStream(textSse, geminiEgress.streamToChat?.(MODEL) ?? fail());
		const tap = openaiTap(true);
		for (const data of dataOf(out)) tap.inspect(data);
		expect(tap).toMatchObject({ complete: true, failed: false, usage: { promptTokens: 12, completionTokens: 9, cachedTokens: 0 } });
	});
});

describe("chat stream → gemini stream", () => {
	const sseForm = () => ingress.streamFromChat?.(MODEL) ?? fail();

	it("sends text deltas as they come and the finish and usage in the last response", async () => {
		const events = geminiEvents(await mapStream(openaiTextSse, sseForm()));
		expect(events.map((e) => e.candidates?.[0]?.content?.parts?.[0]?.text)).toEqual(["Hello!", " How can I help", " you today?", ""]);
		expect(events.slice(0, -1).every((e) => e.candidates?.[0]?.finishReason === undefined && e.usageMetadata === undefined)).toBe(true);
		expect(readGemini(events)).toMatchObject({
			text: "Hello! How can I help you today?",
			finish: "STOP",
			usage: { promptTokenCount: 12, candidatesTokenCount: 9, totalTokenCount: 21 },
		});
		expect(events[0]).toMatchObject({ modelVersion: MODEL, responseId: "chatcmpl-123", candidates: [{ index: 0, content: { role: "model" } }] });
	});

	it("reassembles streamed tool arguments into one whole function call", async () => {
		const events = geminiEvents(await mapStream(openaiToolsSse, sseForm()));
		expect(readGemini(events)).toMatchObject({ calls: [{ name: "get_weather", args: { city: "Paris" }, id: "call_abc123" }], finish: "STOP" });
		expect(readGemini(events).usage).toMatchObject({ promptTokenCount: 20, candidatesTokenCount: 15 });
	});

	it("sends each call once the next begins, not at the end", async () => {
		const chunk = (delta: object, finish: string | null = null) =>
			`data: ${JSON.stringify({ id: "x", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
		const call = (index: number, name: string, args: string) => chunk({ tool_calls: [{ index, id: `c${index}`, function: { name, arguments: args } }] });
		const input = [call(0, "a", '{"x":'), call(0, "", "1}"), call(1, "b", "{}"), chunk({}, "tool_calls"), "data: [DONE]\n\n"].join("");
		const events = geminiEvents(await mapStream(input, sseForm()));
		expect(events.map((e) => e.candidates?.[0]?.content?.parts?.map((p) => p.functionCall?.name))).toEqual([["a"], ["b"]]);
		expect(events[0]?.candidates?.[0]?.content?.parts?.[0]?.functionCall?.args).toEqual({ x: 1 });
		expect(events[1]?.candidates?.[0]?.finishReason).toBe("STOP");
	});

	it("streams reasoning as thoughts and bills them as thoughts", async () => {
		const events = geminiEvents(await mapStream(openaiReasoningSse, sseForm()));
		expect(readGemini(events)).toMatchObject({
			text: "Four.",
			thoughts: "Let me think.",
			finish: "STOP",
			usage: { candidatesTokenCount: 5, thoughtsTokenCount: 25 },
		});
	});

	it("turns an upstream's error event into Gemini's error form after what was delivered", async () => {
		const events = geminiEvents(await mapStream(openaiErrorMidSse, sseForm()));
		expect(readGemini(events).text).toBe("Hello");
		expect(events.at(-1)).toEqual({ error: { code: 500, message: expect.stringContaining("server had an error"), status: "INTERNAL" } });
	});

	it("turns the meter's error event into a 502 UNAVAILABLE", async () => {
		const meterError = 'data: {"error":{"message":"The upstream ended the stream early","type":"api_error","code":"upstream_error"}}\n\n';
		const events = geminiEvents(await mapStream(`${openaiTextSse.split("\n\n").slice(0, 2).join("\n\n")}\n\n${meterError}`, sseForm()));
		expect(events.at(-1)).toEqual({ error: { code: 502, message: "The upstream ended the stream early", status: "UNAVAILABLE" } });
	});

	it("without alt=sse, streams one JSON array of responses", async () => {
		const arrayIngress = geminiIngress(false);
		expect(arrayIngress.streamContentType).toBe("application/json");
		expect(arrayIngress.wire).toBeUndefined();
		const out = await mapStream(openaiTextSse, arrayIngress.streamFromChat?.(MODEL) ?? fail());
		expect(out.startsWith("[")).toBe(true);
		const events = JSON.parse(out) as GeminiEvent[];
		expect(readGemini(events)).toMatchObject({ text: "Hello! How can I help you today?", finish: "STOP", usage: { totalTokenCount: 21 } });

		const failed = JSON.parse(await mapStream(openaiErrorMidSse, geminiIngress(false).streamFromChat?.(MODEL) ?? fail())) as GeminiEvent[];
		expect(readGemini(failed)).toMatchObject({ text: "Hello", error: { code: 500, status: "INTERNAL" } });
	});

	it("round-trips every Gemini stream fixture through the chat stream", async () => {
		for (const raw of [textSse, toolsSse, reasoningSse]) {
			const chat = await mapStream(raw, geminiEgress.streamToChat?.(MODEL) ?? fail());
			const back = readGemini(geminiEvents(await mapStream(chat, sseForm())));
			const original = readGemini(geminiEvents(raw));
			expect(back).toMatchObject({
				text: original.text,
				thoughts: original.thoughts,
				finish: original.finish,
				calls: original.calls.map((c) => expect.objectContaining(c)),
			});
			expect(back.usage).toMatchObject({ promptTokenCount: original.usage?.promptTokenCount, totalTokenCount: original.usage?.totalTokenCount });
		}
	});
});

describe("gemini stream tap", () => {
	const tapOver = (raw: string) => {
		const tap = geminiEgress.tap(false);
		const shown = dataOf(raw).map((data) => tap.inspect(data));
		return { tap, shown };
	};

	it.each([
		[textSse, { promptTokens: 12, completionTokens: 9, cachedTokens: 0 }, 32],
		[toolsSse, { promptTokens: 20, completionTokens: 15, cachedTokens: 0 }, 16],
		[reasoningSse, { promptTokens: 10, completionTokens: 30, cachedTokens: 0 }, 18],
	])("reads a complete stream's usage from its last response (%#)", (raw, usage, chars) => {
		const { tap, shown } = tapOver(raw);
		expect(shown.every(Boolean)).toBe(true);
		expect(tap).toMatchObject({ complete: true, failed: false, usage });
		expect(tap.deliveredChars()).toBe(chars);
	});

	it("marks a stream with an error event failed, counting what was delivered", () => {
		const { tap } = tapOver(errorMidSse);
		expect(tap).toMatchObject({ complete: false, failed: true });
		expect(tap.deliveredChars()).toBe(5);
	});

	it("marks a stream cut before the finish incomplete, and ends it with a Gemini error", () => {
		const { tap } = tapOver(textSse.split("\r\n\r\n").slice(0, 2).join("\r\n\r\n"));
		expect(tap).toMatchObject({ complete: false, failed: false });
		expect(geminiEvents(tap.errorEvent("cut short"))).toEqual([{ error: { code: 502, message: "cut short", status: "UNAVAILABLE" } }]);
	});
});

describe("gemini embeddings translation", () => {
	it("builds one batch request per input and answers in OpenAI's list format", () => {
		const texts = embeddingTexts(["a", "bcdefgh"]) ?? fail();
		expect(batchEmbedBody(texts, "text-embedding-004", 3)).toEqual({
			requests: [
				{ model: "models/text-embedding-004", content: { parts: [{ text: "a" }] }, outputDimensionality: 3 },
				{ model: "models/text-embedding-004", content: { parts: [{ text: "bcdefgh" }] }, outputDimensionality: 3 },
			],
		});
		const list = embeddingListOf(JSON.parse(embeddingsJson), "emb", texts, false);
		expect(list).toEqual({
			object: "list",
			model: "emb",
			data: [
				{ object: "embedding", index: 0, embedding: [0.013168523, -0.008711934, -0.046782676] },
				{ object: "embedding", index: 1, embedding: [0.025913943, 0.0092101544, -0.03135112] },
			],
			// Estimated (Gemini counts none): "a" one token, "bcdefgh" two.
			usage: { prompt_tokens: 3, total_tokens: 3 },
		});
	});

	it("encodes base64 as little-endian float32, as the OpenAI SDKs decode it", () => {
		const list = embeddingListOf({ embeddings: [{ values: [1, -0.5] }] }, "emb", ["x"], true);
		const b64 = list.data[0]?.embedding;
		expect(typeof b64).toBe("string");
		const bytes = Uint8Array.from(atob(String(b64)), (ch) => ch.charCodeAt(0));
		expect([...new Float32Array(bytes.buffer)]).toEqual([1, -0.5]);
	});

	it("refuses token arrays, which Gemini cannot embed", () => {
		expect(embeddingTexts([1, 2, 3])).toBeUndefined();
		expect(embeddingTexts("one")).toEqual(["one"]);
	});
});

function fail(): never {
	throw new Error("missing");
}
