// Real SDKs against `wrangler dev`, each reaching a channel that speaks another dialect: the loopback mock
// upstream plays that provider's recorded wire fixtures (test/fixtures/<provider>/).
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";

const gateway = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");

/** One channel per provider and fixture; the model name says which: `<provider>-<fixture>`. */
async function fixtureChannel(provider: string, fixture: string) {
	await adminApi("POST", "/api/channels", {
		name: `xp-${provider}-${fixture}`,
		type: provider,
		base_url: `${upstreamUrl}/xp/fixture/${provider}/${fixture}${provider === "openai" ? "/v1" : ""}`,
		key: `sk-xp-${provider}-0001`,
		models: [`${provider}-${fixture}`],
	});
}

const weatherTool = {
	name: "get_weather",
	description: "Get the current weather in a given city",
	schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
	for (const provider of ["openai", "anthropic", "gemini"]) for (const fixture of ["text", "tools", "error-mid"]) await fixtureChannel(provider, fixture);
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-cross-protocol" });
	anthropic = new Anthropic({ apiKey: key, baseURL: gateway, maxRetries: 0 });
	openai = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
});

describe("@anthropic-ai/sdk routed to an OpenAI-format channel", () => {
	const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Hi!" }];
	const tools: Anthropic.Tool[] = [
		{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.schema as Anthropic.Tool.InputSchema },
	];

	it("creates a message", async () => {
		const message = await anthropic.messages.create({ model: "openai-text", max_tokens: 256, system: "Be brief.", messages });
		expect(message.type).toBe("message");
		expect(message.content).toEqual([{ type: "text", text: "Hello! How can I help you today?" }]);
		expect(message.stop_reason).toBe("end_turn");
		expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 9 });
	});

	it("streams a message, text arriving in several events, input tokens estimated at the start and counted at the end", async () => {
		const stream = anthropic.messages.stream({ model: "openai-text", max_tokens: 256, messages });
		const pieces: string[] = [];
		const starts: Anthropic.Usage[] = [];
		stream.on("text", (t) => pieces.push(t));
		stream.on("streamEvent", (event) => {
			// A copy: the SDK goes on to fill the same object from message_delta.
			if (event.type === "message_start") starts.push({ ...event.message.usage });
		});
		const message = await stream.finalMessage();
		expect(pieces.length).toBeGreaterThan(1);
		expect(pieces.join("")).toBe("Hello! How can I help you today?");
		expect(message.stop_reason).toBe("end_turn");
		// Anthropic always announces the input tokens; an OpenAI channel counts them only at the end.
		expect(starts).toHaveLength(1);
		expect(starts[0]?.input_tokens).toBeGreaterThan(0);
		expect(starts[0]?.output_tokens).toBe(0);
		// The upstream's real counts replace the estimate.
		expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 9 });
	});

	it("uses a tool, streamed and not", async () => {
		const message = await anthropic.messages.create({
			model: "openai-tools",
			max_tokens: 256,
			tools,
			messages: [{ role: "user", content: "Weather in Paris?" }],
		});
		expect(message.stop_reason).toBe("tool_use");
		expect(message.content).toContainEqual({ type: "tool_use", id: "call_abc123", name: "get_weather", input: { city: "Paris" } });

		const streamed = await anthropic.messages
			.stream({ model: "openai-tools", max_tokens: 256, tools, messages: [{ role: "user", content: "Weather in Paris?" }] })
			.finalMessage();
		expect(streamed.stop_reason).toBe("tool_use");
		expect(streamed.content).toContainEqual({ type: "tool_use", id: "call_abc123", name: "get_weather", input: { city: "Paris" } });

		// The tool result goes back in Anthropic form and reaches the OpenAI channel as a tool message.
		const followUp = await anthropic.messages.create({
			model: "openai-text",
			max_tokens: 256,
			tools,
			messages: [
				{ role: "user", content: "Weather in Paris?" },
				{ role: "assistant", content: streamed.content },
				{ role: "user", content: [{ type: "tool_result", tool_use_id: "call_abc123", content: "Sunny, 21°C" }] },
			],
		});
		expect(followUp.content).toEqual([{ type: "text", text: "Hello! How can I help you today?" }]);
	});

	it("raises an error when the upstream fails mid-stream", async () => {
		const stream = anthropic.messages.stream({ model: "openai-error-mid", max_tokens: 256, messages });
		const pieces: string[] = [];
		stream.on("text", (t) => pieces.push(t));
		await expect(stream.finalMessage()).rejects.toThrow();
		expect(pieces.join("")).toBe("Hello");
	});

	it("gets Anthropic-format errors", async () => {
		const err = await anthropic.messages.create({ model: "no-such-model", max_tokens: 16, messages }).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(Anthropic.APIError);
		expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
		expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
		const bad = new Anthropic({ apiKey: "sk-wrong", baseURL: gateway, maxRetries: 0 });
		await expect(bad.messages.create({ model: "openai-text", max_tokens: 16, messages })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
	});
});

