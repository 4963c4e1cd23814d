import { describe, expect, it } from "vitest";
import { sniffContentType } from "../../src/knowledge/files/sniff";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("sniffContentType", () => {
	it.each([
		["%PDF-1.7", "x.txt", "application/pdf"],
		["# Title", "notes.md", "text/markdown"],
		["# Title", "notes", "text/plain"],
		['{"a":1}', "data", "application/json"],
		['{"a":1', "data.json", "text/plain"],
		['{"a":1}\n{"a":2}\n', "rows.jsonl", "application/jsonl"],
		["not json\n", "rows.jsonl", "text/plain"],
		["<!doctype html><p>x", "page", "text/html"],
		["a,b\n1,2", "t.CSV", "text/csv"],
	])("%j named %s is %s", (content, name, type) => {
		expect(sniffContentType(bytes(content), name)).toBe(type);
	});

	it("judges long text by its start, even when the sample ends inside a character", () => {
		// 65,535 ASCII bytes, then "é" (2 bytes) straddles the 64 KiB sample's end.
		const text = `${"a".repeat(65_535)}é and more`;
		expect(sniffContentType(bytes(text), "long.txt")).toBe("text/plain");
		const json = `[${'"x",'.repeat(40_000)}"x"]`;
		expect(sniffContentType(bytes(json), "big.json")).toBe("application/json");
	});

	it("calls bytes that are not UTF-8 text octet-stream, whatever the name", () => {
		expect(sniffContentType(new Uint8Array([0xc3, 0x28, 0x41]), "a.txt")).toBe("application/octet-stream");
		expect(sniffContentType(new Uint8Array([0x41, 0x00, 0x42]), "a.txt")).toBe("application/octet-stream");
	});
});
