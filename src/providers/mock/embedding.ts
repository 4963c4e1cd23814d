/**
 * The offline mock channel's embeddings: feature hashing, so texts that share words get similar vectors and retrieval
 * over the mock gives sensible results in `npm run dev` without any key. Each text is a bag of lower-cased words, the
 * pairs of neighbouring words (word order and phrases) and each word's character trigrams (so "install" is near
 * "installing", and a misspelt name near the right one); every feature adds ± its weight to one coordinate chosen by
 * its hash, and the sum is L2-normalized. Deterministic: the same text always gives the same vector.
 */

/** Enough coordinates that unrelated features rarely share one: at 256 two names collided often enough to swap them. */
export const MOCK_EMBEDDING_DIMENSIONS = 512;
/** A bound on what a request may ask, so `dimensions: 1e9` cannot exhaust the isolate's memory. */
const MOCK_EMBEDDING_MAX_DIMENSIONS = 8192;

// Trigrams weigh half a word each, like the word pairs: enough that a misspelt word still lands near its right
// spelling (most of its trigrams survive a slip), not so much that words sharing a syllable pass for each other.
const WEIGHT = { word: 1, pair: 0.5, trigram: 0.5 } as const;
/** Words so common in English that sharing them says little about two texts' topic. */
const STOP_WORDS = new Set(
	"a an and are as at be but by do does for from had has have how i if in is it its of on or our so that the their then there these they this to was we were what when where which who why will with you your".split(
		" ",
	),
);
const STOP_WEIGHT = 0.1;

/** FNV-1a over UTF-16 code units, then a final mix so nearby strings land far apart in every bit. */
function hash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	return h >>> 0;
}

const WORD = /[\p{L}\p{N}]+/gu;

export function mockEmbedding(text: string, dimensions: number): number[] {
	const size = Math.min(Math.max(1, Math.floor(dimensions)), MOCK_EMBEDDING_MAX_DIMENSIONS);
	const v = new Float64Array(size);
	const add = (feature: string, weight: number) => {
		const h = hash(feature);
		// The sign from a bit the coordinate does not use: collisions cancel out on average instead of piling up.
		v[h % size] = (v[h % size] ?? 0) + (h & 0x80000000 ? -weight : weight);
	};
	const words = text.normalize("NFKC").toLowerCase().match(WORD) ?? [];
	words.forEach((word, i) => {
		const stop = STOP_WORDS.has(word);
		add(`w:${word}`, stop ? STOP_WEIGHT : WEIGHT.word);
		const next = words[i + 1];
		if (next !== undefined) add(`p:${word} ${next}`, stop || STOP_WORDS.has(next) ? STOP_WEIGHT : WEIGHT.pair);
		if (stop) return;
		const padded = `^${word}$`;
		for (let j = 0; j + 3 <= padded.length; j++) add(`t:${padded.slice(j, j + 3)}`, WEIGHT.trigram);
	});
	let norm = 0;
	for (const x of v) norm += x * x;
	norm = Math.sqrt(norm);
	// A text without words still gets a unit vector, so a cosine with it is a number, not NaN.
	if (norm === 0) return Array.from(v, (_, i) => (i === 0 ? 1 : 0));
	return Array.from(v, (x) => x / norm);
}
