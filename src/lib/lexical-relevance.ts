/**
 * How well each document answers a query by the words they share: BM25 with the documents themselves as the corpus,
 * over lower-cased, lightly stemmed words ("opens" and "opened" count as "open"), very common English words left out
 * unless the query has nothing else. Each score is measured against what a document of average length holding each
 * of the query's words once would get, and squashed into [0, 1): such a document scores about 0.86, one with a third
 * of the words about 0.5, whatever the query's length; more occurrences and shorter documents score higher, never 1.
 * Deterministic: the offline mock reranker and the vector store search's built-in re-score both use it.
 */

const K1 = 1.2;
const B = 0.75;
/** How fast the score nears 1 as a document covers more of the query: 2 puts a complete match at 1 - e⁻² ≈ 0.86. */
const SQUASH = 2;

const STOP_WORDS = new Set(
	"a an and are as at be but by can do does did for from had has have how i if in into is it its me my no not of on or our so than that the their them then there these they this to was we were what when where which who why will with you your".split(
		" ",
	),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** Plural, past and -ing forms to a common stem: not Porter's, but the same on both sides, which is what counts. */
function stem(word: string): string {
	if (word.length <= 4) return word;
	if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
	if (word.endsWith("sses")) return word.slice(0, -2);
	if (word.endsWith("ing") && word.length > 5) return word.slice(0, -3);
	if (word.endsWith("ed")) return word.slice(0, -2);
	if (word.endsWith("s") && !word.endsWith("ss")) return word.slice(0, -1);
	return word;
}

function words(text: string): string[] {
	return (text.normalize("NFKC").toLowerCase().match(WORD) ?? []).map(stem);
}

export function lexicalScores(query: string, documents: readonly string[]): number[] {
	const all = [...new Set(words(query))];
	const telling = all.filter((w) => !STOP_WORDS.has(w));
	const terms = telling.length > 0 ? telling : all;
	const docs = documents.map((d) => {
		const counts = new Map<string, number>();
		let length = 0;
		for (const w of words(d)) {
			length++;
			counts.set(w, (counts.get(w) ?? 0) + 1);
		}
		return { counts, length };
	});
	const n = docs.length;
	const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / Math.max(1, n) || 1;
	const idf = new Map(
		terms.map((t) => {
			const having = docs.filter((d) => d.counts.has(t)).length;
			return [t, Math.log(1 + (n - having + 0.5) / (having + 0.5))];
		}),
	);
	const complete = terms.reduce((sum, t) => sum + (idf.get(t) ?? 0), 0);
	return docs.map((d) => {
		if (complete === 0) return 0;
		let score = 0;
		for (const t of terms) {
			const tf = d.counts.get(t) ?? 0;
			if (tf > 0) score += ((idf.get(t) ?? 0) * (tf * (K1 + 1))) / (tf + K1 * (1 - B + (B * d.length) / avgLength));
		}
		return 1 - Math.exp((-SQUASH * score) / complete);
	});
}
