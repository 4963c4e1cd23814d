import OpenAI, { AuthenticationError, RateLimitError } from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";
import { readChatStream } from "./chat-stream";

const gateway = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway}/v1`, maxRetries: 0 });

let sdk: OpenAI;

beforeAll(async () => {
	// The failing channel has the higher priority, so every request meets it first.
	await adminApi("POST", "/api/channels", {
		name: "broken",
		type: "openai",
		base_url: `${upstreamUrl}/e2e/status-503/v1`,
		key: "sk-e2e-broken",
		models: ["gpt-e2e", "embed-e2e"],
		priority: 10,
	});
	await adminApi("POST", "/api/channels", {
		name: "healthy",
		type: "openai",
		base_url: `${upstreamUrl}/e2e/ok/v1`,
		key: "sk-e2e-healthy",
		models: ["gpt-e2e", "embed-e2e"],
		priority: 0,
	});
	// The only channel for this model is rate limited by its upstream (429, Retry-After: 7).
	await adminApi("POST", "/api/channels", {
		name: "limited",
		type: "openai",
		base_url: `${upstreamUrl}/e2e/status-429/v1`,
		key: "sk-e2e-limited",
		models: ["limited-e2e"],
		settings: { breaker: { probeIntervalMs: 0 } },
	});
	const { key } = await adminApi<{ key: string }>("POST", "/api/tokens", { name: "e2e" });
	sdk = client(key);
});

describe("the openai SDK against wrangler dev", () => {
	it("lists models", async () => {
		const models = [];
		for await (const m of sdk.models.list()) models.push(m.id);
		expect(models).toEqual(expect.arrayContaining(["gpt-e2e", "embed-e2e", "mock-chat"]));
	});

	it("chats without streaming, never noticing the failing first channel", async () => {
		const { data, response } = await sdk.chat.completions.create({ model: "gpt-e2e", messages: [{ role: "user", content: "hi" }] }).withResponse();
		expect(data.choices[0]?.message.content).toBe("Hi there, from the upstream.");
		expect(data.usage?.prompt_tokens).toBe(11);
		expect(response.headers.get("x-gateway-attempts")).toBe("2");
	});

	it("streams a chat with usage", async () => {
		const stream = await sdk.chat.completions.create({
			model: "gpt-e2e",
			stream: true,
			stream_options: { include_usage: true },
			messages: [{ role: "user", content: "hi" }],
		});
		const { text, usage } = await readChatStream(stream);
		expect(text).toBe("Hi there, from the upstream.");
		expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
	});

	it("creates embeddings", async () => {
		const res = await sdk.embeddings.create({ model: "embed-e2e", input: "hello" });
		expect(res.data[0]?.embedding).toEqual([0.1, 0.2, 0.3]);
	});

	it("raises AuthenticationError for an invalid key", async () => {
		await expect(client("sk-invalid").chat.completions.create({ model: "gpt-e2e", messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(
			AuthenticationError,
		);
	});

	it("raises RateLimitError, with the headers its retries read, for a model whose only upstream is rate limited", async () => {
		const limited = () => sdk.chat.completions.create({ model: "limited-e2e", messages: [{ role: "user", content: "hi" }] });
		// First the upstream's own 429, then the breaker holding the model back until the upstream's Retry-After: 429 both times, never 503.
		for (let i = 0; i < 3; i++) {
			const error = await limited().then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(RateLimitError);
			const limit = error as RateLimitError;
			expect(limit.status).toBe(429);
			expect(limit.code).toBe("rate_limit_exceeded");
			const seconds = Number(limit.headers?.get("retry-after"));
			expect(seconds).toBeGreaterThan(0);
			expect(seconds).toBeLessThanOrEqual(7);
			expect(Number(limit.headers?.get("retry-after-ms"))).toBeGreaterThan(0);
		}
	});

	it("streams from the seeded mock channel with the demo key printed at first start", async () => {
		const stream = await client(inject("demoKey")).chat.completions.create({ model: "mock-chat", stream: true, messages: [{ role: "user", content: "ping" }] });
		let text = "";
		let chunks = 0;
		for await (const chunk of stream) {
			text += chunk.choices[0]?.delta.content ?? "";
			chunks++;
		}
		expect(text).toContain('You said: "ping"');
		expect(chunks).toBeGreaterThan(10);
	});

	it("shows usage records written through the queue", async () => {
		const until = Date.now() + 15_000;
		let seen = 0;
		while (Date.now() < until) {
			const res = await fetch(`${gateway}/api/tokens`, { headers: { authorization: `Bearer ${inject("adminToken")}` } });
			const { data } = (await res.json()) as { data: { name: string; last_used_at: string | null }[] };
			seen = data.filter((t) => t.name === "e2e" && t.last_used_at !== null).length;
			if (seen) break;
			await new Promise((r) => setTimeout(r, 250));
		}
		expect(seen).toBe(1);
	});
});