const openaiTools: OpenAI.ChatCompletionTool[] = [
	{ type: "function", function: { name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.schema } },
];

for (const provider of ["anthropic", "gemini"]) {
	describe(`the openai SDK routed to a ${provider}-format channel`, () => {
		it("chats without streaming", async () => {
			const completion = await openai.chat.completions.create({ model: `${provider}-text`, messages: [{ role: "user", content: "Hi!" }] });
			expect(completion.choices[0]?.message.content).toBe("Hello! How can I help you today?");
			expect(completion.choices[0]?.finish_reason).toBe("stop");
			expect(completion.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 });
		});

		it("streams, text arriving in several chunks", async () => {
			const stream = await openai.chat.completions.create({
				model: `${provider}-text`,
				messages: [{ role: "user", content: "Hi!" }],
				stream: true,
				stream_options: { include_usage: true },
			});
			const pieces: string[] = [];
			let usage: OpenAI.CompletionUsage | null | undefined;
			for await (const chunk of stream) {
				const content = chunk.choices[0]?.delta.content;
				if (content) pieces.push(content);
				if (chunk.usage) usage = chunk.usage;
			}
			expect(pieces.length).toBeGreaterThan(1);
			expect(pieces.join("")).toBe("Hello! How can I help you today?");
			expect(usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 9 });
		});

		it("calls a tool, streamed and not", async () => {
			const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "Weather in Paris?" }];
			const completion = await openai.chat.completions.create({ model: `${provider}-tools`, messages, tools: openaiTools });
			expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
			expect(completion.choices[0]?.message.tool_calls).toMatchObject([{ type: "function", function: { name: "get_weather" } }]);
			const call = completion.choices[0]?.message.tool_calls?.[0];
			expect(JSON.parse(call?.type === "function" ? call.function.arguments : "")).toEqual({ city: "Paris" });

			const final = await openai.chat.completions.stream({ model: `${provider}-tools`, messages, tools: openaiTools }).finalChatCompletion();
			const streamed = final.choices[0]?.message.tool_calls?.[0];
			expect(final.choices[0]?.finish_reason).toBe("tool_calls");
			expect(streamed?.type === "function" ? JSON.parse(streamed.function.arguments) : undefined).toEqual({ city: "Paris" });
		});

		it("raises an APIError when the upstream fails mid-stream", async () => {
			const stream = await openai.chat.completions.create({ model: `${provider}-error-mid`, messages: [{ role: "user", content: "Hi!" }], stream: true });
			let text = "";
			const consume = async () => {
				for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
			};
			await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
			expect(text).toBe("Hello");
		});
	});
}

describe("a workers-ai channel under `wrangler dev --local`", () => {
	it("answers a clear error: the AI binding needs a Cloudflare account", async () => {
		await adminApi("POST", "/api/channels", { name: "xp-workers-ai", type: "workers-ai", models: ["@cf/meta/llama-3.1-8b-instruct"] });
		const err = await openai.chat.completions
			.create({ model: "@cf/meta/llama-3.1-8b-instruct", messages: [{ role: "user", content: "Hi!" }] })
			.catch((e: unknown) => e);
		expect(err).toBeInstanceOf(OpenAI.APIError);
		expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
		expect((err as Error).message).toContain("needs a Cloudflare account");
	});
});
