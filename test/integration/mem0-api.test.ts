import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { vectorIndex } from "../../src/knowledge/vector-index";
import { call, createChannel, createKey, uid } from "../support/gateway";
import { get, newOwner, post, token } from "../support/mem0-api";

interface Memory {
	id: string;
	memory: string;
	user_id: string | null;
	agent_id: string | null;
	metadata: Record<string, unknown> | null;
	created_at: string;
	updated_at: string;
	score?: number;
}
interface AddAnswer {
	status: string;
	event_id: string;
	results: { id: string; data: { memory: string }; event: string }[];
}
interface ListAnswer {
	count: number;
	next: string | null;
	previous: string | null;
	results: Memory[];
}

/** The header the mem0ai client sends. */

async function add(key: string, body: Record<string, unknown>): Promise<AddAnswer> {
	const res = await post(key, "/v3/memories/add/", { infer: false, ...body });
	expect(res.status).toBe(200);
	return res.json<AddAnswer>();
}

const say = (...texts: string[]) => texts.map((content) => ({ role: "user", content }));

describe("Mem0's platform API at /mem0", () => {
	let key: string;
	let owner: number;
	let other: string;
	let alice: AddAnswer;

	beforeAll(async () => {
		// The offline mock channel embeds: texts that share words get similar vectors.
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		({ key, userId: owner } = await newOwner());
		other = (await newOwner()).key;
		alice = await add(key, {
			user_id: "alice",
			metadata: { source: "onboarding" },
			messages: [
				...say("I am allergic to peanuts", "My favourite city is Lisbon"),
				{ role: "user", content: "   " },
				{ role: "assistant", content: "I work as a nurse at the night shift" },
			],
		});
		await add(key, { user_id: "bob", messages: say("I play the cello in an orchestra") });
		await add(key, { agent_id: "travel-bot", messages: say("Prefers window seats on long flights") });
	});

	it("answers the client's ping, with the Token scheme or Bearer", async () => {
		const res = await get(key, "/v1/ping/");
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ status: "ok" });
		const bearer = await call("/mem0/v1/ping/", { headers: { Authorization: `Bearer ${key}` } });
		expect(bearer.status).toBe(200);
	});

	it("refuses a missing or unknown key with 401 in Mem0's error format", async () => {
		const none = await call("/mem0/v1/ping/");
		expect(none.status).toBe(401);
		expect(await none.json()).toMatchObject({ detail: expect.stringContaining("Token <key>") });
		const wrong = await get("sk-not-a-key", "/v1/ping/");
		expect(wrong.status).toBe(401);
		expect(await wrong.json()).toMatchObject({ detail: expect.any(String) });
	});

	it("stores each non-empty message verbatim with infer:false, and reports the event", async () => {
		expect(alice.status).toBe("SUCCEEDED");
		expect(alice.results.map((r) => [r.data.memory, r.event])).toEqual([
			["I am allergic to peanuts", "ADD"],
			["My favourite city is Lisbon", "ADD"],
			["I work as a nurse at the night shift", "ADD"],
		]);
		const event = await get(key, `/v1/event/${alice.event_id}/`);
		expect(event.status).toBe(200);
		expect(await event.json()).toMatchObject({ id: alice.event_id, status: "SUCCEEDED", results: alice.results });
	});

	it("embeds what it stores through the relay, billed to the key's user", async () => {
		const until = Date.now() + 8_000;
		let row: Record<string, unknown> | null = null;
		while (row === null && Date.now() < until) {
			row = await env.DB.prepare("SELECT model, status, user_id FROM usage_logs WHERE endpoint = '/mem0/v3/memories/add/' AND user_id = ?1 LIMIT 1")
				.bind(owner)
				.first();
			if (row === null) await new Promise((r) => setTimeout(r, 100));
		}
		expect(row).toMatchObject({ model: "mock-embedding", status: 200, user_id: owner });
	});

	it("indexes each memory's vector in its owner's namespace, with its entity ids", async () => {
		const ids = alice.results.map((r) => r.id);
		const stored = await vectorIndex(env, 512).getByIds(ids);
		expect(stored.map((v) => [v.id, v.namespace, v.metadata])).toEqual(ids.map((id) => [id, `mem_${owner}`, { user_id: "alice" }]));
	});

	it("refuses an add or a list that names no entity (400)", async () => {
		const res = await post(key, "/v3/memories/add/", { infer: false, messages: say("Orphan fact") });
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({ detail: expect.stringContaining("user_id") });
		expect((await post(key, "/v3/memories/", { filters: {} })).status).toBe(400);
		expect((await post(key, "/v3/memories/", { filters: { user_id: 7 } })).status).toBe(400);
		// More values than D1 binds in one statement: refused, not a 500.
		const many = { OR: Array.from({ length: 20 }, (_, i) => ({ user_id: { in: Array.from({ length: 10 }, (_, j) => `u${i}-${j}`) } })) };
		const tooMany = await post(key, "/v3/memories/search/", { query: "peanuts", filters: many });
		expect(tooMany.status).toBe(400);
		expect(await tooMany.json()).toMatchObject({ detail: expect.stringContaining("filters") });
	});

	it("lists an entity's memories with Mem0's filters and pages", async () => {
		const res = await post(key, "/v3/memories/", { filters: { AND: [{ user_id: "alice" }] }, page: 1, page_size: 2 });
		expect(res.status).toBe(200);
		const page = await res.json<ListAnswer>();
		expect(page.count).toBe(3);
		expect(page.results).toHaveLength(2);
		expect(page.next).toContain("page=2");
		expect(page.previous).toBeNull();
		expect(page.results[0]).toMatchObject({ user_id: "alice", metadata: { source: "onboarding" } });
		const either = await post(key, "/v3/memories/", { filters: { OR: [{ user_id: "bob" }, { agent_id: "travel-bot" }] } });
		expect((await either.json<ListAnswer>()).results.map((m) => m.memory).sort()).toEqual([
			"I play the cello in an orchestra",
			"Prefers window seats on long flights",
		]);
		const future = await post(key, "/v3/memories/", { filters: { AND: [{ user_id: "alice" }, { created_at: { gte: "2999-01-01" } }] } });
		expect((await future.json<ListAnswer>()).count).toBe(0);
	});

	it("searches an entity's memories, the relevant one first, with scores in [0, 1]", async () => {
		const res = await post(key, "/v3/memories/search/", { query: "what food allergies does she have? peanuts", filters: { user_id: "alice" } });
		expect(res.status).toBe(200);
		const { results } = await res.json<{ results: Memory[] }>();
		expect(results[0]?.memory).toBe("I am allergic to peanuts");
		for (const r of results) {
			expect(r.user_id).toBe("alice");
			expect(r.score).toBeGreaterThanOrEqual(0);
			expect(r.score).toBeLessThanOrEqual(1);
		}
		const top = await post(key, "/v3/memories/search/", { query: "Lisbon", user_id: "alice", top_k: 1 });
		expect((await top.json<{ results: Memory[] }>()).results.map((r) => r.memory)).toEqual(["My favourite city is Lisbon"]);
	});

	it("finds an entity's memory by its vector even when the owner's other entities have 100 nearer ones", async () => {
		const { key: crowded } = await newOwner();
		const crowd = Array.from({ length: 110 }, (_, i) => `violoncello ${i}`);
		await add(crowded, { user_id: "crowd", messages: say(...crowd) });
		await add(crowded, { user_id: "zed", messages: say("Zed plays the violoncello in a quartet") });
		// Misspelt: no word matches for BM25, only the embedding (the mock's character trigrams) finds it.
		const res = await post(crowded, "/v3/memories/search/", { query: "violoncelo", filters: { user_id: "zed" } });
		expect((await res.json<{ results: Memory[] }>()).results.map((r) => r.memory)).toEqual(["Zed plays the violoncello in a quartet"]);
		expect((await call("/mem0/v1/memories/?user_id=crowd", { method: "DELETE", headers: token(crowded) })).status).toBe(200);
		expect((await (await post(crowded, "/v3/memories/", { filters: { user_id: "crowd" } })).json<ListAnswer>()).count).toBe(0);
		const history = await (await get(crowded, `/v1/memories/${(await add(crowded, { user_id: "crowd", messages: say("x") })).results[0]?.id}/history/`)).json<
			unknown[]
		>();
		expect(history).toHaveLength(1);
	});

	it("gets, updates (history shows it) and deletes one memory", async () => {
		const id = alice.results[1]?.id ?? "";
		const got = await get(key, `/v1/memories/${id}/`);
		expect(await got.json()).toMatchObject({ id, memory: "My favourite city is Lisbon", user_id: "alice" });
		const put = await call(`/mem0/v1/memories/${id}/`, { method: "PUT", headers: token(key), body: JSON.stringify({ text: "My favourite city is Porto" }) });
		expect(put.status).toBe(200);
		expect(await put.json()).toMatchObject({ id, memory: "My favourite city is Porto" });
		const found = await post(key, "/v3/memories/search/", { query: "Porto", filters: { user_id: "alice" }, top_k: 1 });
		expect((await found.json<{ results: Memory[] }>()).results[0]?.id).toBe(id);
		const del = await call(`/mem0/v1/memories/${id}/`, { method: "DELETE", headers: token(key) });
		expect(del.status).toBe(200);
		expect(await del.json()).toMatchObject({ message: expect.any(String) });
		expect((await get(key, `/v1/memories/${id}/`)).status).toBe(404);
		expect(await vectorIndex(env, 512).getByIds([id])).toEqual([]);
		const history = await get(key, `/v1/memories/${id}/history/`);
		expect(history.status).toBe(200);
		expect(
			(await history.json<{ event: string; old_memory: string | null; new_memory: string | null }[]>()).map((h) => [h.event, h.old_memory, h.new_memory]),
		).toEqual([
			["ADD", null, "My favourite city is Lisbon"],
			["UPDATE", "My favourite city is Lisbon", "My favourite city is Porto"],
			["DELETE", "My favourite city is Porto", null],
		]);
	});

	it("shows another user's key none of it: 404 for each memory and event, nothing listed or searched", async () => {
		const id = alice.results[0]?.id ?? "";
		expect((await get(other, `/v1/memories/${id}/`)).status).toBe(404);
		expect(await (await get(other, `/v1/memories/${id}/`)).json()).toMatchObject({ detail: expect.any(String) });
		expect((await get(other, `/v1/memories/${id}/history/`)).status).toBe(404);
		expect((await get(other, `/v1/event/${alice.event_id}/`)).status).toBe(404);
		expect((await call(`/mem0/v1/memories/${id}/`, { method: "PUT", headers: token(other), body: JSON.stringify({ text: "x" }) })).status).toBe(404);
		expect((await call(`/mem0/v1/memories/${id}/`, { method: "DELETE", headers: token(other) })).status).toBe(404);
		expect((await (await post(other, "/v3/memories/", { filters: { user_id: "alice" } })).json<ListAnswer>()).count).toBe(0);
		const search = await post(other, "/v3/memories/search/", { query: "peanuts", filters: { user_id: "alice" } });
		expect((await search.json<{ results: Memory[] }>()).results).toEqual([]);
		expect((await (await get(other, "/v1/entities/")).json<ListAnswer>()).count).toBe(0);
		await call("/mem0/v1/memories/?user_id=alice", { method: "DELETE", headers: token(other) });
		expect((await get(key, `/v1/memories/${id}/`)).status).toBe(200);
	});

	it("changes and deletes memories in a batch, all of them the caller's or none", async () => {
		const { key: mine } = await newOwner();
		const added = await add(mine, { user_id: "erin", messages: say("Erin drinks tea", "Erin owns a cat") });
		const [tea, cat] = added.results.map((r) => r.id);
		const theirs = alice.results[0]?.id;
		const send = (k: string, method: string, body: unknown) => call("/mem0/v1/batch/", { method, headers: token(k), body: JSON.stringify(body) });
		const refused = await send(mine, "PUT", {
			memories: [
				{ memory_id: tea, text: "Erin drinks coffee" },
				{ memory_id: theirs, text: "x" },
			],
		});
		expect(refused.status).toBe(404);
		expect(await (await get(mine, `/v1/memories/${tea}/`)).json()).toMatchObject({ memory: "Erin drinks tea" });
		expect((await send(mine, "PUT", { memories: [{ memory_id: tea, text: "Erin drinks coffee" }] })).status).toBe(200);
		const history = await (await get(mine, `/v1/memories/${tea}/history/`)).json<{ event: string; new_memory: string | null }[]>();
		expect(history.map((h) => [h.event, h.new_memory])).toEqual([
			["ADD", "Erin drinks tea"],
			["UPDATE", "Erin drinks coffee"],
		]);
		const found = await post(mine, "/v3/memories/search/", { query: "coffee", user_id: "erin" });
		expect((await found.json<{ results: Memory[] }>()).results[0]?.id).toBe(tea);
		expect((await send(mine, "DELETE", { memories: [{ memory_id: tea }, { memory_id: cat }] })).status).toBe(200);
		expect((await (await post(mine, "/v3/memories/", { user_id: "erin" })).json<ListAnswer>()).count).toBe(0);
		expect((await send(mine, "DELETE", { memories: [] })).status).toBe(400);
	});

	it("lists the entities, and deletes all of an entity's memories", async () => {
		const entities = await (await get(key, "/v1/entities/")).json<{ results: { id: string; type: string; total_memories: number }[] }>();
		expect(entities.results).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ id: "alice", type: "user", total_memories: 2 }),
				expect.objectContaining({ id: "bob", type: "user", total_memories: 1 }),
				expect.objectContaining({ id: "travel-bot", type: "agent", total_memories: 1 }),
			]),
		);
		const all = await call("/mem0/v1/memories/?user_id=alice", { method: "DELETE", headers: token(key) });
		expect(all.status).toBe(200);
		expect((await (await post(key, "/v3/memories/", { filters: { user_id: "alice" } })).json<ListAnswer>()).count).toBe(0);
		const search = await post(key, "/v3/memories/search/", { query: "peanuts", filters: { user_id: "alice" } });
		expect((await search.json<{ results: Memory[] }>()).results).toEqual([]);
		const entity = await call("/mem0/v2/entities/agent/travel-bot/", { method: "DELETE", headers: token(key) });
		expect(entity.status).toBe(200);
		const left = await (await get(key, "/v1/entities/")).json<{ results: { id: string }[] }>();
		expect(left.results.map((e) => e.id)).toEqual(["bob"]);
	});

	it("refuses a bulk delete that names no entity, a body over the limit and an unknown route, in Mem0's format", async () => {
		expect((await call("/mem0/v1/memories/", { method: "DELETE", headers: token(key) })).status).toBe(400);
		const big = await post(key, "/v3/memories/add/", { infer: false, user_id: "dan", messages: say("x".repeat(70_000)) });
		expect(big.status).toBe(413);
		expect(await big.json()).toMatchObject({ detail: expect.any(String) });
		const missing = await get(key, "/v9/nothing/");
		expect(missing.status).toBe(404);
		expect(await missing.json()).toMatchObject({ detail: expect.any(String) });
	});

	it("refuses a key over its rate limit with 429 in Mem0's format (its embeddings are requests of the key)", async () => {
		const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`mem-${uid()}`).first<{ id: number }>();
		const { key: limited } = await createKey({ user_id: user?.id, rpm: 1 });
		// Two questions: an embedding already made is cached, and a cached one asks no channel.
		const search = (query: string) => post(limited, "/v3/memories/search/", { query, filters: { user_id: "ann" } });
		expect((await search("where does she live?")).status).toBe(200);
		const refused = await search("what does she do for a living?");
		expect(refused.status).toBe(429);
		expect(refused.headers.get("retry-after")).not.toBeNull();
		expect(await refused.json()).toMatchObject({ detail: expect.stringMatching(/rate|limit/i) });
	});
});

