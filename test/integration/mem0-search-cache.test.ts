// Memory searches served again (src/memory/search-cache.ts): the same search twice embeds its query once; any write
// to the entity's memories, wherever it comes from, is seen by the next search; other entities and other owners are
// untouched; MEMORY_SEARCH_CACHE_SECONDS=0 turns it off.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src";
import { beginPurge, continuePurge } from "../../src/privacy/purge";
import { TEST_ADMIN_TOKEN } from "../support/constants";
import { call, createChannel, uid, upstream, upstreamLog } from "../support/gateway";
import { get, newOwner, type Owner, post, token } from "../support/mem0-api";

interface Hit {
	id: string;
	memory: string;
}

describe("memory searches served again until their entity's memories change", () => {
	const tag = uid();
	// Embedded by a loopback upstream whose log counts the calls (the offline mock channel keeps none).
	const model = `mem-cache-embedding-${tag}`;
	const cached = { ...env, MEMORY_EMBEDDING_MODEL: model };
	const uncached = { ...cached, MEMORY_SEARCH_CACHE_SECONDS: "0" };
	let owner: Owner;

	async function send(key: string, method: string, path: string, body?: unknown, vars: Env = cached): Promise<Response> {
		const init = { method, headers: token(key), ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
		const ctx = createExecutionContext();
		const res = await worker.fetch(new Request(`http://gateway.test/mem0${path}`, init), vars, ctx);
		await waitOnExecutionContext(ctx);
		expect(res.status, await res.clone().text()).toBe(200);
		return res;
	}

	/** One memory per add: the loopback upstream answers one embedding a call. */
	async function add(key: string, entities: Record<string, string>, text: string, vars: Env = cached): Promise<string> {
		const res = await send(key, "POST", "/v3/memories/add/", { infer: false, ...entities, messages: [{ role: "user", content: text }] }, vars);
		const [added] = (await res.json<{ results: { id: string }[] }>()).results;
		if (!added) throw new Error("nothing added");
		return added.id;
	}

	async function search(key: string, filters: Record<string, unknown>, query = "tea", vars: Env = cached): Promise<string[]> {
		const res = await send(key, "POST", "/v3/memories/search/", { query, filters, threshold: 0 }, vars);
		return (await res.json<{ results: Hit[] }>()).results.map((h) => h.memory).sort();
	}

	/** Memory search cache lookups by result, as /metrics counts them. */
	async function lookups(): Promise<Record<string, number>> {
		const res = await call("/metrics", { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
		const out: Record<string, number> = { hit: 0, miss: 0 };
		for (const m of (await res.text()).matchAll(/^cache_requests_total\{cache="memory_search",result="(\w+)"\} (\S+)$/gm)) {
			if (m[1]) out[m[1]] = Number(m[2]);
		}
		return out;
	}

	const embeddings = async () => (await upstreamLog(tag)).filter((r) => r.path.endsWith("/embeddings")).length;

	/**
	 * A query embedded before comes from the gateway's embedding cache (D1) and costs no upstream call, cached search
	 * or not: forgetting it first makes any search that is not served again call the upstream.
	 */
	async function embeddingsOf(run: () => Promise<unknown>): Promise<number> {
		await env.DB.prepare("DELETE FROM embedding_cache WHERE model = ?1").bind(model).run();
		const before = await embeddings();
		await run();
		return (await embeddings()) - before;
	}

	beforeAll(async () => {
		await createChannel({ base_url: upstream(tag, "ok"), models: [model] });
		owner = await newOwner();
	});

	it("embeds the query of the same search once, and shows an add to the entity at once", async () => {
		await add(owner.key, { user_id: "ann" }, "Ann drinks green tea");
		const before = await lookups();
		expect(await embeddingsOf(() => search(owner.key, { user_id: "ann" }))).toBe(1);
		let again: string[] = [];
		expect(await embeddingsOf(async () => (again = await search(owner.key, { user_id: "ann" })))).toBe(0);
		expect(again).toEqual(["Ann drinks green tea"]);
		expect(await lookups()).toEqual({ hit: (before.hit ?? 0) + 1, miss: (before.miss ?? 0) + 1 });
		// A different query, limit or threshold is another search.
		expect(await embeddingsOf(() => search(owner.key, { user_id: "ann" }, "coffee"))).toBe(1);

		await add(owner.key, { user_id: "ann" }, "Ann takes her tea without sugar");
		expect(await embeddingsOf(async () => (again = await search(owner.key, { user_id: "ann" })))).toBe(1);
		expect(again).toEqual(["Ann drinks green tea", "Ann takes her tea without sugar"]);
	});

	type Shown = { memory: string; metadata: unknown };
	const writes: [string, (id: string, user: string) => Promise<unknown>, (text: string) => Shown[]][] = [
		["update", (id) => send(owner.key, "PUT", `/v1/memories/${id}/`, { text: "changed tea" }), () => [{ memory: "changed tea", metadata: null }]],
		[
			"batch update",
			(id) => send(owner.key, "PUT", "/v1/batch/", { memories: [{ memory_id: id, text: "changed tea" }] }),
			() => [{ memory: "changed tea", metadata: null }],
		],
		// No new text, so no new vector: the bump in the update's own batch is the one that counts.
		["metadata update", (id) => send(owner.key, "PUT", `/v1/memories/${id}/`, { metadata: { k: 1 } }), (text) => [{ memory: text, metadata: { k: 1 } }]],
		["delete", (id) => send(owner.key, "DELETE", `/v1/memories/${id}/`), () => []],
		["batch delete", (id) => send(owner.key, "DELETE", "/v1/batch/", { memories: [{ memory_id: id }] }), () => []],
		["delete all", (_, user) => send(owner.key, "DELETE", `/v1/memories/?user_id=${user}`), () => []],
		["entity delete", (_, user) => send(owner.key, "DELETE", `/v2/entities/user/${user}/`), () => []],
	];

	it.each(writes)("%s: seen by the next search", async (_, write, shown) => {
		const user = `u-${uid()}`;
		const text = `${user} likes tea`;
		const id = await add(owner.key, { user_id: user }, text);
		expect(await search(owner.key, { user_id: user })).toEqual([text]);
		await write(id, user);
		const res = await send(owner.key, "POST", "/v3/memories/search/", { query: "tea", filters: { user_id: user }, threshold: 0 });
		const hits = (await res.json<{ results: Shown[] }>()).results;
		expect(hits.map((h) => ({ memory: h.memory, metadata: h.metadata }))).toEqual(shown(text));
	});

	it("keeps serving a search when another entity's memories change", async () => {
		await add(owner.key, { user_id: "bea" }, "Bea brews tea");
		await search(owner.key, { user_id: "bea" });
		await add(owner.key, { user_id: "cid" }, "Cid brews tea");
		await send(owner.key, "DELETE", "/v1/memories/?user_id=cid");
		expect(await embeddingsOf(() => search(owner.key, { user_id: "bea" }))).toBe(0);
	});

	it("stales searches by any entity of a memory written, and a search over several entities by a write to any", async () => {
		await add(owner.key, { user_id: "dee", agent_id: "butler" }, "Dee wants tea at five");
		expect(await search(owner.key, { agent_id: "butler" })).toEqual(["Dee wants tea at five"]);
		const either = { OR: [{ user_id: "eve" }, { user_id: "fay" }] };
		expect(await search(owner.key, either)).toEqual([]);

		// Deleting by the user id stales the search by the agent id the memory also had.
		await send(owner.key, "DELETE", "/v1/memories/?user_id=dee");
		expect(await search(owner.key, { agent_id: "butler" })).toEqual([]);
		await add(owner.key, { user_id: "fay" }, "Fay hates tea");
		expect(await search(owner.key, either)).toEqual(["Fay hates tea"]);
		// A filter no entity list covers (any user) is staled by any write of the owner's.
		expect(await search(owner.key, { user_id: "*" })).toContain("Fay hates tea");
		await add(owner.key, { user_id: "gil" }, "Gil grows tea");
		expect(await search(owner.key, { user_id: "*" })).toContain("Gil grows tea");
	});

	it("never serves one owner's search to another owner", async () => {
		const other = await newOwner();
		await add(owner.key, { user_id: "hal" }, "Hal's tea is oolong");
		await add(other.key, { user_id: "hal" }, "Hal's tea is matcha");
		expect(await search(owner.key, { user_id: "hal" })).toEqual(["Hal's tea is oolong"]);
		let theirs: string[] = [];
		expect(await embeddingsOf(async () => (theirs = await search(other.key, { user_id: "hal" })))).toBe(1);
		expect(theirs).toEqual(["Hal's tea is matcha"]);
	});

	it("serves nothing again with MEMORY_SEARCH_CACHE_SECONDS=0", async () => {
		await add(owner.key, { user_id: "ivo" }, "Ivo sells tea", uncached);
		expect(await embeddingsOf(() => search(owner.key, { user_id: "ivo" }, "tea", uncached))).toBe(1);
		expect(await embeddingsOf(() => search(owner.key, { user_id: "ivo" }, "tea", uncached))).toBe(1);
	});

	it("forgets the entity ids a purge leaves in the generations, and moves the owner's epoch", async () => {
		const gone = await newOwner();
		await add(gone.key, { user_id: "jo", agent_id: "butler" }, "Jo drinks tea");
		const scopes = () =>
			env.DB.prepare("SELECT scope, generation FROM memory_search_generations WHERE owner_id = ?1 ORDER BY scope")
				.bind(gone.userId)
				.all<{ scope: string; generation: number }>();
		expect((await scopes()).results.map((r) => r.scope)).toEqual(["*", "agent_id:butler", "user_id:jo"]);
		await beginPurge(env, gone.userId);
		expect((await continuePurge(env, gone.userId, 100)).done).toBe(true);
		const [epoch, ...rest] = (await scopes()).results;
		expect(rest).toEqual([]);
		expect(epoch?.scope).toBe("");
		expect(epoch?.generation).toBeGreaterThan(1);
	});
});

describe("memory searches after a queued extraction", () => {
	it("show the memories the extraction stored, though the same search was served before", async () => {
		// The offline mock channel extracts (each stated user sentence is a fact) and embeds.
		await createChannel({ type: "mock", models: ["mock-chat", "mock-embedding"] });
		const { key } = await newOwner();
		const search = async () => {
			const res = await post(key, "/v3/memories/search/", { query: "vegetarian", filters: { user_id: "kim" }, threshold: 0 });
			return (await res.json<{ results: Hit[] }>()).results.map((h) => h.memory);
		};
		expect(await search()).toEqual([]);
		expect(await search()).toEqual([]);
		const added = await post(key, "/v3/memories/add/", { user_id: "kim", messages: "I am vegetarian." });
		const { event_id } = await added.json<{ event_id: string }>();
		const until = Date.now() + 20_000;
		for (;;) {
			const { status } = await (await get(key, `/v1/event/${event_id}/`)).json<{ status: string }>();
			if (status === "SUCCEEDED") break;
			if (status === "FAILED" || Date.now() > until) throw new Error(`the extraction ended ${status}`);
			await new Promise((r) => setTimeout(r, 100));
		}
		expect(await search()).toEqual(["I am vegetarian."]);
	});
});
