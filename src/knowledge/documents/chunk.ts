import { estimateTokens } from "../../protocols/token-estimate";
import { type ChunkingStrategyParam, resolveChunkingStrategy } from "./chunking-strategy";
import type { Section } from "./types";

/** A piece of a document as it is embedded, indexed and cited. */
export interface Chunk {
	text: string;
	/** 0, 1, 2 … in the document's order. */
	position: number;
	/** Estimated with the gateway's token estimator, as the chunking strategy's limits are. */
	tokens: number;
	/** Char offsets of `text` in the document's text. */
	start: number;
	end: number;
	/** The headings the chunk starts under, outermost first. */
	headings: string[];
}

/**
 * How good a place the gap before a word is to cut: a heading starts there, a paragraph, a sentence at a line's end, a
 * line or a sentence, a space; or nothing at all, inside a word too long for any chunk.
 */
const Cut = { Word: 0, Space: 1, Line: 2, SentenceLine: 3, Paragraph: 4, Heading: 5 } as const;

const SENTENCE_END = /[.!?…。！？][)"'’”\]]*$/;
const WORD = /\S+/g;

/** The words of a text with their offsets, costs and the strength of the gap before each. */
interface Words {
	starts: number[];
	ends: number[];
	/** Tokens of the word with the whitespace before it. */
	cost: number[];
	/** Tokens of the word alone, for the first word of a chunk. */
	bare: number[];
	gap: number[];
}

/** Cuts a word longer than `limit` tokens into pieces that fit, without splitting a surrogate pair. */
function pieces(word: string, limit: number): string[] {
	const total = estimateTokens(word);
	if (total <= limit) return [word];
	// One guess of a piece's length from the word's average, shrunk where the text is denser: linear in the word.
	const guess = Math.max(1, Math.floor((word.length * limit) / total));
	const out: string[] = [];
	for (let at = 0; at < word.length; ) {
		let length = Math.min(guess, word.length - at);
		while (length > 1 && estimateTokens(word.slice(at, at + length)) > limit) length = Math.floor(length * 0.8);
		const code = word.charCodeAt(at + length - 1);
		if (code >= 0xd800 && code < 0xdc00 && at + length < word.length) length++;
		out.push(word.slice(at, at + length));
		at += length;
	}
	return out;
}

function gapStrength(gap: string, previous: string): number {
	const newlines = gap.split("\n").length - 1;
	if (newlines >= 2) return Cut.Paragraph;
	const sentence = SENTENCE_END.test(previous);
	if (newlines === 1) return sentence ? Cut.SentenceLine : Cut.Line;
	return sentence ? Cut.Line : Cut.Space;
}

function wordsOf(text: string, pieceLimit: number): Words {
	const words: Words = { starts: [], ends: [], cost: [], bare: [], gap: [] };
	let previousEnd = 0;
	let previous = "";
	for (const m of text.matchAll(WORD)) {
		const gap = text.slice(previousEnd, m.index);
		let at = m.index;
		for (const [i, piece] of pieces(m[0], pieceLimit).entries()) {
			const bare = estimateTokens(piece);
			words.starts.push(at);
			words.ends.push(at + piece.length);
			words.bare.push(bare);
			words.cost.push(i === 0 && words.starts.length > 1 ? estimateTokens(gap + piece) : bare);
			words.gap.push(i === 0 ? gapStrength(gap, previous) : Cut.Word);
			at += piece.length;
		}
		previousEnd = at;
		previous = m[0];
	}
	return words;
}

/** The first word at or after `offset`. */
function wordAt(starts: readonly number[], offset: number): number {
	let lo = 0;
	let hi = starts.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if ((starts[mid] ?? 0) < offset) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** The headings over each offset asked in increasing order: a stack of the sections passed, by level. */
function headingPaths(sections: readonly Section[]) {
	const sorted = [...sections].sort((a, b) => a.start - b.start);
	const stack: Section[] = [];
	let next = 0;
	return (offset: number): string[] => {
		for (let s = sorted[next]; s !== undefined && s.start <= offset; s = sorted[++next]) {
			while ((stack.at(-1)?.level ?? 0) >= s.level) stack.pop();
			stack.push(s);
		}
		return stack.map((s) => s.heading);
	};
}

/**
 * Cuts a document's text into chunks of at most `max_chunk_size_tokens`, each starting up to `chunk_overlap_tokens`
 * before the previous one ended. A chunk ends at the strongest boundary in the back half of the room it has (a heading,
 * else a paragraph, else a sentence or line, else a space; the latest of equals), never inside a word unless the word
 * alone is too long. The overlap starts at a sentence or line where it can, and a chunk that ends before a heading
 * takes none: the new section starts clean.
 */
export function chunk(text: string, strategy: ChunkingStrategyParam | undefined, sections: readonly Section[] = []): Chunk[] {
	const { max_chunk_size_tokens: max, chunk_overlap_tokens: overlap } = resolveChunkingStrategy(strategy).static;
	// A word may take half a chunk at most, so a chunk that starts with a full overlap still has room to move on.
	const words = wordsOf(text, Math.floor(max / 2) - 2);
	const { starts, ends, cost, bare, gap } = words;
	const n = starts.length;
	for (const s of sections) {
		const i = wordAt(starts, s.start);
		if (i > 0 && i < n) gap[i] = Cut.Heading;
	}
	const prefix = [0];
	for (let i = 0; i < n; i++) prefix.push((prefix[i] ?? 0) + (cost[i] ?? 0));
	/** Tokens of words [from, to): the first without the whitespace before it. */
	const tokens = (from: number, to: number) => (prefix[to] ?? 0) - (prefix[from] ?? 0) - (cost[from] ?? 0) + (bare[from] ?? 0);

	const pathAt = headingPaths(sections);
	const chunks: Chunk[] = [];
	let from = 0;
	while (from < n) {
		let room = from + 1;
		while (room < n && tokens(from, room + 1) <= max) room++;
		let to = room;
		if (room < n) {
			for (let c = room; c > from && tokens(from, c) >= max / 2; c--) if ((gap[c] ?? 0) > (gap[to] ?? 0)) to = c;
		}
		const start = starts[from] ?? 0;
		let body = text.slice(start, ends[to - 1]);
		let count = estimateTokens(body);
		// The per-word sums are an estimate of the estimate; the chunk's own count is what must fit.
		while (count > max && to > from + 1) {
			to--;
			body = text.slice(start, ends[to - 1]);
			count = estimateTokens(body);
		}
		chunks.push({ text: body, position: chunks.length, tokens: count, start, end: start + body.length, headings: pathAt(start) });
		if (to >= n) break;
		from = nextStart(words, tokens, from, to, overlap);
	}
	return chunks;
}

/** Where the chunk after words [from, to) starts: up to `overlap` tokens back, at a sentence or line if one is there. */
function nextStart(words: Words, tokens: (from: number, to: number) => number, from: number, to: number, overlap: number): number {
	const { gap } = words;
	if (overlap === 0 || gap[to] === Cut.Heading) return to;
	let back = to;
	while (back - 1 > from && tokens(back - 1, to) <= overlap) back--;
	let sentence: number | undefined;
	for (let i = back; i < to; i++) {
		if (gap[i] === Cut.Heading) return i;
		if (sentence === undefined && (gap[i] ?? 0) >= Cut.Line) sentence = i;
	}
	return sentence ?? back;
}
