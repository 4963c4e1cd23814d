import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { DOCX, sniffContentType } from "../../src/knowledge/files/sniff";
import { tinyDocx, tinyPdf } from "../support/document-fixtures";

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

	it.each([
		["a PDF, whatever its name", tinyPdf([["x"]]), "report.bin", "application/pdf"],
		["a PDF behind a few bytes of junk", new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8("%PDF-1.4")]), "x", "application/pdf"],
		["a Word document, whatever its name", tinyDocx([{ text: "x" }]), "notes.txt", DOCX],
		["a zip that is no Word document", zipSync({ "a.txt": strToU8("hi") }), "a.docx", "application/zip"],
		["a zip that only names word/document.xml in a file's text", zipSync({ "a.txt": strToU8("word/document.xml") }), "a.docx", "application/zip"],
		["HTML after comments", strToU8("<!-- a --> <!-- b -->\n<html><p>hi</p>"), "page", "text/html"],
		["text of comments only (and no backtracking over them)", strToU8(`${"<!-- a --> ".repeat(60)}x`), "notes", "text/plain"],
		["UTF-8 text", strToU8("Grüße, 世界"), "notes", "text/plain"],
		[
			"UTF-16 text with its byte-order mark",
			new Uint8Array([0xff, 0xfe, ...new Uint8Array(new Uint16Array([..."Grüße"].map((c) => c.charCodeAt(0))).buffer)]),
			"n.md",
			"text/markdown",
		],
		["a PNG that claims to be text", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), "x.txt", "image/png"],
		["ASCII with control characters throughout", strToU8("\x01\x02abc\x03\x04def\x05"), "x.txt", "application/octet-stream"],
	])("%s", (_, content, name, type) => {
		expect(sniffContentType(content, name)).toBe(type);
	});
});
