import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/knowledge/documents/parse";
import { parseBinary } from "../../src/knowledge/documents/parse-binary";
import type { ParsedDocument, ParseResult } from "../../src/knowledge/documents/types";
import { sniffContentType } from "../../src/knowledge/files/sniff";
import { tinyDocx, tinyPdf } from "../support/document-fixtures";

/** Parsed as ingestion parses an upload: by the type the Files API sniffed from its bytes. */
const parse = (bytes: Uint8Array, filename: string) => parseDocument(bytes, sniffContentType(bytes, filename), parseBinary);
const parsed = async (bytes: Uint8Array, filename: string): Promise<ParsedDocument> => {
	const result = await parse(bytes, filename);
	if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
	return result.document;
};
const headings = (doc: ParsedDocument) => (doc.sections ?? []).map((s) => [s.level, s.heading, doc.text.slice(s.start, s.end).trim()]);
const failure = (result: ParseResult) => (result.ok ? "parsed" : result.code);

describe("parseDocument", () => {
	it("reads a PDF's pages in order", async () => {
		const doc = await parsed(tinyPdf([["Quarterly report (draft)", "Revenue grew 12%."], ["Second page text."]]), "q.pdf");
		expect(doc.pages).toBe(2);
		expect(doc.text).toBe("Quarterly report (draft)\nRevenue grew 12%.\n\nSecond page text.");
	});

	it("reads a Word document with its headings", async () => {
		const bytes = tinyDocx([
			{ text: "Installation", heading: 1 },
			{ text: "Run the installer & wait." },
			{ text: "Upgrades", heading: 2 },
			{ text: "Stop the service first." },
		]);
		const doc = await parsed(bytes, "guide.docx");
		expect(doc.text).toBe("# Installation\n\nRun the installer & wait.\n\n## Upgrades\n\nStop the service first.");
		expect(headings(doc)).toEqual([
			[1, "Installation", "# Installation\n\nRun the installer & wait."],
			[2, "Upgrades", "## Upgrades\n\nStop the service first."],
		]);
	});

	it("reads HTML as text with headings and paragraphs, without scripts, styles or markup", async () => {
		const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style><script>var a = "<p>no</p>";</script></head>
<body><nav><a href="/">Home</a></nav>
<h1>Cats &amp; dogs</h1><p>Cats   are
 <b>independent</b>&nbsp;animals.<br>They sleep a lot.</p><!-- <p>hidden</p> -->
<h2 class="x">Care</h2><ul><li>Feed <i>twice</i> a day</li><li><p>Brush weekly</p></li></ul>
<table><tr><th>Name</th><th>Age</th></tr><tr><td><p>Tom</p><p>Cat</p></td><td>3</td></tr></table>
<pre>line 1
  line 2</pre><p>5 &lt; 6 &#x263A; &#9731; &unknown;</p></body></html>`;
		const doc = await parsed(strToU8(html), "pets.html");
		expect(doc.text).toBe(
			"Home\n\n# Cats & dogs\n\nCats are independent animals.\nThey sleep a lot.\n\n## Care\n\n- Feed twice a day\n- Brush weekly\n\nName | Age\nTom Cat | 3\n\nline 1\n  line 2\n\n5 < 6 ☺ ☃ &unknown;",
		);
		expect(headings(doc).map(([level, heading]) => [level, heading])).toEqual([
			[1, "Cats & dogs"],
			[2, "Care"],
		]);
	});

	it("reads the body of a page that leaves <head> open", async () => {
		const doc = await parsed(strToU8("<html><head><title>x</title><body><p>Shown</p>"), "p.html");
		expect(doc.text).toBe("Shown");
	});

	it("keeps Markdown as written and finds its ATX and setext headings, not those in code", async () => {
		const md = "Intro line.\r\n\r\n# Title #\r\nText.\r\n\r\n```sh\r\n# not a heading\r\n```\r\n\r\nSub part\r\n--------\r\nMore.\r\n";
		const doc = await parsed(strToU8(md), "doc.md");
		expect(doc.text).toBe(md.replace(/\r\n/g, "\n"));
		expect(headings(doc)).toEqual([
			[1, "Title", "# Title #\nText.\n\n```sh\n# not a heading\n```"],
			[2, "Sub part", "Sub part\n--------\nMore."],
		]);
	});

	it("reads CSV and text as they are, and pretty-prints minified JSON so it has lines to cut at", async () => {
		expect((await parsed(strToU8("name,age\nTom,3\n"), "t.csv")).text).toBe("name,age\nTom,3\n");
		expect((await parsed(strToU8("\ufeffplain text"), "t.txt")).text).toBe("plain text");
		expect((await parsed(strToU8('{"a":[1,2],"b":"x"}'), "d.json")).text).toBe('{\n  "a": [\n    1,\n    2\n  ],\n  "b": "x"\n}');
		expect((await parsed(strToU8('{\n "a": 1\n}'), "d.json")).text).toBe('{\n "a": 1\n}');
	});

	it.each([
		["an empty file", new Uint8Array(), "empty.txt", "invalid_file"],
		["a blank file", strToU8(" \n\t\n"), "blank.md", "invalid_file"],
		["a binary blob", Uint8Array.from({ length: 512 }, (_, i) => (i * 7919) % 256), "blob.txt", "unsupported_file"],
		["a zip that is no Word document", zipSync({ "x.txt": strToU8("x") }), "x.docx", "unsupported_file"],
		["a truncated PDF", tinyPdf([["x"]]).slice(0, 40), "x.pdf", "invalid_file"],
		[
			"a Word document without its body",
			zipSync({ "[Content_Types].xml": strToU8("<Types/>"), "word/document.xml": strToU8("<w:document") }),
			"x.docx",
			"invalid_file",
		],
		["a PDF without text", tinyPdf([[]]), "scan.pdf", "invalid_file"],
	])("fails cleanly on %s", async (_, bytes, filename, code) => {
		const result = await parse(bytes, filename);
		expect(failure(result)).toBe(code);
		expect(result.ok ? "" : result.message).toMatch(/^The /);
	});
});
