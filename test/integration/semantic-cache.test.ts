import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { cacheNamespace, ENDPOINT, findSimilar, MAX_PROBE_CHARS, rememberSimilar, type SemanticProbe, semanticProbe } from "../../src/cache/semantic";
import { entryKey } from "../../src/cache/store";
import { ownerRelayRequest } from "../../src/knowledge/owner-relay";
import { vectorIndex } from "../../src/knowledge/vector-index";
import type { ChatMessage, ChatRequest } from "../../src/protocols/ir";
import { MOCK_EMBEDDING_DIMENSIONS } from "../../src/providers/mock/embedding";
import { authenticate } from "../../src/relay/callers";
import type { RelayRequest } from "../../src/relay/request";
import { type CacheSettings, cacheSettings } from "../../src/types/cache-settings";
import { createChannel, createKey, uid, usageRow } from "../support/gateway";

// The offline mock's "mock-embedding" (CACHE_EMBEDDING_MODEL in vitest.config.ts) is feature hashing: a reworded
// question scores high only when it keeps the words (docs/PERFORMANCE.md, "Semantic cache: paraphrases and near
// misses"). These pairs are from that table: word order (0.999), another entity (0.72).
const QUESTION = "What is the boiling point of water at sea level?";
const REWORDED = "At sea level, what is the boiling point of water?";

const semantic: CacheSettings = cacheSettings.parse({ mode: "semantic" });
const any: CacheSettings = { ...semantic, semantic_any: true };

const user = (text: string): ChatMessage => ({ role: "user", content: text });
const chatOf = (fields: Partial<ChatRequest> = {}, text = QUESTION): ChatRequest => ({
	model: "mock-chat",
	temperature: 0,
	messages: [{ role: "system", content: "You are terse." }, user(text)],
	...fields,
});
/** A call as an OpenAI client sends it: the native body is the request itself. */
const callOf = (chat: ChatRequest) => ({ chat, native: { ...chat } });
const probeOf = (chat: ChatRequest, settings = semantic, model = "mock-chat") => semanticProbe(callOf(chat), model, settings);

async function probe(text: string): Promise<SemanticProbe> {
	const p = await probeOf(chatOf({}, text));
	if (!p) throw new Error("not eligible");
	return p;
}

describe("semantic cache: which requests are eligible", () => {
	it("takes a plain question at temperature 0, by the text of its final user message", async () => {
		expect(await probeOf(chatOf({}, `  ${QUESTION}\n`))).toMatchObject({ text: QUESTION, filter: expect.stringMatching(/^[0-9a-f]{64}$/) });
		const parts = chatOf({ messages: [{ role: "user", content: [{ type: "text", text: QUESTION }] }] });
		expect((await probeOf(parts))?.text).toBe(QUESTION);
	});

	it("leaves out tools, images, more than one choice and any temperature but an explicit 0, unless semantic_any", async () => {
		const tools: ChatRequest["tools"] = [{ type: "function", function: { name: "weather", parameters: { type: "object" } } }];
		const image: ChatMessage = {
			role: "user",
			content: [
				{ type: "text", text: "What is in this picture?" },
				{ type: "image_url", image_url: { url: "https://example.com/cat.png" } },
			],
		};
		const { temperature: _, ...noTemperature } = chatOf();
		const varying: ChatRequest[] = [chatOf({ tools }), chatOf({ messages: [image] }), chatOf({ n: 2 }), chatOf({ temperature: 0.7 }), noTemperature];
		for (const chat of varying) {
			expect(await probeOf(chat)).toBeUndefined();
			expect(await probeOf(chat, any)).toBeDefined();
		}
		expect(await probeOf(chatOf({ n: 1 }))).toBeDefined();
	});

	it("leaves out a key not in semantic mode, a request that does not end with a user's text, and a very long message", async () => {
		expect(await probeOf(chatOf(), { ...semantic, mode: "exact" })).toBeUndefined();
		expect(await probeOf(chatOf({ messages: [user(QUESTION), { role: "assistant", content: "The boiling" }] }))).toBeUndefined();
		expect(await probeOf(chatOf({}, "   "))).toBeUndefined();
		expect(await probeOf(chatOf({}, "word ".repeat(MAX_PROBE_CHARS / 5 + 1)))).toBeUndefined();
	});
});

describe("semantic cache: the exact filter", () => {
	it("is the same for a reworded question in the same context, and ignores how the answer is delivered", async () => {
		const base = await probe(QUESTION);
		expect((await probe(REWORDED)).filter).toBe(base.filter);
		expect((await probeOf(chatOf({ stream: true, stream_options: { include_usage: true }, user: "end-user-7" })))?.filter).toBe(base.filter);
		// Another spelling of the same body: fields in another order.
		const reordered = { messages: chatOf().messages, temperature: 0, model: "mock-chat" };
		expect((await semanticProbe({ chat: reordered, native: reordered }, "mock-chat", semantic))?.filter).toBe(base.filter);
	});

	it("separates models, system prompts, earlier turns, sampling fields, the client's own options and the question's numbers", async () => {
		const base = (await probe(QUESTION)).filter;
		const others = await Promise.all([
			probeOf(chatOf(), semantic, "mock-chat-large"),
			probeOf(chatOf({ messages: [{ role: "system", content: "You are verbose." }, user(QUESTION)] })),
			probeOf(chatOf({ messages: [user(QUESTION)] })),
			probeOf(chatOf({ messages: [user("I am in Denver."), { role: "assistant", content: "Noted." }, user(QUESTION)] })),
			probeOf(chatOf({ max_tokens: 5 })),
			probeOf(chatOf({ response_format: { type: "json_object" } })),
			semanticProbe({ chat: chatOf(), native: { ...chatOf(), top_k: 3 } }, "mock-chat", semantic),
			probeOf(chatOf({}, "What is the boiling point of water at 2000 m?")),
			probeOf(chatOf({}, "What is the boiling point of water at 3000 m?")),
			probeOf(chatOf({}, "What is not the boiling point of water at sea level?")),
		]);
		const filters = others.map((p) => p?.filter);
		expect(filters.every((f) => f !== undefined && f !== base)).toBe(true);
		expect(new Set(filters).size).toBe(filters.length);
	});
});

