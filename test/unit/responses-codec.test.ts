import OpenAI, { APIError } from "openai";
import type { Response as SdkResponse } from "openai/resources/responses/responses";
import { describe, expect, inject, it } from "vitest";
import { GatewayError } from "../../src/errors/gateway-error";
import type { ChatResponse } from "../../src/protocols/ir";
import { responsesIngress, responsesIngressFor } from "../../src/protocols/responses";
import { fromChat, responseHead } from "../../src/protocols/responses/response";
import { settingsOf } from "../../src/protocols/responses/settings";
import type { ResponseObject, ResponsesRequest } from "../../src/protocols/responses/types";
import { sseTransform } from "../../src/protocols/sse";
import { sseEvents } from "../support/outcome";

async function fixture(path: string): Promise<string> {
	const res = await fetch(`${inject("upstreamUrl")}/__fixtures/${path}`);
	if (!res.ok) throw new Error(`no fixture ${path}`);
	return res.text();
}

const request = async (name: string): Promise<ResponsesRequest> => JSON.parse(await fixture(`responses/${name}.json`));
const chatAnswer = async (name: string): Promise<ChatResponse> => JSON.parse(await fixture(`openai/${name}.json`));

/** The Responses stream for a chat-chunk stream, as the relay pipes it. */
async function mapStream(chunks: string, codec = responsesIngress): Promise<string> {
	const mapper = codec.streamFromChat?.("gpt-4o");
	const body = new Response(chunks).body;
	if (!mapper || !body) throw new Error("no stream mapper");
	return new Response(body.pipeThrough(sseTransform(mapper))).text();
}

type Event = { type: string; sequence_number: number; [field: string]: unknown };

function events(sse: string): Event[] {
	return sseEvents(sse).map(({ event, data }) => {
		const e = JSON.parse(data) as Event;
		expect(e.type).toBe(event);
		return e;
	});
}

/** The Response a lifecycle event carries. */
function responseOf(event: Event | undefined): ResponseObject {
	if (!event?.response) throw new Error(`no response in ${JSON.stringify(event)}`);
	return event.response as ResponseObject;
}

function refusal(body: Record<string, unknown>): GatewayError {
	try {
		responsesIngress.toChat({ model: "m", input: "hi", ...body });
	} catch (e) {
		if (e instanceof GatewayError) return e;
		throw e;
	}
	throw new Error("expected a refusal");
}

/** An OpenAI SDK client whose every request is answered by `answer`: the SDK's own parsing, offline. */
function sdkAnswering(answer: () => Response): OpenAI {
	return new OpenAI({ apiKey: "sk-test", baseURL: "http://gateway.test/v1", maxRetries: 0, fetch: async () => answer() });
}

const sseResponse = (text: string) => new Response(text, { headers: { "content-type": "text/event-stream" } });

