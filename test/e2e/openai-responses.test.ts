// The Responses API as the openai SDK uses it, against `wrangler dev`, every model routed to an OpenAI chat
// channel on the loopback mock upstream: its fixed answer for text, its recorded fixtures for tool calls,
// reasoning and an error in the middle of a stream.
import OpenAI, { APIError, NotFoundError } from "openai";
import type { ResponseFunctionToolCall, ResponseInput } from "openai/resources/responses/responses";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { LoggedRequest } from "../support/mock-upstream";
import { adminApi, userKey } from "./admin-api";

const gateway = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");
const TAG = "e2e-responses";

/** Model name → where its channel points on the mock upstream. */
const channels = {
	"resp-e2e-text": `${TAG}/ok`,
	"resp-e2e-tools": `${TAG}/fixture/openai/tools`,
	"resp-e2e-reasoning": `${TAG}/fixture/openai/reasoning`,
	"resp-e2e-error": `${TAG}/fixture/openai/error-mid`,
};

const weatherTool: OpenAI.Responses.FunctionTool = {
	type: "function",
	name: "get_weather",
	description: "Get the current weather in a given city",
	parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
	strict: true,
};

let sdk: OpenAI;

beforeAll(async () => {
	for (const [model, path] of Object.entries(channels)) {
		await adminApi("POST", "/api/channels", { name: model, type: "openai", base_url: `${upstreamUrl}/${path}/v1`, key: "sk-e2e-responses", models: [model] });
	}
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-responses" });
	sdk = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
});

