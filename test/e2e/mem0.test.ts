// The real mem0ai MemoryClient (3.3.1, unchanged; installed apart by test/support/mem0-global.ts) against the
// gateway's /mem0 API under wrangler dev, as a user meets it: a bad key first, then adding, listing, searching,
// reading, updating (history), deleting one and all, and another user's key seeing none of it. Memories are added
// verbatim (`infer: false`), and extracted by the seeded mock channel's chat model (`infer: true`, on the memory queue).
// Then chat that remembers: the openai SDK on a key with memory on, the mem0ai client looking at what it kept.
import OpenAI from "openai";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { type Mem0Client, mem0Client } from "../support/mem0";
import { userKey } from "./admin-api";

const gateway = inject("gatewayUrl");
const host = `${gateway}/mem0`;

const added = z.object({ results: z.array(z.object({ id: z.string(), data: z.object({ memory: z.string() }), event: z.literal("ADD") })) });
const memory = z.looseObject({ id: z.string(), memory: z.string(), userId: z.string().nullish() });
const searched = z.union([z.array(memory.extend({ score: z.number() })), z.object({ results: z.array(memory.extend({ score: z.number() })) })]);
const hits = (value: unknown) => {
	const parsed = searched.parse(value);
	return Array.isArray(parsed) ? parsed : parsed.results;
};
const listed = z.union([z.array(memory), z.object({ results: z.array(memory) })]);
const rows = (value: unknown) => {
	const parsed = listed.parse(value);
	return Array.isArray(parsed) ? parsed : parsed.results;
};

