import { describe, expect, it } from "vitest";
import { asRecord, MAX_JSON_DEPTH, nestsDeeperThan, parseBoundedJson, parseJsonObject } from "../../src/lib/json-depth";

const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;

describe("bounded JSON", () => {
	it("measures nesting of objects and arrays, not brackets inside strings", () => {
		expect(nestsDeeperThan(deep(MAX_JSON_DEPTH))).toBe(false);
		expect(nestsDeeperThan(deep(MAX_JSON_DEPTH + 1))).toBe(true);
		expect(nestsDeeperThan(`{"a":"${"[".repeat(500)}"}`)).toBe(false);
		expect(nestsDeeperThan(`{"a":"\\"${"{".repeat(500)}"}`)).toBe(false);
		expect(nestsDeeperThan(`["\\\\",${deep(10)}]`, 10)).toBe(true);
	});

	it("parses only JSON within the bound", () => {
		expect(parseBoundedJson('{"a":[1]}')).toEqual({ a: [1] });
		expect(parseBoundedJson("null")).toBeNull();
		expect(parseBoundedJson("{")).toBeUndefined();
		expect(parseBoundedJson(deep(10_000))).toBeUndefined();
	});

	it("reads records: objects only", () => {
		expect(parseJsonObject('{"a":1}')).toEqual({ a: 1 });
		expect(parseJsonObject("[1]")).toBeUndefined();
		expect(asRecord(null)).toBeUndefined();
		expect(asRecord("x")).toBeUndefined();
	});
});