describe("the openai SDK's Responses API against wrangler dev", () => {
	it("creates a response", async () => {
		const res = await sdk.responses.create({ model: "resp-e2e-text", instructions: "Be brief.", input: "hi" });
		expect(res.output_text).toBe("Hi there, from the upstream.");
		expect(res.status).toBe("completed");
		expect(res.id).toMatch(/^resp_/);
		expect(res.instructions).toBe("Be brief.");
		expect(res.usage).toMatchObject({ input_tokens: 11, output_tokens: 7, total_tokens: 18, input_tokens_details: { cached_tokens: 3 } });
	});

	it("streams with responses.stream(): text deltas as they come, then finalResponse() with usage", async () => {
		const stream = sdk.responses.stream({ model: "resp-e2e-text", input: [{ role: "user", content: "hi" }] });
		const types: string[] = [];
		let text = "";
		for await (const event of stream) {
			types.push(event.type);
			if (event.type === "response.output_text.delta") text += event.delta;
		}
		const final = await stream.finalResponse();
		expect(types[0]).toBe("response.created");
		expect(types.at(-1)).toBe("response.completed");
		expect(types.filter((t) => t === "response.output_text.delta")).toHaveLength(7);
		expect(text).toBe("Hi there, from the upstream.");
		expect(final.output_text).toBe(text);
		expect(final.usage).toMatchObject({ input_tokens: 11, output_tokens: 7 });
	});

	it("streams with create({ stream: true }), sequence numbers in order", async () => {
		const stream = await sdk.responses.create({ model: "resp-e2e-text", input: "hi", stream: true });
		const sequence: number[] = [];
		let completed: OpenAI.Responses.Response | undefined;
		for await (const event of stream) {
			sequence.push(event.sequence_number);
			if (event.type === "response.completed") completed = event.response;
		}
		expect(sequence).toEqual(sequence.map((_, i) => i));
		expect(completed?.output_text).toBe("Hi there, from the upstream.");
	});

	it("gets a function call, and sends its output back in the next turn", async () => {
		const input: ResponseInput = [{ role: "user", content: "What is the weather like in Paris?" }];
		const first = await sdk.responses.create({ model: "resp-e2e-tools", input, tools: [weatherTool] });
		const call = first.output.find((item): item is ResponseFunctionToolCall => item.type === "function_call");
		if (!call) throw new Error(`no function call in ${JSON.stringify(first.output)}`);
		expect(call).toMatchObject({ name: "get_weather", call_id: "call_abc123", status: "completed" });
		expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
		expect(first.usage).toMatchObject({ input_tokens: 20, output_tokens: 15 });

		await sdk.responses.create({
			model: "resp-e2e-tools",
			input: [...input, call, { type: "function_call_output", call_id: call.call_id, output: '{"temp_c":21}' }],
			tools: [weatherTool],
		});
		const log: LoggedRequest[] = await (await fetch(`${upstreamUrl}/__requests?tag=${TAG}`)).json();
		const sent = log.filter((r) => r.scenario === "fixture/openai/tools").at(-1);
		expect(sent?.body.messages).toEqual([
			{ role: "user", content: "What is the weather like in Paris?" },
			{
				role: "assistant",
				content: null,
				tool_calls: [{ id: "call_abc123", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
			},
			{ role: "tool", tool_call_id: "call_abc123", content: '{"temp_c":21}' },
		]);
		expect(sent?.body.tools).toEqual([
			{ type: "function", function: { name: "get_weather", description: weatherTool.description, parameters: weatherTool.parameters, strict: true } },
		]);
	});

	it("streams a function call's arguments in pieces", async () => {
		const stream = sdk.responses.stream({ model: "resp-e2e-tools", input: "What is the weather like in Paris?", tools: [weatherTool] });
		const pieces: string[] = [];
		stream.on("response.function_call_arguments.delta", (e) => pieces.push(e.delta));
		const final = await stream.finalResponse();
		expect(pieces.length).toBeGreaterThan(1);
		expect(final.output).toMatchObject([{ type: "function_call", name: "get_weather", arguments: pieces.join("") }]);
		expect(JSON.parse(pieces.join(""))).toEqual({ city: "Paris" });
	});

	it("shows reasoning as a summary before the answer, streamed or not", async () => {
		for (const final of [
			await sdk.responses.create({ model: "resp-e2e-reasoning", input: "2+2?" }),
			await sdk.responses.stream({ model: "resp-e2e-reasoning", input: "2+2?" }).finalResponse(),
		]) {
			expect(final.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
			expect(final.output[0]).toMatchObject({ summary: [{ type: "summary_text", text: "Let me think." }] });
			expect(final.output_text).toBe("Four.");
			expect(final.usage?.output_tokens_details.reasoning_tokens).toBe(25);
		}
	});

	it("raises an APIError mid-stream when the upstream fails, after the text already delivered", async () => {
		const stream = await sdk.responses.create({ model: "resp-e2e-error", input: "hi", stream: true });
		let text = "";
		const iterate = async () => {
			for await (const event of stream) if (event.type === "response.output_text.delta") text += event.delta;
		};
		await expect(iterate()).rejects.toThrow(APIError);
		expect(text).toBe("Hello");
		await expect(sdk.responses.stream({ model: "resp-e2e-error", input: "hi" }).finalResponse()).rejects.toThrow(/server had an error/);
	});
});

type Sent = { role: string; content: unknown }[];

/** What the upstream was sent in the request whose last message is `last`. */
async function sentEnding(last: string): Promise<Sent | undefined> {
	const log = (await (await fetch(`${upstreamUrl}/__requests?tag=${TAG}`)).json()) as LoggedRequest[];
	return log.map((r) => r.body.messages as Sent).find((m) => m.at(-1)?.content === last);
}

describe("the openai SDK's stored responses and conversations against wrangler dev", () => {
	it("chains two responses with previous_response_id: the second's upstream request holds the first turn", async () => {
		const first = await sdk.responses.create({ model: "resp-e2e-text", instructions: "Be brief.", input: "My name is Ada." });
		const second = await sdk.responses.create({ model: "resp-e2e-text", previous_response_id: first.id, input: "What is my name, Ada asks?" });
		expect(second.previous_response_id).toBe(first.id);
		expect(await sentEnding("What is my name, Ada asks?")).toEqual([
			{ role: "user", content: "My name is Ada." },
			{ role: "assistant", content: first.output_text },
			{ role: "user", content: "What is my name, Ada asks?" },
		]);
		expect((await sdk.responses.retrieve(second.id)).output_text).toBe(second.output_text);
		const items = await sdk.responses.inputItems.list(second.id);
		expect(items.data.map((i) => i.type === "message" && i.content[0])).toEqual([{ type: "input_text", text: "What is my name, Ada asks?" }]);
		const stranger = new OpenAI({ apiKey: await userKey("resp-stranger"), baseURL: `${gateway}/v1`, maxRetries: 0 });
		await expect(stranger.responses.retrieve(first.id)).rejects.toBeInstanceOf(NotFoundError);
		await expect(stranger.responses.create({ model: "resp-e2e-text", previous_response_id: first.id, input: "peek" })).rejects.toBeInstanceOf(NotFoundError);
		await sdk.responses.delete(second.id);
		await expect(sdk.responses.retrieve(second.id)).rejects.toBeInstanceOf(NotFoundError);
	});

	it("builds a conversation with conversations.create and responses.create({conversation}), lists its items and deletes it", async () => {
		const conv = await sdk.conversations.create({ items: [{ role: "user", content: "I like green tea." }] });
		const answer = await sdk.responses.create({ model: "resp-e2e-text", conversation: conv.id, input: "What do I like, green or black?" });
		expect(answer.conversation).toEqual({ id: conv.id });
		const texts: string[] = [];
		for await (const item of sdk.conversations.items.list(conv.id, { order: "asc" })) {
			if (item.type === "message") for (const part of item.content) if ("text" in part) texts.push(`${item.role}: ${part.text}`);
		}
		expect(texts).toEqual(["user: I like green tea.", "user: What do I like, green or black?", `assistant: ${answer.output_text}`]);
		await sdk.responses.create({ model: "resp-e2e-text", conversation: { id: conv.id }, input: "Tell me again, tea lover." });
		expect((await sentEnding("Tell me again, tea lover."))?.map((m) => m.role)).toEqual(["user", "user", "assistant", "user"]);
		await sdk.conversations.delete(conv.id);
		await expect(sdk.conversations.retrieve(conv.id)).rejects.toBeInstanceOf(NotFoundError);
	});

	it("finds a streamed response from a follow-up sent the moment its stream ends, twelve chains at once", async () => {
		const chains = Array.from({ length: 12 }, (_, i) => i);
		const outcomes = await Promise.all(
			chains.map(async (i) => {
				const final = await sdk.responses.stream({ model: "resp-e2e-text", input: `chain ${i} opens` }).finalResponse();
				const next = await sdk.responses.create({ model: "resp-e2e-text", previous_response_id: final.id, input: `chain ${i} follows` });
				return { i, final, next };
			}),
		);
		for (const { i, final, next } of outcomes) {
			expect(next.previous_response_id).toBe(final.id);
			expect((await sentEnding(`chain ${i} follows`))?.slice(0, 2)).toEqual([
				{ role: "user", content: `chain ${i} opens` },
				{ role: "assistant", content: final.output_text },
			]);
		}
	});
});