let client: Mem0Client;
let clientKey: string;
let stranger: Mem0Client;
const alice = `alice-${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
	clientKey = await userKey("mem0-e2e");
	client = await mem0Client(host, clientKey);
	stranger = await mem0Client(host, await userKey("mem0-stranger"));
});

describe("the mem0ai MemoryClient against wrangler dev", () => {
	it("is refused with a bad key, with the gateway's message", async () => {
		const bad = await mem0Client(host, "sk-not-a-key-0000000000000000");
		await expect(bad.getAll({ filters: { user_id: alice } })).rejects.toThrow(/key/i);
	});

	it("adds verbatim, lists, searches with the right memory first, reads, updates with history, and deletes", async () => {
		const add = added.parse(
			await client.add(
				[
					{ role: "user", content: "I am allergic to peanuts." },
					{ role: "user", content: "My favourite city is Lisbon." },
					{ role: "user", content: "I work as a marine biologist." },
				],
				{ userId: alice, infer: false },
			),
		);
		expect(add.results.map((r) => r.data.memory)).toEqual(["I am allergic to peanuts.", "My favourite city is Lisbon.", "I work as a marine biologist."]);

		expect(rows(await client.getAll({ filters: { user_id: alice } })).map((m) => m.memory)).toHaveLength(3);
		const [top] = hits(await client.search("Which city does the user like best?", { filters: { user_id: alice } }));
		expect(top?.memory).toBe("My favourite city is Lisbon.");

		const id = add.results[1]?.id ?? "";
		expect(memory.parse(await client.get(id)).memory).toBe("My favourite city is Lisbon.");
		await client.update(id, { text: "My favourite city is Porto." });
		expect(memory.parse(await client.get(id)).memory).toBe("My favourite city is Porto.");
		const history = z
			.array(z.looseObject({ event: z.string(), oldMemory: z.string().nullish(), newMemory: z.string().nullish() }))
			.parse(await client.history(id));
		expect(history.map((h) => h.event)).toEqual(["ADD", "UPDATE"]);
		expect(history[1]).toMatchObject({ oldMemory: "My favourite city is Lisbon.", newMemory: "My favourite city is Porto." });

		expect(await client.feedback({ memoryId: id, feedback: "POSITIVE", feedbackReason: "right city" })).toEqual({
			id,
			feedback: "POSITIVE",
			feedbackReason: "right city",
		});
		// Metadata filters and the search options, as the client sends them.
		expect(rows(await client.getAll({ filters: { AND: [{ user_id: alice }, { metadata: { source: "nowhere" } }] } }))).toEqual([]);
		const [reranked] = hits(await client.search("Which city does the user like best?", { filters: { user_id: alice }, rerank: true, keywordSearch: false }));
		expect(reranked?.memory).toBe("My favourite city is Porto.");

		await client.delete(add.results[0]?.id ?? "");
		expect(rows(await client.getAll({ filters: { user_id: alice } }))).toHaveLength(2);

		// Another gateway user's key: their "alice" is someone else, and this one's memories are not theirs to see.
		expect(rows(await stranger.getAll({ filters: { user_id: alice } }))).toEqual([]);
		expect(hits(await stranger.search("favourite city", { filters: { user_id: alice } }))).toEqual([]);
		await expect(stranger.get(id)).rejects.toThrow();

		await client.deleteAll({ userId: alice });
		expect(rows(await client.getAll({ filters: { user_id: alice } }))).toEqual([]);
	});
});

// The client camel-cases the answer's keys itself; either spelling is the event's id.
const pending = z
	.looseObject({ eventId: z.string().optional(), event_id: z.string().optional() })
	.transform((a) => a.eventId ?? a.event_id)
	.pipe(z.string());
const eventAnswer = z.looseObject({ status: z.string(), results: z.array(z.object({ data: z.object({ memory: z.string() }) })) });

/** The add's event once the memory queue has finished it; the client has no method for it, so plain fetch. */
async function settled(eventId: string) {
	const until = Date.now() + 30_000;
	for (;;) {
		const res = await fetch(`${host}/v1/event/${eventId}/`, { headers: { Authorization: `Token ${clientKey}` } });
		expect(res.status).toBe(200);
		const event = eventAnswer.parse(await res.json());
		if (event.status !== "PENDING" && event.status !== "RUNNING") return event;
		if (Date.now() > until) throw new Error(`event ${eventId} still PENDING or RUNNING`);
		await new Promise((r) => setTimeout(r, 200));
	}
}

describe("the mem0ai MemoryClient's default add (infer true) against wrangler dev", () => {
	it("answers PENDING, the queue extracts the stated facts, and search finds them", async () => {
		const bob = `bob-${crypto.randomUUID().slice(0, 8)}`;
		const eventId = pending.parse(
			await client.add(
				[
					{ role: "user", content: "I just adopted a greyhound called Pixel. Any tips for the first week?" },
					{ role: "assistant", content: "Keep the first days calm and quiet." },
				],
				{ userId: bob },
			),
		);
		const event = await settled(eventId);
		expect(event.status).toBe("SUCCEEDED");
		expect(event.results.map((r) => r.data.memory)).toEqual(["I just adopted a greyhound called Pixel."]);
		const [top] = hits(await client.search("What is the name of the user's dog?", { filters: { user_id: bob } }));
		expect(top?.memory).toBe("I just adopted a greyhound called Pixel.");
	});

	it("refuses with 413 an add to extract that a queue message cannot carry", async () => {
		const res = await fetch(`${host}/v3/memories/add/`, {
			method: "POST",
			headers: { Authorization: `Token ${clientKey}`, "Content-Type": "application/json" },
			body: JSON.stringify({ user_id: "big", messages: [{ role: "user", content: "I like long walks. ".repeat(7_000) }] }),
		});
		expect(res.status).toBe(413);
		expect(await res.json()).toMatchObject({ detail: expect.stringContaining("infer true takes at most 120000 bytes") });
	});
});

describe("chat that remembers: the openai SDK on a key with memory_mode read_write, and the mem0ai client on its memories", () => {
	it("answers a new conversation from a fact the user stated in an earlier one; once the memory is deleted, it no longer can", async () => {
		const key = await userKey("remembers", { memory_mode: "read_write" });
		const sdk = new OpenAI({ apiKey: key, baseURL: `${gateway}/v1`, maxRetries: 0 });
		const memories = await mem0Client(host, key);
		const zoe = `zoe-${crypto.randomUUID().slice(0, 8)}`;

		// Session one: the user says something about themselves, naming the end user with OpenAI's own `user` field.
		await sdk.chat.completions.create({
			model: "mock-chat",
			user: zoe,
			messages: [{ role: "user", content: "My favourite tea is sencha. What should I drink this afternoon?" }],
		});
		const until = Date.now() + 30_000;
		let kept: { id: string; memory: string }[] = [];
		while (kept.length === 0) {
			kept = rows(await memories.getAll({ filters: { user_id: zoe } }));
			if (Date.now() > until) throw new Error("the turn was not remembered");
			if (kept.length === 0) await new Promise((r) => setTimeout(r, 200));
		}
		expect(kept.map((m) => m.memory)).toEqual(["My favourite tea is sencha."]);

		// Session two, a new conversation, streamed.
		const stream = await sdk.chat.completions.create({
			model: "mock-chat",
			user: zoe,
			stream: true,
			messages: [{ role: "user", content: "Which tea is my favourite tea?" }],
		});
		let answer = "";
		for await (const chunk of stream) answer += chunk.choices[0]?.delta.content ?? "";
		expect(answer).toContain("From what I remember: My favourite tea is sencha.");

		await memories.delete(kept[0]?.id ?? "");
		const after = await sdk.chat.completions.create({ model: "mock-chat", user: zoe, messages: [{ role: "user", content: "Which tea is my favourite tea?" }] });
		expect(after.choices[0]?.message.content).not.toContain("sencha");
	});
});
