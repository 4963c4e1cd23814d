// The real clients' suites (openai, the Vercel AI SDK, LangChain) in one run against ONE channel that serves healthy and failing models side by side,
// in the order a user meets them: the fault tests first (429, 500 and 404 from the upstream for some models),
// then everything else on the same channel, which must not notice. State the faults leave behind (open
// per-model breakers) is exactly what the later tests run into.
import { createOpenAI } from "@ai-sdk/openai";
import { ChatOpenAI, OpenAIEmbeddings } from "@langchain/openai";
import { APICallError, embed, generateText, jsonSchema, streamText, tool } from "ai";
import OpenAI from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { readChatStream } from "./chat-stream";

const gateway = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");

// Gateway model → the mock upstream's behaviour for it (see test/support/mock-upstream.ts).
const MODELS = {
	"suite-chat": "suite-chat",
	"suite-embed": "suite-embed",
	"suite-tools": "scenario/tools",
	"suite-429": "scenario/status-429",
	"suite-500": "scenario/status-500",
	"suite-404": "scenario/status-404",
};

let key: string;
let channelId: number;
let sdk: OpenAI;
const hi = (model: string) => ({ model, messages: [{ role: "user" as const, content: "hi" }] });

beforeAll(async () => {
	const channel = await adminApi<{ id: number }>("POST", "/api/channels", {
		name: "suite",
		type: "openai",
		base_url: `${upstreamUrl}/e2e-suite/ok/v1`,
		key: "sk-e2e-suite",
		models: Object.keys(MODELS),
		model_mapping: Object.fromEntries(Object.entries(MODELS).filter(([from, to]) => from !== to)),
		// Probes would spend the upstream's requests on the failing models: this suite watches the relay alone.
		settings: { breaker: { probeIntervalMs: 0 } },
	});
	channelId = channel.id;
	({ key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e-suite" }));
	sdk = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
});

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(OpenAI.APIError);
	return error as InstanceType<typeof OpenAI.APIError>;
}

describe("faults first: one model's upstream failing", () => {
	it("a rate-limited model surfaces as RateLimitError with Retry-After, and stays 429 once its breaker holds it back", async () => {
		for (let i = 0; i < 4; i++) {
			const error = await failure(sdk.chat.completions.create(hi("suite-429")));
			expect(error).toBeInstanceOf(OpenAI.RateLimitError);
			expect(error.status).toBe(429);
			expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
		}
	});

	it("a model answering 500 fails over to nothing and, repeated, is held back with 503 and Retry-After", async () => {
		const statuses: number[] = [];
		for (let i = 0; i < 7; i++) statuses.push((await failure(sdk.chat.completions.create(hi("suite-500")))).status ?? 0);
		expect(statuses.every((s) => s >= 500)).toBe(true);
		const held = await failure(sdk.chat.completions.create(hi("suite-500")));
		expect(held.status).toBe(503);
		expect(Number(held.headers?.get("retry-after"))).toBeGreaterThan(0);
	});

	it("a model the upstream does not know fails, repeatedly, without touching the others", async () => {
		for (let i = 0; i < 7; i++) {
			const error = await failure(sdk.chat.completions.create(hi("suite-404")));
			expect([404, 502, 503]).toContain(error.status);
		}
	});

	it("the channel's health shows the failing models held back and the channel itself closed", async () => {
		const health = await adminApi<{ state: string; models: { model: string; state: string }[] }>("GET", `/api/channels/${channelId}/health`);
		expect(health.state).toBe("closed");
		const states = Object.fromEntries(health.models.map((m) => [m.model, m.state]));
		expect(states["suite-429"]).toBe("open");
		expect(states["suite-500"]).toBe("open");
		expect(states["suite-chat"] ?? "closed").toBe("closed");
	});
});

describe("then the openai SDK on the same channel", () => {
	it("chats", async () => {
		const { data, response } = await sdk.chat.completions.create(hi("suite-chat")).withResponse();
		expect(data.choices[0]?.message.content).toBe("Hi there, from the upstream.");
		expect(response.headers.get("x-gateway-channel")).toBe(String(channelId));
	});

	it("streams with usage", async () => {
		const stream = await sdk.chat.completions.create({ ...hi("suite-chat"), stream: true, stream_options: { include_usage: true } });
		const { text, usage } = await readChatStream(stream);
		expect(text).toBe("Hi there, from the upstream.");
		expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
	});

	it("calls tools, streamed and not", async () => {
		const tools: OpenAI.ChatCompletionTool[] = [
			{
				type: "function",
				function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
			},
		];
		const done = await sdk.chat.completions.create({ ...hi("suite-tools"), tools });
		const call = done.choices[0]?.message.tool_calls?.[0];
		expect(call?.type === "function" && call.function.name).toBe("get_weather");
		expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });

		const runner = sdk.chat.completions.stream({ ...hi("suite-tools"), tools });
		const final = await runner.finalChatCompletion();
		const streamed = final.choices[0]?.message.tool_calls?.[0];
		expect(streamed?.type === "function" && JSON.parse(streamed.function.arguments)).toEqual({ city: "Paris" });
	});

	it("creates embeddings", async () => {
		const res = await sdk.embeddings.create({ model: "suite-embed", input: "hello" });
		expect(res.data[0]?.embedding).toEqual([0.1, 0.2, 0.3]);
	});

	it("still gets RateLimitError, not 503, for the rate-limited model", async () => {
		const error = await failure(sdk.chat.completions.create(hi("suite-429")));
		expect(error).toBeInstanceOf(OpenAI.RateLimitError);
		expect(Number(error.headers?.get("retry-after"))).toBeGreaterThan(0);
	});
});