describe("responses request → internal representation", () => {
	it("maps the text fixture: instructions, history, and an image", async () => {
		const chat = responsesIngress.toChat(await request("request-text"));
		expect(chat).toEqual({
			model: "gpt-4o",
			max_tokens: 1024,
			temperature: 0.7,
			messages: [
				{ role: "system", content: "You are a helpful assistant." },
				{ role: "user", content: "Hi!" },
				{ role: "assistant", content: "Hello. What do you need?" },
				{
					role: "user",
					content: [
						{ type: "text", text: "What is in this image?" },
						{ type: "image_url", image_url: { url: expect.stringMatching(/^data:image\/png;base64,iVBOR/), detail: "auto" } },
					],
				},
			],
		});
	});

	it("maps the tools fixture to function tools", async () => {
		const chat = responsesIngress.toChat(await request("request-tools"));
		expect(chat.messages).toEqual([{ role: "user", content: "What is the weather like in Paris?" }]);
		expect(chat.tools).toEqual([
			{
				type: "function",
				function: {
					name: "get_weather",
					description: "Get the current weather in a given city",
					parameters: { type: "object", properties: { city: { type: "string", description: "The city" } }, required: ["city"] },
					strict: false,
				},
			},
		]);
		expect(chat.tool_choice).toBe("auto");
	});

	it("folds one turn's reasoning, text and function calls into one assistant message, and outputs into tool messages", () => {
		const chat = responsesIngress.toChat({
			model: "m",
			stream: true,
			input: [
				{ type: "message", role: "developer", content: "Use tools." },
				{ role: "user", content: [{ type: "input_text", text: "Weather in Paris and Rome?" }] },
				{ type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Two cities." }], encrypted_content: "sig-1" },
				{ type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking both." }] },
				{ type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
				{ type: "function_call", call_id: "call_2", name: "get_weather", arguments: '{"city":"Rome"}' },
				{ type: "function_call_output", call_id: "call_1", output: "sunny" },
				{ type: "function_call_output", call_id: "call_2", output: [{ type: "input_text", text: "rain" }] },
				{ type: "reasoning", id: "rs_2", summary: [] },
				{ role: "user", content: "Thanks" },
			],
		});
		expect(chat.stream).toBe(true);
		expect(chat.messages).toEqual([
			{ role: "developer", content: "Use tools." },
			{ role: "user", content: "Weather in Paris and Rome?" },
			{
				role: "assistant",
				content: "Checking both.",
				reasoning_content: "Two cities.",
				reasoning_signature: "sig-1",
				tool_calls: [
					{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
					{ id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Rome"}' } },
				],
			},
			{ role: "tool", tool_call_id: "call_1", content: "sunny" },
			{ role: "tool", tool_call_id: "call_2", content: "rain" },
			{ role: "user", content: "Thanks" },
		]);
	});

	it("maps text format, reasoning effort, tool choice and the other settings", () => {
		const tools = [
			{ type: "function", name: "a", parameters: { type: "object" } },
			{ type: "function", name: "b" },
		];
		const schema = { type: "object", properties: { x: { type: "number" } } };
		const chat = responsesIngress.toChat({
			model: "m",
			input: "hi",
			tools,
			tool_choice: { type: "allowed_tools", mode: "required", tools: [{ type: "function", name: "b" }] },
			text: { format: { type: "json_schema", name: "out", schema, strict: true } },
			reasoning: { effort: "xhigh" },
			top_p: 0.5,
			parallel_tool_calls: false,
			user: "u-1",
			store: true,
		});
		expect(chat).toMatchObject({
			tools: [{ type: "function", function: { name: "b" } }],
			tool_choice: "required",
			response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } },
			reasoning_effort: "high",
			top_p: 0.5,
			parallel_tool_calls: false,
			user: "u-1",
		});
		expect(chat.tools).toHaveLength(1);
		expect(responsesIngress.toChat({ model: "m", input: "hi", tools, tool_choice: { type: "function", name: "a" } }).tool_choice).toEqual({
			type: "function",
			function: { name: "a" },
		});
		expect(responsesIngress.toChat({ model: "m", input: "hi", text: { format: { type: "json_object" } } }).response_format).toEqual({ type: "json_object" });
		expect(responsesIngress.toChat({ model: "m", input: "hi", reasoning: { effort: "none" } }).reasoning_effort).toBeUndefined();
	});

	it.each([
		[{ background: true }, "background", /background/],
		[{ tools: [{ type: "web_search" }] }, "tools", /web_search.*function/],
		[{ tools: [{ type: "function" }] }, "tools.0.name", /name/],
		[{ tool_choice: { type: "file_search" } }, "tool_choice", /file_search/],
		[{ input: [{ type: "item_reference", id: "msg_1" }] }, "input.0", /not supported.*send the items/],
		[{ input: [{ type: "web_search_call", id: "ws_1" }] }, "input.0", /web_search_call/],
		[{ input: [{ role: "robot", content: "x" }] }, "input.0.role", /user/],
		[{ input: [{ type: "function_call", name: "f", arguments: "{}" }] }, "input.0.call_id", /string/],
		[{ input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1", detail: "auto" }] }] }, "input.0.content.0", /file_id/],
		[{ input: [{ role: "user", content: [{ type: "input_file", file_id: "file-1" }] }] }, "input.0.content.0", /file/],
		[{ input: [{ role: "user", content: [{ type: "input_audio" }] }] }, "input.0.content.0.type", /input_text/],
	])("refuses %j with a 400 naming '%s'", (body, param, message) => {
		const e = refusal(body);
		expect(e.status).toBe(400);
		expect(e.code).toBe("invalid_request");
		expect(e.param).toBe(param);
		expect(e.message).toMatch(message);
	});
});

describe("internal representation → Response object", () => {
	const head = (request?: ResponsesRequest) => responseHead("gpt-4o", settingsOf(request));

	it("maps a text answer, its usage and the echoed request settings", async () => {
		const req = await request("request-text");
		const res = fromChat(await chatAnswer("text"), head(req));
		// The SDK's own type of a Response: the gateway's must be one.
		const typed: SdkResponse = res;
		expect(typed.output_text).toBe("Hello! How can I help you today?");
		expect(res).toMatchObject({
			object: "response",
			status: "completed",
			model: "gpt-4o",
			error: null,
			incomplete_details: null,
			instructions: "You are a helpful assistant.",
			temperature: 0.7,
			max_output_tokens: 1024,
			tools: [],
			tool_choice: "auto",
			output: [
				{
					type: "message",
					status: "completed",
					role: "assistant",
					content: [{ type: "output_text", text: "Hello! How can I help you today?", annotations: [], logprobs: [] }],
				},
			],
			usage: {
				input_tokens: 12,
				input_tokens_details: { cached_tokens: 0 },
				output_tokens: 9,
				output_tokens_details: { reasoning_tokens: 0 },
				total_tokens: 21,
			},
		});
		expect(res.id).toMatch(/^resp_[0-9a-f]{32}$/);
		expect(res.output[0]?.id).toMatch(/^msg_/);
		expect(Math.abs(res.created_at - Date.now() / 1000)).toBeLessThan(60);
	});

	it("maps tool calls to function_call items and echoes the tools offered", async () => {
		const res = fromChat(await chatAnswer("tools"), head(await request("request-tools")));
		expect(res.output).toEqual([
			{
				type: "function_call",
				id: expect.stringMatching(/^fc_/),
				call_id: "call_abc123",
				name: "get_weather",
				arguments: '{"city":"Paris"}',
				status: "completed",
			},
		]);
		expect(res.output_text).toBe("");
		expect(res.tools).toEqual([{ type: "function", name: "get_weather", description: expect.any(String), parameters: expect.any(Object), strict: false }]);
		expect(res.usage).toMatchObject({ input_tokens: 20, output_tokens: 15, total_tokens: 35 });
	});

	it("puts reasoning first, as a summary, with reasoning tokens in usage", async () => {
		const res = fromChat(await chatAnswer("reasoning"), head());
		expect(res.output.map((i) => i.type)).toEqual(["reasoning", "message"]);
		expect(res.output[0]).toEqual({ type: "reasoning", id: expect.stringMatching(/^rs_/), summary: [{ type: "summary_text", text: "Let me think." }] });
		expect(res.output_text).toBe("Four.");
		expect(res.usage?.output_tokens_details.reasoning_tokens).toBe(25);
	});

	it("is incomplete when the answer hit the token limit or a filter", async () => {
		const answer = await chatAnswer("text");
		for (const [finish, reason] of [
			["length", "max_output_tokens"],
			["content_filter", "content_filter"],
		] as const) {
			const choice = answer.choices[0];
			if (!choice) throw new Error("no choice");
			const res = fromChat({ ...answer, choices: [{ ...choice, finish_reason: finish }] }, head());
			expect(res).toMatchObject({ status: "incomplete", incomplete_details: { reason }, output: [{ status: "incomplete" }] });
		}
	});

	it("carries a reasoning signature as encrypted_content, which comes back as the signature", () => {
		const res = fromChat(
			{
				id: "x",
				object: "chat.completion",
				created: 1,
				model: "m",
				choices: [{ index: 0, message: { role: "assistant", content: "ok", reasoning_content: "hmm", reasoning_signature: "sig" }, finish_reason: "stop" }],
			},
			head(),
		);
		expect(res.output[0]).toMatchObject({ type: "reasoning", encrypted_content: "sig" });
		expect(res.usage).toBeUndefined();
		const back = responsesIngress.toChat({ model: "m", input: [...res.output.map((item) => ({ ...item })), { role: "user", content: "go on" }] });
		expect(back.messages[0]).toMatchObject({ role: "assistant", content: "ok", reasoning_content: "hmm", reasoning_signature: "sig" });
	});

	it("reads as a Response to the openai SDK", async () => {
		const body: ResponseObject = fromChat(await chatAnswer("tools"), head());
		const res = await sdkAnswering(() => Response.json(body)).responses.create({ model: "gpt-4o", input: "hi" });
		expect(res.output[0]).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
	});
});

describe("internal representation stream → Responses events", () => {
	it("streams text: lifecycle, one message item, a delta per chunk, and completed with usage", async () => {
		const list = events(await mapStream(await fixture("openai/text.sse")));
		expect(list.map((e) => e.type)).toEqual([
			"response.created",
			"response.in_progress",
			"response.output_item.added",
			"response.content_part.added",
			"response.output_text.delta",
			"response.output_text.delta",
			"response.output_text.delta",
			"response.output_text.done",
			"response.content_part.done",
			"response.output_item.done",
			"response.completed",
		]);
		expect(list.map((e) => e.sequence_number)).toEqual(list.map((_, i) => i));
		expect(list.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta)).toEqual(["Hello!", " How can I help", " you today?"]);
		const created = responseOf(list[0]);
		const completed = responseOf(list.at(-1));
		expect(created).toMatchObject({ status: "in_progress", output: [], output_text: "" });
		expect(completed.id).toBe(created.id);
		expect(completed).toMatchObject({
			status: "completed",
			output_text: "Hello! How can I help you today?",
			output: [{ type: "message", status: "completed", content: [{ type: "output_text", text: "Hello! How can I help you today?" }] }],
			usage: { input_tokens: 12, output_tokens: 9, total_tokens: 21 },
		});
		const itemId = completed.output[0]?.id;
		for (const e of list.slice(2, -1)) expect(e.item_id ?? (e.item as { id: string }).id).toBe(itemId);
	});

	it("streams a tool call as a function_call item with its argument pieces", async () => {
		const list = events(await mapStream(await fixture("openai/tools.sse")));
		expect(list.map((e) => e.type).slice(2)).toEqual([
			"response.output_item.added",
			"response.function_call_arguments.delta",
			"response.function_call_arguments.delta",
			"response.function_call_arguments.delta",
			"response.function_call_arguments.done",
			"response.output_item.done",
			"response.completed",
		]);
		expect(list[2]?.item).toMatchObject({ type: "function_call", call_id: "call_abc123", name: "get_weather", arguments: "", status: "in_progress" });
		expect(list.filter((e) => e.type === "response.function_call_arguments.delta").map((e) => e.delta)).toEqual(['{"ci', 'ty":"Par', 'is"}']);
		expect(list[6]).toMatchObject({ arguments: '{"city":"Paris"}', output_index: 0 });
		expect(list[7]?.item).toMatchObject({ arguments: '{"city":"Paris"}', status: "completed" });
		expect(responseOf(list.at(-1)).usage).toMatchObject({ input_tokens: 20, output_tokens: 15 });
	});

	it("streams reasoning as a summary item before the message", async () => {
		const list = events(await mapStream(await fixture("openai/reasoning.sse")));
		expect(list.map((e) => e.type).slice(2, 9)).toEqual([
			"response.output_item.added",
			"response.reasoning_summary_part.added",
			"response.reasoning_summary_text.delta",
			"response.reasoning_summary_text.delta",
			"response.reasoning_summary_text.done",
			"response.reasoning_summary_part.done",
			"response.output_item.done",
		]);
		const completed = responseOf(list.at(-1));
		expect(completed.output.map((i) => i.type)).toEqual(["reasoning", "message"]);
		expect(completed.output[0]).toMatchObject({ summary: [{ type: "summary_text", text: "Let me think." }] });
		expect(completed.output_text).toBe("Four.");
		expect(completed.usage?.output_tokens_details.reasoning_tokens).toBe(25);
	});

	it("turns an upstream error into response.failed and an error event, after the text already sent", async () => {
		const list = events(await mapStream(await fixture("openai/error-mid.sse")));
		expect(list.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta)).toEqual(["Hello"]);
		expect(list.map((e) => e.type).slice(-2)).toEqual(["response.failed", "error"]);
		const failed = responseOf(list.at(-2));
		expect(failed).toMatchObject({ status: "failed", error: { code: "server_error", message: expect.stringContaining("server had an error") } });
		expect(failed.output).toMatchObject([{ type: "message", status: "incomplete", content: [{ text: "Hello" }] }]);
		expect(list.at(-1)).toMatchObject({ code: "server_error", message: expect.stringContaining("server had an error"), param: null });
	});

	it("sends each delta as its chunk arrives, and ends a stream that finished without [DONE]", () => {
		const mapper = responsesIngress.streamFromChat?.("m");
		if (!mapper) throw new Error("no stream mapper");
		const chunk = (delta: object, finish: string | null = null) => ({
			event: undefined,
			data: JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] }),
		});
		expect(events(mapper.map(chunk({ content: "Hel" }))).map((e) => e.type)).toEqual([
			"response.created",
			"response.in_progress",
			"response.output_item.added",
			"response.content_part.added",
			"response.output_text.delta",
		]);
		expect(events(mapper.map(chunk({ content: "lo" }))).map((e) => [e.type, e.delta, e.sequence_number])).toEqual([["response.output_text.delta", "lo", 5]]);
		expect(events(mapper.map(chunk({}, "length"))).map((e) => e.type)).toEqual([
			"response.output_text.done",
			"response.content_part.done",
			"response.output_item.done",
		]);
		const tail = events(mapper.end());
		expect(tail.map((e) => e.type)).toEqual(["response.incomplete"]);
		expect(tail[0]?.response).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" }, output_text: "Hello" });
		expect(mapper.map({ event: undefined, data: "[DONE]" })).toBe("");
	});

	it("echoes the request's settings in every Response of the stream", async () => {
		const codec = responsesIngressFor(await request("request-tools"));
		const list = events(await mapStream(await fixture("openai/tools.sse"), codec));
		for (const e of list.filter((x) => x.response)) expect(responseOf(e).tools).toMatchObject([{ name: "get_weather" }]);
	});
});