describe("semantic cache: remembering and finding answers", () => {
	let key: string;
	let scope: string;
	const pending: Promise<unknown>[] = [];

	const relayRequest = async (requestId = `sc-${uid()}`, environment: Env = env): Promise<RelayRequest> => {
		const caller = await authenticate(environment, key);
		return ownerRelayRequest({ env: environment, waitUntil: (w) => pending.push(w), caller }, requestId, "/v1/chat/completions");
	};
	const settled = () => Promise.all(pending.splice(0));
	const hour = () => Date.now() + 3_600_000;

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		const created = await createKey();
		key = created.key;
		scope = `u${(await authenticate(env, key)).userId}`;
	});

	it("finds a stored answer for a reworded question, with its similarity, and bills the embedding to the caller", async () => {
		const stored = entryKey(scope, uid());
		const req = await relayRequest();
		await rememberSimilar(req, scope, await probe(QUESTION), stored, hour());
		const asking = await relayRequest();
		const found = await findSimilar(asking, scope, await probe(REWORDED), semantic);
		expect(found?.key).toBe(stored);
		expect(found?.similarity).toBeGreaterThanOrEqual(semantic.threshold);
		expect(found?.similarity).toBeLessThan(1);
		await settled();
		const usage = await usageRow(`${asking.requestId}-cache-0`);
		expect(usage).toMatchObject({ endpoint: ENDPOINT, model: "mock-embedding", token_id: asking.caller.keyId, status: 200 });
	});

	it("misses a near miss: another number (an exact part of the filter), another entity (too far)", async () => {
		const req = await relayRequest();
		await rememberSimilar(req, scope, await probe("Convert 5 km to miles."), entryKey(scope, uid()), hour());
		const austria = entryKey(scope, uid());
		await rememberSimilar(req, scope, await probe("What is the capital of Austria?"), austria, hour());
		expect(await findSimilar(req, scope, await probe("Convert 50 km to miles."), semantic)).toBeUndefined();
		expect(await findSimilar(req, scope, await probe("What is the capital of Australia?"), semantic)).toBeUndefined();
		// Below the key's own threshold it is a hit after all: the threshold is the key's.
		expect((await findSimilar(req, scope, await probe("What is the capital of Australia?"), { threshold: 0.7 }))?.key).toBe(austria);
	});

	it("never finds another scope's entries", async () => {
		const req = await relayRequest();
		const question = "Which river flows through Vienna?";
		await rememberSimilar(req, scope, await probe(question), entryKey(scope, uid()), hour());
		expect(await findSimilar(req, "u999999", await probe(question), semantic)).toBeUndefined();
		expect(await findSimilar(req, "gresearch", await probe(question), semantic)).toBeUndefined();
		expect(await findSimilar(req, scope, await probe(question), semantic)).toBeDefined();
	});

	it("skips an expired entry and forgets it", async () => {
		const req = await relayRequest();
		const question = "How tall is the Eiffel Tower?";
		const expired = async () => {
			const { matches } = await vectorIndex(env, MOCK_EMBEDDING_DIMENSIONS).query(new Array(MOCK_EMBEDDING_DIMENSIONS).fill(1), {
				topK: 20,
				namespace: await cacheNamespace(scope),
				returnMetadata: "all",
			});
			return matches.filter((m) => Number(m.metadata?.expires_at) < Date.now()).length;
		};
		await rememberSimilar(req, scope, await probe(question), entryKey(scope, uid()), Date.now() - 1);
		expect(await expired()).toBe(1);
		expect(await findSimilar(req, scope, await probe(question), semantic)).toBeUndefined();
		await settled();
		expect(await expired()).toBe(0);
	});

	it("answers a miss, never an error, when the embedding fails, and remembers nothing", async () => {
		const broken = { ...env, CACHE_EMBEDDING_MODEL: `no-such-embedding-${uid()}` };
		const req = await relayRequest(`sc-${uid()}`, broken);
		const question = "Who painted the Mona Lisa?";
		await expect(rememberSimilar(req, scope, await probe(question), entryKey(scope, uid()), hour())).resolves.toBeUndefined();
		await expect(findSimilar(req, scope, await probe(question), semantic)).resolves.toBeUndefined();
		// Nothing was remembered: with a working model the question is still unknown.
		expect(await findSimilar(await relayRequest(), scope, await probe(question), semantic)).toBeUndefined();
		await settled();
	});

	it("keeps a group's long name within Vectorize's namespace limit", async () => {
		expect(await cacheNamespace("u42")).toBe("rc_u42");
		const long = await cacheNamespace(`g${"x".repeat(100)}`);
		expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(64);
		expect(long).not.toBe(await cacheNamespace(`g${"x".repeat(101)}`));
	});
});
