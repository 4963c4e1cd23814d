/**
 * BM25 keyword search over the chunks of some vector stores, through D1's FTS5 table `chunks_fts` (migration 0009).
 * The user's query never reaches FTS5's query language: its words are quoted one by one and OR-ed, so any text is
 * a valid query and none can inject operators.
 */

/** Words of a query as FTS5's unicode61 tokenizer cuts them (letters and digits), at most `MAX_TERMS` distinct. */
const MAX_TERMS = 32;

export function ftsQuery(text: string): string | null {
	const words = new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 256));
	const terms = [...words].slice(0, MAX_TERMS).map((w) => `"${w}"`);
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
