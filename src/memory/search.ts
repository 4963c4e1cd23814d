import { and, eq, isNull, sql } from "drizzle-orm";
import { db } from "../db/client";
import { memories } from "../db/schema";
import { fuse } from "../knowledge/fuse";
import { ftsQuery } from "../knowledge/keyword-search";
import { rescore } from "../knowledge/rescore";
import { vectorIndex } from "../knowledge/vector-index";
import { traced, untraced } from "../observability/tracer";
import { filterSql, type MemoryFilter, requiredEntities } from "./filters";
import type { MemoryRow } from "./memories";
import { MemorySearchCache } from "./search-cache";
import { embedTexts, type MemoryContext, memoryEmbeddingModel, memoryNamespace } from "./vectors";

export interface MemorySearch {
	query: string;
	filter: MemoryFilter;
	topK: number;
	threshold: number;
	/** Mem0's `keyword_search`: BM25 joins the vector ranking unless false (then vector similarity alone). */
	keyword?: boolean | undefined;
	/** Mem0's `rerank`: when true, the fused head is re-scored by VECTOR_RERANK_MODEL, or the built-in lexical re-score. */
	rerank?: boolean | undefined;
}

export interface MemoryHit {
	row: MemoryRow;
	score: number;
}

/** Candidates each ranking contributes: Vectorize's topK bound without returned metadata. */
const CANDIDATES = 100;
/**
 * How much of the score is recency: enough to put the newer of two equally relevant memories first (a fact that
 * changed), too little to lift an irrelevant new one over a relevant old one.
 */
const RECENCY_WEIGHT = 0.2;
/** A memory this many days old counts half as recent as one made now. */
const RECENCY_HALF_DAYS = 30;

function recency(updatedAt: number, now: number): number {
	const days = Math.max(0, now - updatedAt) / 86_400_000;
	return 1 / (1 + days / RECENCY_HALF_DAYS);
}

/** Where a memory search's model calls (query embedding, rerank) are billed and logged. */
const SEARCH_ENDPOINT = "/mem0/v3/memories/search/";
/** Candidates a rerank re-scores: enough for the new order to matter, few enough for a reranker's bill. */
const MIN_RERANKED = 20;
const MAX_RERANKED = 100;

/** What ranking reads of a candidate: never its text or metadata, which only the memories returned need. */
const candidateColumns = { seq: memories.seq, id: memories.id, updatedAt: memories.updatedAt };
type Candidate = { seq: number; id: string; updatedAt: number };

const cache = new MemorySearchCache<MemoryHit>((hits) =>
	hits.reduce((n, h) => n + h.row.memory.length + (h.row.metadata ? JSON.stringify(h.row.metadata).length : 0), 0),
);

/**
 * The owner's current memories that pass the filter, ranked by the fusion (reciprocal ranks) of the query's
 * embedding against the owner's namespace of the vector index and BM25 over the memory texts (FTS5; unless
 * `keyword` is false), optionally re-scored (`rerank`), blended with recency; scores lie in [0, 1]. Up to 200
 * candidates are ranked by their ids and times; only the `topK` kept (or the reranked head) are read whole.
 * The same search again within MEMORY_SEARCH_CACHE_SECONDS, its entities unchanged, is served from the isolate's
 * cache (search-cache.ts): no embedding (so no usage row), no vector query. Recency moves too little in that time
 * to matter.
 */
export function searchMemories(ctx: MemoryContext, ownerId: number, q: MemorySearch): Promise<MemoryHit[]> {
	const attributes = { "gateway.memory.top_k": q.topK, "gateway.memory.rerank": q.rerank === true };
	return traced(ctx.trace ?? untraced(), "memory search", { attributes }, async (span) => {
		// What else decides the result: the models that embed the query and re-score the head.
		const inputs = { ...q, embedding: memoryEmbeddingModel(ctx.env), reranker: q.rerank === true ? ctx.env.VECTOR_RERANK_MODEL : undefined };
		const served = await cache.serve(ctx.env, ownerId, q.filter, inputs, () => search({ ...ctx, trace: span }, ownerId, q));
		span.set({ "gateway.memory.hits": served.hits.length, "gateway.memory.cache": served.cache });
		return served.hits;
	});
}

