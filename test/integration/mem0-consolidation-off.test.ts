import { createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MEMORY_QUEUE, type MemoryMessage } from "../../queues/memory-message";
import { recordEvent } from "../../src/memory/events";
import { consumeMemory } from "../../src/memory/extract";
import { createChannel } from "../support/gateway";
import { get, newOwner, type Owner, post } from "../support/mem0-api";

interface EventAnswer {
	status: string;
	results: { id: string; data: { memory: string }; event: string; previous_memory?: string }[];
}

describe("MEMORY_CONSOLIDATION off: Mem0 v3's add-only behaviour", () => {
	let user: Owner;

	beforeAll(async () => {
		// The offline mock channel answers the extraction (each stated user sentence is a fact) and embeds.
		await createChannel({ type: "mock", models: ["mock-chat", "mock-embedding"] });
		user = await newOwner();
	});

	/** One infer true add of `content` for `entity`, extracted by the consumer under `consolidation`; its finished event. */
	async function add(entity: string, content: string, consolidation: string): Promise<EventAnswer> {
		const { id } = await recordEvent(env, user.userId, "PENDING", {}, null);
		const body: MemoryMessage = {
			event_id: id,
			owner_id: user.userId,
			key_id: user.keyId,
			messages: [{ role: "user", content }],
			entities: { user_id: entity },
			metadata: null,
		};
		const batch = createMessageBatch(MEMORY_QUEUE, [{ id: `m-${id}`, timestamp: new Date(), attempts: 1, body }]);
		const ctx = createExecutionContext();
		await consumeMemory(batch, { ...env, MEMORY_CONSOLIDATION: consolidation }, ctx);
		await waitOnExecutionContext(ctx);
		const res = await get(user.key, `/v1/event/${id}/`);
		expect(res.status).toBe(200);
		return res.json<EventAnswer>();
	}

	it("keeps a contradicted fact current: listed, searched and without an UPDATE in its history", async () => {
		const first = await add("ines", "My favourite city is Lisbon.", "on");
		const lisbon = first.results[0]?.id ?? "";
		// With consolidation on, the mock takes the same first three words for the same subject and would supersede it.
		const second = await add("ines", "My favourite city is Porto.", "off");
		expect(second.status).toBe("SUCCEEDED");
		expect(second.results).toEqual([{ id: expect.any(String), data: { memory: "My favourite city is Porto." }, event: "ADD" }]);

		const list = await post(user.key, "/v3/memories/", { filters: { user_id: "ines" } });
		expect((await list.json<{ results: { memory: string }[] }>()).results.map((m) => m.memory).sort()).toEqual([
			"My favourite city is Lisbon.",
			"My favourite city is Porto.",
		]);
		const search = await post(user.key, "/v3/memories/search/", { query: "favourite city", filters: { user_id: "ines" } });
		expect((await search.json<{ results: { memory: string }[] }>()).results.map((m) => m.memory).sort()).toEqual([
			"My favourite city is Lisbon.",
			"My favourite city is Porto.",
		]);
		expect((await get(user.key, `/v1/memories/${lisbon}/`)).status).toBe(200);
		const history = await (await get(user.key, `/v1/memories/${lisbon}/history/`)).json<{ event: string }[]>();
		expect(history.map((h) => h.event)).toEqual(["ADD"]);
	});

	it("leaves the default on: the same contradiction supersedes the older fact", async () => {
		expect(env.MEMORY_CONSOLIDATION).toBe("on");
		const first = await add("jon", "My favourite city is Lisbon.", env.MEMORY_CONSOLIDATION);
		const second = await add("jon", "My favourite city is Porto.", env.MEMORY_CONSOLIDATION);
		expect(second.results.map((r) => [r.event, r.data.memory, r.previous_memory])).toEqual([
			["ADD", "My favourite city is Porto.", undefined],
			["UPDATE", "My favourite city is Porto.", "My favourite city is Lisbon."],
		]);
		expect((await get(user.key, `/v1/memories/${first.results[0]?.id ?? ""}/`)).status).toBe(404);
	});
});
