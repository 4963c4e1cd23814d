// The response cache as the real clients meet it, under wrangler dev, against one loopback channel whose request log
// counts what reached the upstream: a failing model first (never cached), then the openai and @anthropic-ai/sdk
// clients asking the same question twice (once streamed) with one upstream call, another user not served the first
// user's answer, the semantic cache on a reworded question and a near miss, and the purge.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { adminApi } from "./admin-api";

const gateway = inject("gatewayUrl");
const upstreamUrl = inject("upstreamUrl");
const TAG = "e2e-cache";
const MODELS = { "cache-chat": "cache-chat", "cache-500": "scenario/status-500" };

interface UsageView {
	cache_hit: "exact" | "semantic" | null;
	cost_usd: number;
	saved_usd: number;
	prompt_tokens: number;
	completion_tokens: number;
}

/** Chat requests the upstream received for `model`. */
async function upstreamCalls(model: string): Promise<number> {
	const log = (await (await fetch(`${upstreamUrl}/__requests?tag=${TAG}`)).json()) as { path: string; body: { model?: string } }[];
	return log.filter((r) => r.path.endsWith("/chat/completions") && r.body.model === model).length;
}

/** A key of a new user with the cache set as given. */
async function cachingKey(cache: Record<string, unknown>): Promise<{ id: number; key: string }> {
	const user = await adminApi<{ id: number }>("POST", "/api/users", { name: `cache-${crypto.randomUUID().slice(0, 8)}` });
	return adminApi("POST", "/api/tokens", { name: "cache", user_id: user.id, cache });
}

/** The usage record of a request, once the queue consumer has written it. */
async function usageOf(requestId: string | null): Promise<UsageView> {
	for (let i = 0; i < 100; i++) {
		const res = await fetch(`${gateway}/api/usage/${requestId}`, { headers: { authorization: `Bearer ${inject("adminToken")}` } });
		if (res.ok) return res.json() as Promise<UsageView>;
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`no usage record for ${requestId}`);
}

/**
 * Repeats `ask` until its answer comes from the cache (an answer is kept just after its response went out), and
 * says how many repeats came too early and were misses: each of those went to the upstream too.
 */
async function untilCached<T>(ask: () => Promise<{ data: T; response: Response }>, marker = "hit"): Promise<{ data: T; response: Response; early: number }> {
	for (let early = 0; early < 50; early++) {
		const answer = await ask();
		if (answer.response.headers.get("x-gateway-cache") === marker) return { ...answer, early };
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`never answered with x-gateway-cache: ${marker}`);
}

let openai: OpenAI;
let anthropic: Anthropic;
let keyId: number;

beforeAll(async () => {
	await adminApi("POST", "/api/channels", {
		name: "cache",
		type: "openai",
		base_url: `${upstreamUrl}/${TAG}/ok/v1`,
		key: "sk-e2e-cache",
		models: Object.keys(MODELS),
		model_mapping: { "cache-500": MODELS["cache-500"] },
		settings: { breaker: { probeIntervalMs: 0 } },
	});
	const made = await cachingKey({ mode: "exact", ttl_seconds: 600 });
	keyId = made.id;
	openai = new OpenAI({ apiKey: made.key, baseURL: `${gateway}/v1`, maxRetries: 0 });
	anthropic = new Anthropic({ apiKey: made.key, baseURL: gateway, maxRetries: 0 });
});