describe("the openai SDK reading the gateway's Responses stream", () => {
	const stream = async (name: string) => sseResponse(await mapStream(await fixture(`openai/${name}.sse`)));

	it("accumulates text, tool calls and reasoning into finalResponse()", async () => {
		for (const [name, check] of [
			["text", (r: SdkResponse) => expect(r.output_text).toBe("Hello! How can I help you today?")],
			["tools", (r: SdkResponse) => expect(r.output).toMatchObject([{ type: "function_call", call_id: "call_abc123", arguments: '{"city":"Paris"}' }])],
			["reasoning", (r: SdkResponse) => expect(r.output).toMatchObject([{ type: "reasoning", summary: [{ text: "Let me think." }] }, { type: "message" }])],
		] as const) {
			const body = await stream(name);
			const runner = sdkAnswering(() => body).responses.stream({ model: "gpt-4o", input: "hi" });
			const deltas: string[] = [];
			runner.on("response.output_text.delta", (e) => deltas.push(e.delta));
			const final = await runner.finalResponse();
			check(final);
			expect(deltas.join("")).toBe(final.output_text);
			expect(final.status).toBe("completed");
		}
	});

	it("raises an APIError from the error event while iterating", async () => {
		const body = await stream("error-mid");
		const seen: string[] = [];
		const iterate = async () => {
			for await (const e of await sdkAnswering(() => body).responses.create({ model: "gpt-4o", input: "hi", stream: true })) seen.push(e.type);
		};
		await expect(iterate()).rejects.toThrow(APIError);
		expect(seen).toContain("response.output_text.delta");
		expect(seen.at(-1)).toBe("response.failed");
	});
});
