import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Chunk, chunk } from "../../src/knowledge/documents/chunk";
import { chunkingStrategyParam, resolveChunkingStrategy } from "../../src/knowledge/documents/chunking-strategy";
import { markdownSections } from "../../src/knowledge/documents/markdown-sections";
import type { Section } from "../../src/knowledge/documents/types";
import { estimateTokens } from "../../src/protocols/token-estimate";

const VOCABULARY = "the cat sat on a warm mat while rain fell over quiet northern hills and rivers ran toward distant grey seas".split(" ");
/** A sentence of `words` words, deterministic from `seed`. */
const sentence = (seed: number, words = 12) => {
	const w = Array.from({ length: words }, (_, i) => VOCABULARY[(seed * 7 + i * 13) % VOCABULARY.length] ?? "x");
	return `${w.join(" ").replace(/^./, (c) => c.toUpperCase())}.`;
};
const paragraph = (seed: number, sentences: number) => Array.from({ length: sentences }, (_, i) => sentence(seed * 31 + i)).join(" ");
const staticStrategy = (max: number, overlap: number) => ({ type: "static" as const, static: { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap } });

/** What every chunking must give: chunks within the limit, cut between words, in order, covering the text, overlapping at most as asked. */
function expectWellFormed(text: string, chunks: Chunk[], max: number, overlap: number): void {
	let covered = 0;
	chunks.forEach((c, i) => {
		expect(c.position).toBe(i);
		expect(c.text).toBe(text.slice(c.start, c.end));
		expect(c.tokens).toBe(estimateTokens(c.text));
		expect(c.tokens).toBeLessThanOrEqual(max);
		expect(c.text).toBe(c.text.trim());
		const previous = chunks[i - 1];
		if (previous) {
			expect(c.start).toBeGreaterThan(previous.start);
			// No words skipped between chunks, and no more overlap than asked.
			expect(text.slice(previous.end, c.start).trim()).toBe("");
			if (c.start < previous.end) expect(estimateTokens(text.slice(c.start, previous.end))).toBeLessThanOrEqual(overlap);
		}
		covered = Math.max(covered, c.end);
	});
	expect(text.slice(0, chunks[0]?.start ?? text.length).trim()).toBe("");
	expect(text.slice(covered).trim()).toBe("");
}

describe("chunking strategies", () => {
	it("auto is static with 800 tokens and 400 of overlap", () => {
		expect(resolveChunkingStrategy({ type: "auto" })).toEqual(staticStrategy(800, 400));
		expect(resolveChunkingStrategy(undefined)).toEqual(staticStrategy(800, 400));
		expect(resolveChunkingStrategy(staticStrategy(300, 0))).toEqual(staticStrategy(300, 0));
	});

	it.each([
		[staticStrategy(100, 50), true],
		[staticStrategy(4096, 2048), true],
		[staticStrategy(99, 0), false],
		[staticStrategy(4097, 0), false],
		[staticStrategy(800, 401), false],
		[staticStrategy(800, -1), false],
		[staticStrategy(800.5, 0), false],
		[{ type: "auto", static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 0 } }, false],
		[{ type: "other" }, false],
	])("%j is accepted: %s", (strategy, valid) => {
		expect(chunkingStrategyParam.safeParse(strategy).success).toBe(valid);
	});

	it("names the overlap when it is more than half the chunk", () => {
		const result = chunkingStrategyParam.safeParse(staticStrategy(800, 500));
		expect(result.error?.issues[0]?.path).toEqual(["static", "chunk_overlap_tokens"]);
	});
});

