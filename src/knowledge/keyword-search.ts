/**
 * BM25 keyword search over the chunks of some vector stores, through D1's FTS5 table `chunks_fts` (migration 0009).
 * The user's query never reaches FTS5's query language: its words are quoted one by one and OR-ed, so any text is
 * a valid query and none can inject operators.
 */

/** Words of a query as FTS5's unicode61 tokenizer cuts them (letters and digits), at most `MAX_TERMS` distinct. */
const MAX_TERMS = 32;

/**
 * English words too common to tell chunks apart. OR-ed into a query they would rank a chunk that shares only "a" or
 * "the" with a question above one that shares nothing exactly (BM25 weighs them little, not nothing); a query of
 * nothing but these keeps them.
 */
const STOP_WORDS = new Set(
	"a an and are as at be but by can do does did for from had has have how i if in into is it its me my no not of on or our so than that the their them then there these they this to was we were what when where which who why will with you your".split(
		" ",
	),
);

export function ftsQuery(text: string): string | null {
	const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 256))];
	const telling = words.filter((w) => !STOP_WORDS.has(w));
	const terms = (telling.length > 0 ? telling : words).slice(0, MAX_TERMS).map((w) => `"${w}"`);
	return terms.length === 0 ? null : terms.join(" OR ");
}

export interface KeywordHit {
	chunkId: number;
	/** BM25 relevance, higher is better (FTS5's bm25() negated); comparable only within one search. */
	bm25: number;
}

const SEARCH = `SELECT c.id, -bm25(chunks_fts) AS score
	FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
	WHERE chunks_fts MATCH ?1 AND c.vector_store_id IN (SELECT value FROM json_each(?2))
	ORDER BY bm25(chunks_fts) LIMIT ?3`;

/** The best `limit` chunks of the stores for the query's words, best first; none when the query has no words. */
export async function keywordSearch(db: D1Database, vectorStoreIds: readonly string[], query: string, limit: number): Promise<KeywordHit[]> {
	const match = ftsQuery(query);
	if (match === null || vectorStoreIds.length === 0) return [];
	const { results } = await db.prepare(SEARCH).bind(match, JSON.stringify(vectorStoreIds), limit).all<{ id: number; score: number }>();
	return results.map((r) => ({ chunkId: r.id, bm25: r.score }));
}

/**
 * The first `limit` hits, less a tie the limit cuts. Chunks of one length that share the same words with the query
 * tie (templated documents, a catalogue's entries); when the limit falls inside such a tie, which of its members
 * made the cut is arbitrary, and a ranking fused with this one would take that chance for evidence. `hits` holds
 * one more than `limit`, to see whether the tie goes on past it.
 */
export function withoutCutTie(hits: readonly KeywordHit[], limit: number): KeywordHit[] {
	const cut = hits[limit];
	return cut === undefined ? [...hits] : hits.slice(0, limit).filter((h) => h.bm25 !== cut.bm25);
}