describe("the response cache through the official clients", () => {
	it("never keeps a failed answer: each failing request reaches the upstream", async () => {
		for (let i = 0; i < 2; i++) {
			const error = await openai.chat.completions.create({ model: "cache-500", messages: [{ role: "user", content: "fail" }] }).then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(OpenAI.APIError);
		}
		expect(await upstreamCalls("scenario/status-500")).toBeGreaterThanOrEqual(2);
	});

	it("openai: the same question twice, the second streamed, calls the upstream once and answers the same", async () => {
		const body = { model: "cache-chat", messages: [{ role: "user" as const, content: "Name three primary colours." }] };
		const first = await openai.chat.completions.create(body).withResponse();
		expect(first.response.headers.get("x-gateway-cache")).toBe("miss");
		const text = first.data.choices[0]?.message.content;
		expect(text).toBeTruthy();
		const { early } = await untilCached(() => openai.chat.completions.create(body).withResponse());
		const streamed = await openai.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }).withResponse();
		expect(streamed.response.headers.get("x-gateway-cache")).toBe("hit");
		expect(Number(streamed.response.headers.get("age"))).toBeGreaterThanOrEqual(0);
		let streamedText = "";
		let finish: string | null = null;
		let usage: OpenAI.CompletionUsage | null | undefined;
		for await (const chunk of streamed.data) {
			streamedText += chunk.choices[0]?.delta.content ?? "";
			finish = chunk.choices[0]?.finish_reason ?? finish;
			usage = chunk.usage ?? usage;
		}
		expect(streamedText).toBe(text);
		expect(finish).toBe("stop");
		expect(usage?.completion_tokens).toBe(first.data.usage?.completion_tokens);
		// One upstream call (and one per repeat that came before the answer was kept, nearly always none).
		expect(await upstreamCalls("cache-chat")).toBe(1 + early);
		// Billed as configured (CACHE_HIT_PRICE 0: free), with the tokens it would have cost and what it saved.
		const missed = await usageOf(first.response.headers.get("x-request-id"));
		const hit = await usageOf(streamed.response.headers.get("x-request-id"));
		expect(missed.cache_hit).toBeNull();
		expect(hit).toMatchObject({ cache_hit: "exact", cost_usd: 0, prompt_tokens: missed.prompt_tokens, completion_tokens: missed.completion_tokens });
		expect(hit.saved_usd).toBe(missed.cost_usd);
	});

	it("@anthropic-ai/sdk: the same message twice, the second streamed, in Anthropic's own events", async () => {
		const before = await upstreamCalls("cache-chat");
		const body = { model: "cache-chat", max_tokens: 200, messages: [{ role: "user" as const, content: "Name three secondary colours." }] };
		const first = await anthropic.messages.create(body).withResponse();
		const text = first.data.content.map((b) => (b.type === "text" ? b.text : "")).join("");
		expect(text).toBeTruthy();
		const { early } = await untilCached(() => anthropic.messages.create(body).withResponse());
		const streamed = await anthropic.messages.create({ ...body, stream: true }).withResponse();
		expect(streamed.response.headers.get("x-gateway-cache")).toBe("hit");
		const kinds: string[] = [];
		let streamedText = "";
		for await (const event of streamed.data) {
			kinds.push(event.type);
			if (event.type === "content_block_delta" && event.delta.type === "text_delta") streamedText += event.delta.text;
		}
		expect(kinds[0]).toBe("message_start");
		expect(kinds.at(-1)).toBe("message_stop");
		expect(streamedText).toBe(text);
		expect(await upstreamCalls("cache-chat")).toBe(before + 1 + early);
	});

	it("another user's identical request is not served from the first user's cache", async () => {
		const before = await upstreamCalls("cache-chat");
		const other = new OpenAI({ apiKey: (await cachingKey({ mode: "exact" })).key, baseURL: `${gateway}/v1`, maxRetries: 0 });
		const res = await other.chat.completions
			.create({ model: "cache-chat", messages: [{ role: "user", content: "Name three primary colours." }] })
			.withResponse();
		expect(res.response.headers.get("x-gateway-cache")).toBe("miss");
		expect(await upstreamCalls("cache-chat")).toBe(before + 1);
	});

	it("semantic: a reworded question is a semantic hit, a near miss (another number) is not", async () => {
		const semantic = new OpenAI({ apiKey: (await cachingKey({ mode: "semantic" })).key, baseURL: `${gateway}/v1`, maxRetries: 0 });
		const ask = (content: string) =>
			semantic.chat.completions.create({ model: "cache-chat", temperature: 0, messages: [{ role: "user", content }] }).withResponse();
		const before = await upstreamCalls("cache-chat");
		const first = await ask("How many minutes does it take to boil an egg at sea level?");
		const hit = await untilCached(() => ask("At sea level, how many minutes does it take to boil an egg?"), "semantic-hit");
		const reworded = await upstreamCalls("cache-chat");
		expect(Number(hit.response.headers.get("x-gateway-cache-similarity"))).toBeGreaterThanOrEqual(0.95);
		expect(hit.data.choices[0]?.message.content).toBe(first.data.choices[0]?.message.content);
		expect((await usageOf(hit.response.headers.get("x-request-id"))).cache_hit).toBe("semantic");
		const near = await ask("How many minutes does it take to boil 12 eggs at sea level?");
		expect(near.response.headers.get("x-gateway-cache")).toBe("miss");
		// The first question and the near miss reached the upstream, the reworded one only if it came before the first
		// answer was remembered (then as a miss).
		expect(reworded).toBe(before + 1 + hit.early);
		expect(await upstreamCalls("cache-chat")).toBe(reworded + 1);
	});

	it("a purge of the key's entries: the next identical request goes to the upstream again", async () => {
		const body = { model: "cache-chat", messages: [{ role: "user" as const, content: "Name three primary colours." }] };
		expect((await openai.chat.completions.create(body).withResponse()).response.headers.get("x-gateway-cache")).toBe("hit");
		const before = await upstreamCalls("cache-chat");
		await adminApi("DELETE", `/api/cache?key_id=${keyId}`);
		const after = await openai.chat.completions.create(body).withResponse();
		expect(after.response.headers.get("x-gateway-cache")).toBe("miss");
		expect(await upstreamCalls("cache-chat")).toBe(before + 1);
	});
});
