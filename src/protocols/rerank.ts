import { z } from "zod";
import { estimateTokens } from "./token-estimate";
import { tokenCount } from "./usage";

/**
 * A rerank request as every provider receives it: Cohere's and Jina's shape (which agree on these fields), with the
 * documents already reduced to their text. A provider whose API differs (Voyage's `top_k`, Workers AI's
 * `contexts`) maps it inside itself. Documents are never asked back: the gateway has them and adds them itself.
 */
export interface RerankBody {
	model: string;
	query: string;
	documents: string[];
	top_n?: number;
	max_tokens_per_doc?: number;
	return_documents: false;
}

/** One ranked document as an upstream answers it; the document's text, if it sent one, is not read. */
export interface RankedDocument {
	index: number;
	relevanceScore: number;
}

export interface RerankAnswer {
	ranked: RankedDocument[];
	/** Tokens the upstream reported it read, if it did. */
	tokens: number | undefined;
	/** Cohere's unit of account (a query with up to 100 documents), if the upstream reported it. */
	searchUnits: number | undefined;
}

const ranked = z.array(z.looseObject({ index: z.number().int().min(0), relevance_score: z.number() }));

// Cohere and Jina answer `results`; Voyage answers `data`. Usage is read leniently: odd counts read as absent.
const answer = z.looseObject({
	results: ranked.optional(),
	data: ranked.optional(),
	usage: z.looseObject({ total_tokens: z.unknown().optional() }).optional().catch(undefined),
	meta: z
		.looseObject({ billed_units: z.looseObject({ search_units: z.unknown().optional(), total_tokens: z.unknown().optional() }).optional() })
		.optional()
		.catch(undefined),
});

const reported = (v: unknown) => (v === undefined ? undefined : tokenCount(v));

/** An upstream's rerank answer, or undefined when it is not one: each index must name a different one of the `documents` sent. */
export function readRerankAnswer(json: unknown, documents: number): RerankAnswer | undefined {
	const parsed = answer.safeParse(json);
	if (!parsed.success) return undefined;
	const list = parsed.data.results ?? parsed.data.data;
	if (!list || list.some((r) => r.index >= documents) || new Set(list.map((r) => r.index)).size < list.length) return undefined;
	const billed = parsed.data.meta?.billed_units;
	return {
		ranked: list.map((r) => ({ index: r.index, relevanceScore: r.relevance_score })),
		tokens: reported(parsed.data.usage?.total_tokens) ?? reported(billed?.total_tokens),
		searchUnits: reported(billed?.search_units),
	};
}

/** Cohere counts a search unit per query with up to 100 documents. */
const DOCUMENTS_PER_SEARCH_UNIT = 100;

export function searchUnitsFor(documents: number): number {
	return Math.max(1, Math.ceil(documents / DOCUMENTS_PER_SEARCH_UNIT));
}

/**
 * The tokens a cross-encoder reads for a request, when the upstream does not say: the query once with each document,
 * and the document (Voyage's own definition of a rerank's tokens).
 */
export function estimateRerankTokens(query: string, documents: readonly string[]): number {
	const q = estimateTokens(query);
	return documents.reduce((n, d) => n + q + estimateTokens(d), 0);
}