describe("chunk", () => {
	it("gives nothing for empty or blank text, and one chunk for a short text", () => {
		expect(chunk("", undefined)).toEqual([]);
		expect(chunk(" \n\n ", undefined)).toEqual([]);
		expect(chunk("  Hello there.  ", undefined)).toEqual([{ text: "Hello there.", position: 0, tokens: 3, start: 2, end: 14, headings: [] }]);
	});

	it("cuts a long text into auto-sized chunks that overlap", () => {
		const text = Array.from({ length: 40 }, (_, i) => paragraph(i, 6)).join("\n\n");
		const chunks = chunk(text, { type: "auto" });
		expectWellFormed(text, chunks, 800, 400);
		expect(chunks.length).toBeGreaterThan(5);
		for (const [i, c] of chunks.entries()) {
			const next = chunks[i + 1];
			if (next) expect(next.start).toBeLessThan(c.end);
			// Big enough to be worth a chunk: the cut is in the back half of the room.
			if (next) expect(c.tokens).toBeGreaterThanOrEqual(400);
		}
	});

	it("ends chunks at paragraph ends, and starts the overlap at a sentence", () => {
		const text = Array.from({ length: 12 }, (_, i) => paragraph(i, 4)).join("\n\n");
		const chunks = chunk(text, staticStrategy(300, 100));
		expectWellFormed(text, chunks, 300, 100);
		for (const c of chunks.slice(0, -1)) expect(text.slice(c.end, c.end + 2)).toBe("\n\n");
		for (const c of chunks) expect(c.text).toMatch(/^[A-Z]/);
	});

	it("ends chunks at sentence ends inside one long paragraph", () => {
		const text = paragraph(3, 60);
		const chunks = chunk(text, staticStrategy(200, 0));
		expectWellFormed(text, chunks, 200, 0);
		for (const c of chunks) expect(c.text).toMatch(/^[A-Z].*\.$/s);
	});

	it("cuts at headings, starts each section clean and gives each chunk its heading path", () => {
		const md = ["# Guide", paragraph(1, 12), "## Install", paragraph(2, 14), "### On Linux", paragraph(3, 14), "## Upgrade", paragraph(4, 14)].join("\n\n");
		const sections = markdownSections(md);
		const chunks = chunk(md, staticStrategy(250, 100), sections);
		expectWellFormed(md, chunks, 250, 100);
		// Each section fits in a chunk, and half of one fills more than half a chunk: one chunk a section.
		expect(chunks.map((c) => [c.headings.join(" > "), c.text.slice(0, 12)])).toEqual([
			["Guide", "# Guide\n\nWhi"],
			["Guide > Install", "## Install\n\n"],
			["Guide > Install > On Linux", "### On Linux"],
			["Guide > Upgrade", "## Upgrade\n\n"],
		]);
	});

	it("cuts a word too long for any chunk, and only such a word", () => {
		const blob = Array.from({ length: 3000 }, (_, i) => "abcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 17) % 38]).join("");
		const text = `Before. ${blob} After.`;
		const chunks = chunk(text, staticStrategy(100, 50));
		expectWellFormed(text, chunks, 100, 50);
		expect(
			chunks
				.map((c) => c.text)
				.join("")
				.replace(/\s/g, ""),
		).toContain(blob.slice(0, 100));
		expect(chunks.length).toBeGreaterThan(3);
	});

	it("keeps CSV rows whole", () => {
		const csv = ["id,name,city", ...Array.from({ length: 200 }, (_, i) => `${i},person ${i},town ${i % 7}`)].join("\n");
		const chunks = chunk(csv, staticStrategy(100, 20));
		expectWellFormed(csv, chunks, 100, 20);
		for (const c of chunks) expect(c.text).toMatch(/^\d+,person \d+,town \d$|^id,/m);
		for (const c of chunks) for (const line of c.text.split("\n")) expect(line).toMatch(/^(id,name,city|\d+,person \d+,town \d)$/);
	});

	it("holds its guarantees for any text and strategy", () => {
		const word = fc.stringMatching(/^[A-Za-zé0-9.,!?"'()-]{1,40}$/);
		const separator = fc.constantFrom(" ", " ", " ", "\n", "\n\n", "  \n \n", "\t");
		const text = fc.array(fc.tuple(word, separator), { maxLength: 600 }).map((parts) => parts.map(([w, s]) => w + s).join(""));
		const strategy = fc.integer({ min: 100, max: 400 }).chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 0, max: Math.floor(max / 2) })));
		fc.assert(
			fc.property(text, strategy, (t, [max, overlap]) => {
				const sections: Section[] = markdownSections(t);
				expectWellFormed(t, chunk(t, staticStrategy(max, overlap), sections), max, overlap);
			}),
			{ numRuns: 60 },
		);
	});
});
