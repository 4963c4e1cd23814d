import { z } from "zod";
import { type Span, traced, untraced } from "../observability/tracer";
import type { CallerKey } from "../types/caller";
import { embed } from "./embed";
import { type AttributeFilter, type Attributes, matchesFilter } from "./filters";
import { fuse, type RankedList } from "./fuse";
import { keywordSearch, withoutCutTie } from "./keyword-search";
import { type Ranker, rescore } from "./rescore";
import { vectorIndex } from "./vector-index";
import type { StoreRow } from "./vector-stores";

export interface SearchQuery {
	query: string;
	maxResults: number;
	filter?: AttributeFilter | undefined;
	/** Hits scoring below it are left out (0 to 1). */
	scoreThreshold: number;
	/** Whether the fused head is re-scored (see rescore.ts); "auto", OpenAI's default, when unset. */
	ranker?: Ranker | undefined;
	/**
	 * How much each ranking counts in the fusion (OpenAI's `ranking_options.hybrid_search`); a weight of 0 leaves
	 * that ranking out, and saves its work (no query embedding without vectors). Both 1 when unset.
	 */
	weights?: { embedding: number; text: number } | undefined;
}

export interface SearchHit {
	chunkId: number;
	vectorStoreId: string;
	fileId: string;
	filename: string;
	score: number;
	attributes: Attributes | null;
	text: string;
}

export interface SearchContext {
	env: Env;
	waitUntil: (work: Promise<unknown>) => void;
	caller: CallerKey;
	requestId: string;
	/** The span the retrieval goes under (a request's); absent, a trace of its own. */
	trace?: Span | undefined;
}

/** How many candidates each ranking contributes per wanted hit: room for the filter to drop some. */
const CANDIDATES_PER_HIT = 4;
/** Vectorize's topK bound without returned metadata. */
const MAX_CANDIDATES = 100;

const chunkRow = z.object({
	id: z.number(),
	vector_store_id: z.string(),
	file_id: z.string(),
	text: z.string(),
	attributes: z.string().nullable(),
	filename: z.string().nullable(),
});

/**
 * Hybrid search over stores the caller owns (the caller checked): the query's embedding against each store's
 * vectors (its namespace in the index of its model's dimension) and BM25 over the chunks' text, fused by rank, then
 * filtered by the files' attributes. A store with nothing embedded yet is searched by keywords alone.
 */
export function searchStores(ctx: SearchContext, stores: readonly StoreRow[], q: SearchQuery): Promise<SearchHit[]> {
	const attributes = { "gateway.retrieval.stores": stores.length, "gateway.retrieval.max_results": q.maxResults };
	return traced(ctx.trace ?? untraced(), "retrieval", { attributes }, async (span) => {
		const hits = await search({ ...ctx, trace: span }, stores, q);
		span.set({ "gateway.retrieval.hits": hits.length });
		return hits;
	});
}

async function search(ctx: SearchContext, stores: readonly StoreRow[], q: SearchQuery): Promise<SearchHit[]> {
	const k = Math.min(MAX_CANDIDATES, Math.max(20, q.maxResults * CANDIDATES_PER_HIT));
	const ids = stores.map((s) => s.id);
	const weights = q.weights ?? { embedding: 1, text: 1 };
	const [found, vector] = await Promise.all([
		weights.text > 0 ? keywordSearch(ctx.env.DB, ids, q.query, k + 1) : [],
		weights.embedding > 0 ? vectorCandidates(ctx, stores, q.query, k) : [],
	]);
	// Alone, the keywords may fill the page from a tie as they please; beside a vector ranking, a cut tie would bias it.
	const keyword = vector.length > 0 ? withoutCutTie(found, k) : found.slice(0, k);
	const candidates = [...new Set([...vector, ...keyword.map((h) => h.chunkId)])];
	const rows = await loadChunks(ctx.env.DB, candidates);
	const passes = (id: number) => {
		const row = rows.get(id);
		return row !== undefined && (q.filter === undefined || matchesFilter(row.attributes, q.filter));
	};
	const shown = keyword.filter((h) => passes(h.chunkId));
	const lists: RankedList[] = [
		{ ids: vector.filter(passes), weight: weights.embedding },
		{ ids: shown.map((h) => h.chunkId), scores: shown.map((h) => h.bm25), weight: weights.text },
	];
	const fused = fuse(lists).flatMap(({ chunkId, score }) => {
		const row = rows.get(chunkId);
		return row ? [{ ...row, chunkId, score }] : [];
	});
	const ranked = q.ranker === "none" ? fused : await rescored(ctx, q, fused);
	return ranked.filter((h) => h.score >= q.scoreThreshold).slice(0, q.maxResults);
}

/** Re-scored candidates per wanted hit: enough for the new order to matter, few enough for a reranker's bill. */
const RESCORED_PER_HIT = 2;
const MIN_RESCORED = 20;
const MAX_RESCORED = 50;

/** The fused head re-scored, best first; what lies below the head is not returned. */
async function rescored(ctx: SearchContext, q: SearchQuery, fused: readonly SearchHit[]): Promise<SearchHit[]> {
	const head = fused.slice(0, Math.min(MAX_RESCORED, Math.max(MIN_RESCORED, q.maxResults * RESCORED_PER_HIT)));
	if (head.length === 0) return [];
	const scores = await rescore(ctx, q.query, head);
	return head.map((h, i) => ({ ...h, score: scores[i] ?? 0 })).sort((a, b) => b.score - a.score || a.chunkId - b.chunkId);
}

/** The ids of the chunks nearest the query, best first, over every store that has vectors. */
async function vectorCandidates(ctx: SearchContext, stores: readonly StoreRow[], query: string, k: number): Promise<number[]> {
	const byModel = new Map<string, StoreRow[]>();
	for (const s of stores) if (s.dimensions !== null) byModel.set(s.embeddingModel, [...(byModel.get(s.embeddingModel) ?? []), s]);
	const scored: { id: number; score: number }[] = [];
	for (const [model, group] of byModel) {
		const [vector] = await embed({ ...ctx, requestId: `${ctx.requestId}-query-${scored.length}`, endpoint: "/v1/vector_stores/search" }, model, [query]);
		if (!vector) continue;
		for (const store of group) {
			if (store.dimensions !== vector.length) continue;
			const { matches } = await vectorIndex(ctx.env, store.dimensions).query(vector, { topK: k, namespace: store.id });
			for (const m of matches) scored.push({ id: Number(m.id), score: m.score });
		}
	}
	return scored.sort((a, b) => b.score - a.score).map((s) => s.id);
}

async function loadChunks(db: D1Database, ids: readonly number[]) {
	const rows = new Map<number, Omit<SearchHit, "chunkId" | "score">>();
	if (ids.length === 0) return rows;
	const { results } = await db
		.prepare(
			`SELECT c.id, c.vector_store_id, c.file_id, c.text, c.attributes, f.filename
			FROM chunks c LEFT JOIN files f ON f.id = c.file_id WHERE c.id IN (SELECT value FROM json_each(?1))`,
		)
		.bind(JSON.stringify(ids))
		.all();
	for (const r of z.array(chunkRow).parse(results)) {
		rows.set(r.id, {
			vectorStoreId: r.vector_store_id,
			fileId: r.file_id,
			filename: r.filename ?? "",
			text: r.text,
			attributes: r.attributes === null ? null : z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).parse(JSON.parse(r.attributes)),
		});
	}
	return rows;
}