describe("then the Vercel AI SDK on the same channel", () => {
	const provider = () => createOpenAI({ apiKey: key, baseURL: `${gateway}/v1` });

	it("generates text through chat completions", async () => {
		const result = await generateText({ model: provider().chat("suite-chat"), prompt: "hi", maxRetries: 0 });
		expect(result.text).toBe("Hi there, from the upstream.");
		expect(result.usage.inputTokens).toBe(11);
		expect(result.usage.outputTokens).toBe(7);
	});

	it("streams text", async () => {
		const result = streamText({ model: provider().chat("suite-chat"), prompt: "hi", maxRetries: 0 });
		let text = "";
		for await (const part of result.textStream) text += part;
		expect(text).toBe("Hi there, from the upstream.");
		expect((await result.usage).outputTokens).toBe(7);
	});

	it("generates text through the Responses API", async () => {
		const result = await generateText({ model: provider().responses("suite-chat"), prompt: "hi", maxRetries: 0 });
		expect(result.text).toBe("Hi there, from the upstream.");
	});

	it("calls a tool", async () => {
		const result = await generateText({
			model: provider().chat("suite-tools"),
			prompt: "What is the weather in Paris?",
			maxRetries: 0,
			tools: {
				get_weather: tool({
					description: "The weather in a city",
					inputSchema: jsonSchema<{ city: string }>({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }),
				}),
			},
		});
		expect(result.toolCalls[0]?.toolName).toBe("get_weather");
		expect(result.toolCalls[0]?.input).toEqual({ city: "Paris" });
	});

	it("embeds", async () => {
		const result = await embed({ model: provider().embedding("suite-embed"), value: "hello", maxRetries: 0 });
		expect(result.embedding).toEqual([0.1, 0.2, 0.3]);
	});

	it("sees the rate-limited model as a retryable 429", async () => {
		const error = await generateText({ model: provider().chat("suite-429"), prompt: "hi", maxRetries: 0 }).catch((e: unknown) => e);
		expect(APICallError.isInstance(error)).toBe(true);
		const call = error as APICallError;
		expect(call.statusCode).toBe(429);
		expect(call.isRetryable).toBe(true);
	});
});

describe("then LangChain on the same channel", () => {
	const chat = (model: string) => new ChatOpenAI({ model, apiKey: key, configuration: { baseURL: `${gateway}/v1` }, maxRetries: 0 });

	it("invokes and streams", async () => {
		const answer = await chat("suite-chat").invoke("hi");
		expect(answer.content).toBe("Hi there, from the upstream.");
		let text = "";
		for await (const chunk of await chat("suite-chat").stream("hi")) text += String(chunk.content);
		expect(text).toBe("Hi there, from the upstream.");
	});

	it("embeds", async () => {
		const embeddings = new OpenAIEmbeddings({ model: "suite-embed", apiKey: key, configuration: { baseURL: `${gateway}/v1` }, maxRetries: 0 });
		expect(await embeddings.embedQuery("hello")).toEqual([0.1, 0.2, 0.3]);
	});

	it("reads the rate-limited model's 429 as 'wait for Retry-After', not as an exhausted quota", async () => {
		const error = await chat("suite-429")
			.invoke("hi")
			.catch((e: unknown) => e);
		expect(error).toMatchObject({ status: 429, rateLimitType: "wait" });
		expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
	});
});
