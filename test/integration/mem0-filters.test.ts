import { beforeAll, describe, expect, it } from "vitest";
import { createChannel } from "../support/gateway";
import { newOwner, post } from "../support/mem0-api";

describe("Mem0's metadata filters on list and search", () => {
	let key: string;

	const add = async (content: string, metadata: Record<string, unknown> | null) => {
		const res = await post(key, "/v3/memories/add/", { infer: false, user_id: "meta", metadata, messages: [{ role: "user", content }] });
		expect(res.status).toBe(200);
	};
	/** The memories (their texts, sorted) that a list with `metadata` in its filters returns. */
	const listed = async (filters: Record<string, unknown>) => {
		const res = await post(key, "/v3/memories/", { filters: { AND: [{ user_id: "meta" }, filters] } });
		expect(res.status).toBe(200);
		return (await res.json<{ results: { memory: string }[] }>()).results.map((m) => m.memory).sort();
	};

	beforeAll(async () => {
		await createChannel({ type: "mock", models: ["mock-embedding"] });
		key = (await newOwner()).key;
		await add("alpha", { source: "chat", priority: 5, pinned: true, tags: ["work", "travel"], note: "Met Bob at the Airport" });
		await add("bravo", { source: "email", priority: 2, pinned: false, code: "5" });
		await add("charlie", { source: "Chat", priority: 9.5 });
		await add("delta", null);
		// Another user's memory with the same metadata: never listed.
		const other = (await newOwner()).key;
		await post(other, "/v3/memories/add/", { infer: false, user_id: "meta", metadata: { source: "chat" }, messages: [{ role: "user", content: "zulu" }] });
	});

	it("matches a key's value exactly, typed as JSON types are", async () => {
		expect(await listed({ metadata: { source: "chat" } })).toEqual(["alpha"]);
		expect(await listed({ metadata: { pinned: true } })).toEqual(["alpha"]);
		expect(await listed({ metadata: { pinned: false } })).toEqual(["bravo"]);
		expect(await listed({ metadata: { code: "5" } })).toEqual(["bravo"]);
		expect(await listed({ metadata: { code: 5 } })).toEqual([]);
		expect(await listed({ metadata: { priority: { eq: 9.5 } } })).toEqual(["charlie"]);
		expect(await listed({ metadata: { source: "chat", priority: { gte: 5 } } })).toEqual(["alpha"]);
		expect(await listed({ metadata: { priority: "*" } })).toEqual(["alpha", "bravo", "charlie"]);
	});

	it("applies Mem0's operators: in, gt/gte/lt/lte, ne, contains, icontains", async () => {
		expect(await listed({ metadata: { source: { in: ["chat", "email"] } } })).toEqual(["alpha", "bravo"]);
		expect(await listed({ metadata: { priority: { gte: 5 } } })).toEqual(["alpha", "charlie"]);
		expect(await listed({ metadata: { priority: { gt: 2, lt: 9 } } })).toEqual(["alpha"]);
		expect(await listed({ metadata: { priority: { lte: 2 } } })).toEqual(["bravo"]);
		// A memory without the key is not equal to the value.
		expect(await listed({ metadata: { source: { ne: "chat" } } })).toEqual(["bravo", "charlie", "delta"]);
		expect(await listed({ metadata: { note: { contains: "Airport" } } })).toEqual(["alpha"]);
		expect(await listed({ metadata: { note: { contains: "airport" } } })).toEqual([]);
		expect(await listed({ metadata: { note: { icontains: "airport" } } })).toEqual(["alpha"]);
		expect(await listed({ metadata: { source: { icontains: "CHAT" } } })).toEqual(["alpha", "charlie"]);
		expect(await listed({ metadata: { tags: { contains: "travel" } } })).toEqual(["alpha"]);
		expect(await listed({ OR: [{ metadata: { source: "email" } }, { metadata: { priority: { gt: 9 } } }] })).toEqual(["bravo", "charlie"]);
		expect(await listed({ NOT: [{ metadata: { pinned: true } }] })).toEqual(["bravo", "charlie", "delta"]);
	});

	it("filters a search by metadata, in `filters` or at the top level as the client sends it", async () => {
		const search = async (body: Record<string, unknown>) => {
			const res = await post(key, "/v3/memories/search/", { query: "alpha bravo charlie", threshold: 0, ...body });
			expect(res.status).toBe(200);
			return (await res.json<{ results: { memory: string }[] }>()).results.map((m) => m.memory).sort();
		};
		expect(await search({ filters: { user_id: "meta" } })).toEqual(["alpha", "bravo", "charlie", "delta"]);
		expect(await search({ filters: { AND: [{ user_id: "meta" }, { metadata: { source: "email" } }] } })).toEqual(["bravo"]);
		expect(await search({ user_id: "meta", metadata: { priority: { gte: 5 } } })).toEqual(["alpha", "charlie"]);
	});

	it("refuses bad metadata filters with a clear 400", async () => {
		const refused = async (metadata: unknown) => {
			const res = await post(key, "/v3/memories/", { filters: { user_id: "meta", metadata } });
			expect(res.status).toBe(400);
			return (await res.json<{ detail: string }>()).detail;
		};
		expect(await refused({ 'a"b': 1 })).toContain("Metadata keys");
		expect(await refused({ "x') OR 1=1 --": 1 })).toContain("Metadata keys");
		expect(await refused({})).toContain("metadata");
		expect(await refused({ source: { regex: "c.*" } })).toContain("metadata");
		expect(await refused({ source: { a: 1 } })).toContain("metadata");
		expect(await refused({ priority: { gt: true } })).toContain("metadata");
		expect(await refused("chat")).toContain("metadata");
	});
});