async function search(ctx: MemoryContext, ownerId: number, q: MemorySearch): Promise<MemoryHit[]> {
	const where = and(eq(memories.ownerId, ownerId), isNull(memories.supersededBy), filterSql(q.filter));
	const withKeywords = q.keyword !== false;
	const [keyword, nearest] = await Promise.all([withKeywords ? keywordRanking(ctx.env, q.query, where) : [], vectorRanking(ctx, ownerId, q)]);
	const bySeq = new Map<number, Candidate>(keyword.map((k) => [k.seq, k]));
	const vectorSeqs: number[] = [];
	if (nearest.length > 0) {
		const found = await db(ctx.env)
			.select(candidateColumns)
			.from(memories)
			.where(and(idIn(nearest.map((n) => n.id)), where));
		const byId = new Map(found.map((c) => [c.id, c]));
		for (const n of nearest) {
			const c = byId.get(n.id);
			if (!c) continue;
			bySeq.set(c.seq, c);
			vectorSeqs.push(c.seq);
		}
	}
	const fused = fuse([
		{ ids: vectorSeqs, weight: 1 },
		...(withKeywords ? [{ ids: keyword.map((k) => k.seq), scores: keyword.map((k) => k.bm25), weight: 1 }] : []),
	]).flatMap(({ chunkId, score }) => {
		const candidate = bySeq.get(chunkId);
		return candidate ? [{ candidate, score }] : [];
	});
	const relevant = q.rerank === true ? await reranked(ctx, q, fused) : fused;
	const now = Date.now();
	const kept = relevant
		.map(({ candidate, score }) => ({ candidate, score: (1 - RECENCY_WEIGHT) * score + RECENCY_WEIGHT * recency(candidate.updatedAt, now) }))
		.sort((a, b) => b.score - a.score || b.candidate.seq - a.candidate.seq)
		.filter((h) => h.score >= q.threshold)
		.slice(0, q.topK);
	const rows = await rowsOf(
		ctx.env,
		kept.map((k) => k.candidate.id),
	);
	return kept.flatMap(({ candidate, score }) => {
		const row = rows.get(candidate.id);
		return row ? [{ row, score }] : [];
	});
}

/** One JSON parameter for the ids: D1 binds at most 100 a statement. */
const idIn = (ids: readonly string[]) => sql`${memories.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

async function rowsOf(env: Env, ids: readonly string[]): Promise<Map<string, MemoryRow>> {
	if (ids.length === 0) return new Map();
	const rows = await db(env).select().from(memories).where(idIn(ids));
	return new Map(rows.map((r) => [r.id, r]));
}

type Scored = { candidate: Candidate; score: number };

/** The fused head re-scored (knowledge/rescore.ts, billed as the search's); what lies below the head is not returned. */
async function reranked(ctx: MemoryContext, q: MemorySearch, fused: readonly Scored[]): Promise<Scored[]> {
	const head = fused.slice(0, Math.min(MAX_RERANKED, Math.max(MIN_RERANKED, 2 * q.topK)));
	if (head.length === 0) return [];
	const rows = await rowsOf(
		ctx.env,
		head.map((h) => h.candidate.id),
	);
	const scores = await rescore(
		ctx,
		q.query,
		head.map((h) => ({ text: rows.get(h.candidate.id)?.memory ?? "", score: h.score })),
		SEARCH_ENDPOINT,
	);
	return head.map((h, i) => ({ candidate: h.candidate, score: scores[i] ?? 0 }));
}

async function keywordRanking(env: Env, query: string, where: ReturnType<typeof and>): Promise<(Candidate & { bm25: number })[]> {
	const match = ftsQuery(query);
	if (match === null) return [];
	return db(env)
		.select({ ...candidateColumns, bm25: sql<number>`-bm25(memories_fts)` })
		.from(memories)
		.innerJoin(sql`memories_fts`, sql`memories_fts.rowid = ${memories.seq}`)
		.where(and(sql`memories_fts MATCH ${match}`, where))
		.orderBy(sql`bm25(memories_fts)`)
		.limit(CANDIDATES);
}
async function vectorRanking(ctx: MemoryContext, ownerId: number, q: MemorySearch): Promise<{ id: string; score: number }[]> {
	const [vector] = await embedTexts({ ...ctx, requestId: `${ctx.requestId}-query` }, SEARCH_ENDPOINT, [q.query]);
	if (!vector) return [];
	const filter = requiredEntities(q.filter);
	const { matches } = await vectorIndex(ctx.env, vector.length).query(vector, {
		topK: CANDIDATES,
		namespace: memoryNamespace(ownerId),
		...(filter ? { filter } : {}),
	});
	return matches.map((m) => ({ id: m.id, score: m.score }));
}
