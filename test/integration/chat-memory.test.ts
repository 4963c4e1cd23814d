import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src";
import { admin, call, chat, createChannel, createKey, readSse, uid, upstream, upstreamLog, usageRow } from "../support/gateway";
import { newOwner, post } from "../support/mem0-api";

interface Completion {
	choices: { message: { content: string } }[];
	usage: { prompt_tokens: number };
}

interface Listed {
	results: { memory: string }[];
}

async function memoriesOf(key: string, endUser: string): Promise<string[]> {
	const res = await post(key, "/v3/memories/", { filters: { user_id: endUser } });
	expect(res.status).toBe(200);
	return (await res.json<Listed>()).results.map((r) => r.memory);
}

/** The end user's memories once the memory queue has extracted `fact` from a turn. */
async function remembered(key: string, endUser: string, fact: string): Promise<string[]> {
	const until = Date.now() + 20_000;
	for (;;) {
		const all = await memoriesOf(key, endUser);
		if (all.includes(fact)) return all;
		if (Date.now() > until) throw new Error(`'${fact}' was not remembered; memories: ${JSON.stringify(all)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

const ask = (key: string, body: Record<string, unknown>) => chat(key, { model: "mock-chat", ...body });
const answerOf = async (res: Response) => (await res.json<Completion>()).choices[0]?.message.content ?? "";

describe("chat that remembers: a key's memory_mode and the request's end user", () => {
	let owner: { key: string; keyId: number; userId: number };

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-chat", "mock-embedding"] });
		owner = await newOwner({ memory_mode: "read_write" });
	});

	it("keeps a fact from one session and answers from it in the next, in every dialect", async () => {
		const told = await ask(owner.key, { memory: { user_id: "dana" }, messages: [{ role: "user", content: "My home city is Lisbon. Any plans for tonight?" }] });
		expect(told.status).toBe(200);
		// Nothing was remembered about dana yet.
		expect(told.headers.get("x-gateway-memories")).toBe("0");
		expect(await answerOf(told)).not.toContain("From what I remember");
		await remembered(owner.key, "dana", "My home city is Lisbon.");

		// A new conversation: only the memory can know the city.
		const later = await ask(owner.key, { memory: { user_id: "dana" }, messages: [{ role: "user", content: "Which city is my home city?" }] });
		expect(later.status).toBe(200);
		expect(Number(later.headers.get("x-gateway-memories"))).toBeGreaterThanOrEqual(1);
		expect(await answerOf(later)).toContain("From what I remember: My home city is Lisbon.");

		// OpenAI's own `user` field names the end user too, on chat completions and on Responses.
		const byUserField = await ask(owner.key, { user: "dana", messages: [{ role: "user", content: "Which city is my home city?" }] });
		expect(await answerOf(byUserField)).toContain("My home city is Lisbon");
		const responses = await call("/v1/responses", {
			method: "POST",
			headers: { authorization: `Bearer ${owner.key}`, "content-type": "application/json" },
			body: JSON.stringify({ model: "mock-chat", user: "dana", input: "Which city is my home city?" }),
		});
		expect(responses.status).toBe(200);
		expect((await responses.json<{ output_text: string }>()).output_text).toContain("My home city is Lisbon");

		// Anthropic's `metadata.user_id`, streamed.
		const messages = await call("/v1/messages", {
			method: "POST",
			headers: { "x-api-key": owner.key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
			body: JSON.stringify({
				model: "mock-chat",
				max_tokens: 200,
				stream: true,
				metadata: { user_id: "dana" },
				messages: [{ role: "user", content: "Which city is my home city?" }],
			}),
		});
		expect(messages.status).toBe(200);
		const { events } = await readSse(messages);
		const streamed = events.map((e) => (e as { delta?: { text?: string } }).delta?.text ?? "").join("");
		expect(streamed).toContain("My home city is Lisbon");

		// Gemini, with the extension in its camelCase.
		const gemini = await call("/v1beta/models/mock-chat:generateContent", {
			method: "POST",
			headers: { "x-goog-api-key": owner.key, "content-type": "application/json" },
			body: JSON.stringify({ memory: { userId: "dana" }, contents: [{ role: "user", parts: [{ text: "Which city is my home city?" }] }] }),
		});
		expect(gemini.status).toBe(200);
		const parts = (await gemini.json<{ candidates: { content: { parts: { text: string }[] } }[] }>()).candidates[0]?.content.parts ?? [];
		expect(parts.map((p) => p.text).join("")).toContain("My home city is Lisbon");
	});

	it("meters the memories put in the prompt: the same question costs more prompt tokens with them", async () => {
		const user = await newOwner({ memory_mode: "read_write" });
		await ask(user.key, { memory: { user_id: "eli" }, messages: [{ role: "user", content: "My favourite colour is teal." }] });
		await remembered(user.key, "eli", "My favourite colour is teal.");
		const question = [{ role: "user", content: "What is my favourite colour?" }];
		const withMemory = await ask(user.key, { memory: { user_id: "eli" }, messages: question });
		const without = await ask(user.key, { messages: question });
		const [a, b] = [withMemory.headers.get("x-request-id"), without.headers.get("x-request-id")];
		if (!a || !b) throw new Error("no request id");
		const [rowWith, rowWithout] = [await usageRow(a), await usageRow(b)];
		expect(Number(rowWith.prompt_tokens)).toBeGreaterThan(Number(rowWithout.prompt_tokens) + 10);
	});

	it("another user's key with memory on knows nothing of the first user's end user of the same name", async () => {
		const stranger = await newOwner({ memory_mode: "read_write" });
		const res = await ask(stranger.key, { memory: { user_id: "dana" }, messages: [{ role: "user", content: "Which city is my home city?" }] });
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-memories")).toBe("0");
		expect(await answerOf(res)).not.toContain("Lisbon");
	});

	it("in read mode uses memories but keeps no turn; switched off, neither, without a restart", async () => {
		const user = await newOwner({ memory_mode: "read_write" });
		await ask(user.key, { memory: { user_id: "fay" }, messages: [{ role: "user", content: "My dog is called Pixel." }] });
		await remembered(user.key, "fay", "My dog is called Pixel.");

		const patch = await admin("PATCH", `/api/tokens/${user.keyId}`, { memory_mode: "read" });
		expect(patch.status).toBe(200);
		expect((await patch.json<{ memory_mode: string }>()).memory_mode).toBe("read");
		const read = await ask(user.key, { memory: { user_id: "fay" }, messages: [{ role: "user", content: "My cat is called Byte. What is my dog called?" }] });
		expect(await answerOf(read)).toContain("My dog is called Pixel");
		const readId = read.headers.get("x-request-id");

		// Back to read_write: this turn is kept, and by the time it is, the read turn would have been too.
		await admin("PATCH", `/api/tokens/${user.keyId}`, { memory_mode: "read_write" });
		await ask(user.key, { memory: { user_id: "fay" }, messages: [{ role: "user", content: "My bird is called Chip." }] });
		const all = await remembered(user.key, "fay", "My bird is called Chip.");
		expect(all).not.toContain("My cat is called Byte.");
		const kept = await env.DB.prepare("SELECT count(*) AS n FROM memory_events WHERE owner_id = ? AND json_extract(payload, '$.request_id') = ?")
			.bind(user.userId, readId)
			.first<{ n: number }>();
		expect(kept?.n).toBe(0);

		await admin("PATCH", `/api/tokens/${user.keyId}`, { memory_mode: "off" });
		const off = await ask(user.key, { memory: { user_id: "fay" }, messages: [{ role: "user", content: "What is my dog called?" }] });
		expect(off.status).toBe(200);
		expect(off.headers.get("x-gateway-memories")).toBeNull();
		expect(await answerOf(off)).not.toContain("Pixel");
	});

	it("a key with memory off pays nothing for it: no search, and the field never reaches the channel", async () => {
		const tag = `mem-${uid()}`;
		const model = `model-${uid()}`;
		await createChannel({ base_url: upstream(tag, "ok"), key: "sk-up", models: [model] });
		const { key } = await createKey({ models: [model] });
		const res = await chat(key, { model, user: "gus", memory: { user_id: "gus" }, messages: [{ role: "user", content: "hi" }] });
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-memories")).toBeNull();
		const [sent] = await upstreamLog(tag);
		expect(sent?.body).not.toHaveProperty("memory");
		// OpenAI's own field is the client's: it goes on as sent.
		expect(sent?.body).toMatchObject({ user: "gus" });
	});

	it("answers without memories when the memory search fails, and says so", async () => {
		const request = new Request("http://gateway.test/v1/chat/completions", {
			method: "POST",
			headers: { authorization: `Bearer ${owner.key}`, "content-type": "application/json" },
			body: JSON.stringify({ model: "mock-chat", memory: { user_id: "dana" }, messages: [{ role: "user", content: "Which city is my home city?" }] }),
		});
		const ctx = createExecutionContext();
		// No channel serves this embedding model: the search cannot embed the question.
		const res = await worker.fetch(request, { ...env, MEMORY_EMBEDDING_MODEL: "no-such-embedding-model" }, ctx);
		await waitOnExecutionContext(ctx);
		expect(res.status).toBe(200);
		expect(res.headers.get("x-gateway-memories")).toBe("unavailable");
		expect(await answerOf(res)).toContain('You said: "Which city is my home city?"');
	});

	it("refuses a malformed memory field with OpenAI's 400 naming it", async () => {
		const res = await ask(owner.key, { memory: { user_id: "" }, messages: [{ role: "user", content: "hi" }] });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ error: { type: "invalid_request_error", param: expect.stringContaining("memory") } });
	});
});
