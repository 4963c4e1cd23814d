import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MEMORY_QUEUE, type MemoryMessage } from "../../queues/memory-message";
import { recordEvent } from "../../src/memory/events";
import { consumeMemory } from "../../src/memory/extract";
import { admin, createChannel, createKey, uid, upstream } from "../support/gateway";
import { get, newOwner, type Owner, post } from "../support/mem0-api";

interface EventAnswer {
	id: string;
	status: string;
	results: { id: string; data: { memory: string }; event: string }[];
	error: string | null;
}

async function event(key: string, id: string): Promise<EventAnswer> {
	const res = await get(key, `/v1/event/${id}/`);
	expect(res.status).toBe(200);
	return res.json<EventAnswer>();
}

/** The event once the queue has finished it. */
async function settled(key: string, id: string): Promise<EventAnswer> {
	const until = Date.now() + 20_000;
	for (;;) {
		const e = await event(key, id);
		if (e.status !== "PENDING" && e.status !== "RUNNING") return e;
		if (Date.now() > until) throw new Error(`event ${id} still PENDING or RUNNING`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** Runs the consumer on one message, as the queue delivers it for the `attempts`th time. */
async function deliver(body: MemoryMessage, attempts: number, model = env.MEMORY_MODEL, vars: Partial<Env> = {}) {
	const batch = createMessageBatch(MEMORY_QUEUE, [{ id: `m-${body.event_id}`, timestamp: new Date(), attempts, body }]);
	const ctx = createExecutionContext();
	await consumeMemory(batch, { ...env, MEMORY_MODEL: model, ...vars }, ctx);
	await waitOnExecutionContext(ctx);
	return getQueueResult(batch, ctx);
}

describe("Mem0 adds with infer true: facts extracted on the memory queue", () => {
	let user: Owner;

	beforeAll(async () => {
		// The offline mock channel answers the extraction (each stated user sentence is a fact) and embeds.
		await createChannel({ type: "mock", models: ["mock-chat", "mock-embedding"] });
		user = await newOwner();
	});

	it("answers PENDING, then the event SUCCEEDS with the facts the model found, which list and search show", async () => {
		const res = await post(user.key, "/v3/memories/add/", {
			user_id: "carol",
			metadata: { source: "chat" },
			messages: [
				{ role: "user", content: "I moved to Porto last spring. Where should I eat tonight?" },
				{ role: "assistant", content: "You might like the seafood places by the river." },
				{ role: "user", content: "I am vegetarian." },
			],
		});
		expect(res.status).toBe(200);
		const added = await res.json<{ event_id: string; status: string }>();
		expect(added.status).toBe("PENDING");

		const done = await settled(user.key, added.event_id);
		expect(done.status).toBe("SUCCEEDED");
		expect(done.error).toBeNull();
		expect(done.results.map((r) => [r.event, r.data.memory])).toEqual([
			["ADD", "I moved to Porto last spring."],
			["ADD", "I am vegetarian."],
		]);

		const list = await post(user.key, "/v3/memories/", { filters: { user_id: "carol" } });
		const memories = (await list.json<{ results: { id: string; memory: string; metadata: unknown }[] }>()).results;
		expect(memories.map((m) => m.memory).sort()).toEqual(["I am vegetarian.", "I moved to Porto last spring."]);
		expect(memories.every((m) => JSON.stringify(m.metadata) === JSON.stringify({ source: "chat" }))).toBe(true);

		const search = await post(user.key, "/v3/memories/search/", { query: "vegetarian", filters: { user_id: "carol" } });
		expect((await search.json<{ results: { memory: string }[] }>()).results[0]?.memory).toBe("I am vegetarian.");
	});

	it("bills the extraction's model call to the owner's key", async () => {
		const res = await post(user.key, "/v3/memories/add/", { user_id: "dan", messages: "I own two cats." });
		const { event_id } = await res.json<{ event_id: string }>();
		expect((await settled(user.key, event_id)).status).toBe("SUCCEEDED");
		const until = Date.now() + 8_000;
		let row: Record<string, unknown> | null = null;
		while (!row && Date.now() < until) {
			row = await env.DB.prepare("SELECT * FROM usage_logs WHERE request_id LIKE ?1 AND model = 'mock-chat'").bind(`${event_id}-extract-%`).first();
			if (!row) await new Promise((r) => setTimeout(r, 100));
		}
		expect(row).toMatchObject({ token_id: user.keyId, user_id: user.userId, endpoint: "/mem0/v3/memories/add/", status: 200 });
		expect(Number(row?.prompt_tokens)).toBeGreaterThan(0);
	});

	it("does not add the facts twice when the message is delivered again", async () => {
		const res = await post(user.key, "/v3/memories/add/", { user_id: "erin", messages: "I speak Finnish." });
		const { event_id } = await res.json<{ event_id: string }>();
		const first = await settled(user.key, event_id);
		expect(first.results).toHaveLength(1);

		const result = await deliver(
			{
				event_id,
				owner_id: user.userId,
				key_id: user.keyId,
				messages: [{ role: "user", content: "I speak Finnish." }],
				entities: { user_id: "erin" },
				metadata: null,
			},
			2,
		);
		expect(result.explicitAcks).toEqual([`m-${event_id}`]);
		expect(await event(user.key, event_id)).toEqual(first);
		const list = await post(user.key, "/v3/memories/", { filters: { user_id: "erin" } });
		expect((await list.json<{ count: number }>()).count).toBe(1);
	});

	it("adds nothing twice when a delivery stored the memories and stopped before finishing the event", async () => {
		const { id } = await recordEvent(env, user.userId, "PENDING", {}, null);
		const body: MemoryMessage = {
			event_id: id,
			owner_id: user.userId,
			key_id: user.keyId,
			messages: [{ role: "user", content: "I grow tomatoes. I sail on weekends." }],
			entities: { user_id: "quinn" },
			metadata: null,
		};
		const listed = async () => {
			const res = await post(user.key, "/v3/memories/", { filters: { user_id: "quinn" } });
			return (await res.json<{ results: { id: string; memory: string }[] }>()).results.map((m) => [m.id, m.memory]).sort();
		};
		// The first delivery stops right after storing the facts: no vector index to write to (as if the Worker died there).
		const first = await deliver(body, 1, env.MEMORY_MODEL, { VECTOR_INDEX: "vectorize" });
		expect(first.retryMessages).toEqual([expect.objectContaining({ msgId: `m-${id}` })]);
		const stored = await listed();
		expect(stored.map(([, memory]) => memory).sort()).toEqual(["I grow tomatoes.", "I sail on weekends."]);
		expect((await event(user.key, id)).status).toBe("RUNNING");

		const second = await deliver(body, 2);
		expect(second.explicitAcks).toEqual([`m-${id}`]);
		expect(await listed()).toEqual(stored);
		const done = await event(user.key, id);
		expect(done.status).toBe("SUCCEEDED");
		expect(done.results.map((r) => [r.id, r.data.memory, r.event]).sort()).toEqual(stored.map(([mid, memory]) => [mid, memory, "ADD"]));
		// The resumed delivery indexed them: a misspelt word, which only the vectors can match, finds one.
		const search = await post(user.key, "/v3/memories/search/", { query: "tomattoes", filters: { user_id: "quinn" }, keyword_search: false });
		expect((await search.json<{ results: { memory: string }[] }>()).results[0]?.memory).toBe("I grow tomatoes.");
	});

	it("retries a reply that is not the JSON asked for, then FAILS the event with the reason, adding nothing", async () => {
		// A channel whose model answers prose ("Hi there, from the upstream."), never {"facts": [...]}.
		const model = `prose-${uid()}`;
		await createChannel({ base_url: upstream(uid(), "ok"), models: [model] });
		const { id } = await recordEvent(env, user.userId, "PENDING", {}, null);
		const body: MemoryMessage = {
			event_id: id,
			owner_id: user.userId,
			key_id: user.keyId,
			messages: [{ role: "user", content: "I live in Oslo." }],
			entities: { user_id: "frank" },
			metadata: null,
		};

		for (const attempts of [1, 2, 3]) {
			const result = await deliver(body, attempts, model);
			expect(result.retryMessages).toEqual([expect.objectContaining({ msgId: `m-${id}` })]);
			expect((await event(user.key, id)).status).toBe("PENDING");
		}
		const last = await deliver(body, 4, model);
		expect(last.explicitAcks).toEqual([`m-${id}`]);
		const failed = await event(user.key, id);
		expect(failed.status).toBe("FAILED");
		expect(failed.results).toEqual([]);
		expect(failed.error).toBe(`Extraction failed after 4 tries: ${model} did not answer with the JSON asked for: "Hi there, from the upstream."`);
		const list = await post(user.key, "/v3/memories/", { filters: { user_id: "frank" } });
		expect((await list.json<{ count: number }>()).count).toBe(0);
	});

	it("extracts with the user's own memory model when the operator set one (users.memory_model), else MEMORY_MODEL", async () => {
		// A second model on the offline mock channel, which answers the extraction whatever its name.
		const model = `memory-model-${uid()}`;
		await createChannel({ type: "mock", models: [model] });
		const created = await admin("POST", "/api/users", { name: `mem-${uid()}`, memory_model: model });
		expect(created.status).toBe(201);
		const user = await created.json<{ id: number; memory_model: string | null }>();
		expect(user.memory_model).toBe(model);
		const { key } = await createKey({ user_id: user.id });
		const modelOf = async (eventId: string) => {
			const until = Date.now() + 8_000;
			for (;;) {
				const row = await env.DB.prepare("SELECT model FROM usage_logs WHERE request_id LIKE ?1").bind(`${eventId}-extract-%`).first<{ model: string }>();
				if (row) return row.model;
				if (Date.now() > until) throw new Error(`no usage row for ${eventId}`);
				await new Promise((r) => setTimeout(r, 100));
			}
		};
		const extractWith = async (entity: string) => {
			const res = await post(key, "/v3/memories/add/", { user_id: entity, messages: "I collect stamps." });
			const { event_id } = await res.json<{ event_id: string }>();
			const done = await settled(key, event_id);
			expect(done.results.map((r) => r.data.memory)).toEqual(["I collect stamps."]);
			return modelOf(event_id);
		};
		expect(await extractWith("ola")).toBe(model);

		const cleared = await admin("PATCH", `/api/users/${user.id}`, { memory_model: null });
		expect(await cleared.json()).toMatchObject({ memory_model: null });
		expect(await extractWith("per")).toBe(env.MEMORY_MODEL);
	});

	it("supersedes an older memory of the same entity that a new fact changes: hidden from list and search, kept in history", async () => {
		const add = async (user_id: string, messages: string) => {
			const res = await post(user.key, "/v3/memories/add/", { user_id, messages });
			return settled(user.key, (await res.json<{ event_id: string }>()).event_id);
		};
		const first = await add("gina", "My favourite city is Lisbon. I play tennis on Sundays.");
		const lisbon = first.results.find((r) => r.data.memory === "My favourite city is Lisbon.")?.id ?? "";
		// The same words for another entity of the same owner: not gina's memory, not superseded.
		await add("hugo", "My favourite city is Rome.");

		// The mock's consolidation takes the same first three words for the same subject.
		const second = await add("gina", "My favourite city is Porto.");
		expect(second.status).toBe("SUCCEEDED");
		expect(second.results).toEqual([
			{ id: expect.any(String), data: { memory: "My favourite city is Porto." }, event: "ADD" },
			{ id: lisbon, data: { memory: "My favourite city is Porto." }, previous_memory: "My favourite city is Lisbon.", event: "UPDATE" },
		]);

		const list = await post(user.key, "/v3/memories/", { filters: { user_id: "gina" } });
		expect((await list.json<{ results: { memory: string }[] }>()).results.map((m) => m.memory).sort()).toEqual([
			"I play tennis on Sundays.",
			"My favourite city is Porto.",
		]);
		const search = await post(user.key, "/v3/memories/search/", { query: "favourite city Lisbon", filters: { user_id: "gina" } });
		expect((await search.json<{ results: { memory: string }[] }>()).results.map((m) => m.memory)).not.toContain("My favourite city is Lisbon.");
		expect((await get(user.key, `/v1/memories/${lisbon}/`)).status).toBe(404);
		const history = await (await get(user.key, `/v1/memories/${lisbon}/history/`)).json<
			{ event: string; old_memory: string | null; new_memory: string | null }[]
		>();
		expect(history.map((h) => [h.event, h.old_memory, h.new_memory])).toEqual([
			["ADD", null, "My favourite city is Lisbon."],
			["UPDATE", "My favourite city is Lisbon.", "My favourite city is Porto."],
		]);

		const rome = await post(user.key, "/v3/memories/", { filters: { user_id: "hugo" } });
		expect((await rome.json<{ results: { memory: string }[] }>()).results.map((m) => m.memory)).toEqual(["My favourite city is Rome."]);
	});
});
