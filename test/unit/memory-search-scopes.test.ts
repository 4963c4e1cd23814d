import { describe, expect, it } from "vitest";
import type { MemoryFilter } from "../../src/memory/filters";
import { searchScopes, writtenScopes } from "../../src/memory/search-scopes";

describe("the scopes a memory search is checked against", () => {
	const cases: [string, MemoryFilter, string[]][] = [
		["one entity", { user_id: "ann" }, ["", "user_id:ann"]],
		["two entities, both required: the smaller cover", { AND: [{ user_id: { in: ["a", "b"] } }, { agent_id: "bot" }] }, ["", "agent_id:bot"]],
		["an entity and a date", { user_id: "ann", created_at: { gte: "2024-01-01" } }, ["", "user_id:ann"]],
		["the ids of an `in`", { run_id: { in: ["r2", "r1"] } }, ["", "run_id:r1", "run_id:r2"]],
		["every branch of an OR", { OR: [{ user_id: "ann" }, { agent_id: "bot" }] }, ["", "agent_id:bot", "user_id:ann"]],
		["an OR with an uncovered branch", { OR: [{ user_id: "ann" }, { metadata: { k: 1 } }] }, ["", "*"]],
		["any user", { user_id: "*" }, ["", "*"]],
		["all but one user", { user_id: { ne: "ann" } }, ["", "*"]],
		["a NOT", { NOT: [{ user_id: "ann" }] }, ["", "*"]],
		["the top-level ids ANDed with a NOT", { AND: [{ user_id: "ann" }, { NOT: [{ agent_id: "bot" }] }] }, ["", "user_id:ann"]],
	];

	it.each(cases)("%s", (_, filter, scopes) => {
		expect(searchScopes(filter)).toEqual(scopes);
	});

	it("falls back to any write above 50 entities", () => {
		const ids = Array.from({ length: 51 }, (_, i) => `u${i}`);
		expect(searchScopes({ user_id: { in: ids } })).toEqual(["", "*"]);
	});

	it("bumps every entity of each memory written, and any write", () => {
		expect(writtenScopes([{ user_id: "ann", agent_id: "bot" }, { user_id: "ann" }, {}])).toEqual(["*", "user_id:ann", "agent_id:bot"]);
	});
});