describe("Mem0's paths without their trailing slash", () => {
	it("answer as with it: ping, add, list, get", async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		const { key } = await newOwner();
		const ping = await call("/mem0/v1/ping", { headers: token(key) });
		expect(ping.status).toBe(200);
		expect(await ping.json()).toMatchObject({ status: "ok" });
		const added = await call("/mem0/v3/memories/add", {
			method: "POST",
			headers: token(key),
			body: JSON.stringify({ infer: false, user_id: "sam", messages: say("Sam rows on Saturdays") }),
		});
		expect(added.status).toBe(200);
		const id = (await added.json<AddAnswer>()).results[0]?.id ?? "";
		const list = await call("/mem0/v3/memories?page=1", { method: "POST", headers: token(key), body: JSON.stringify({ filters: { user_id: "sam" } }) });
		expect((await list.json<ListAnswer>()).results.map((m) => m.id)).toEqual([id]);
		const got = await call(`/mem0/v1/memories/${id}`, { headers: token(key) });
		expect(await got.json()).toMatchObject({ id, memory: "Sam rows on Saturdays" });
		// Still 404 for what is no route at all, and still 401 without a key.
		expect((await call("/mem0/v9/nothing", { headers: token(key) })).status).toBe(404);
		expect((await call("/mem0/v1/ping")).status).toBe(401);
	});
});
