import { lexicalScores } from "../lib/lexical-relevance";
import { rerank } from "../relay/rerank";
import { type OwnerContext, ownerRelayRequest, recordFailure } from "./owner-relay";

/** OpenAI's `ranking_options.ranker`: "none" keeps the fused ranking; the others re-score its head. */
export type Ranker = "none" | "auto" | "default-2024-11-15";

export interface RescoreContext extends OwnerContext {
	requestId: string;
}

export interface Candidate {
	text: string;
	/** The fused score, in [0, 1]. */
	score: number;
}

/** Where a vector store search's rerank calls are billed and logged, with its query embedding (the default). */
const ENDPOINT = "/v1/vector_stores/search";

const clamp = (n: number) => Math.min(1, Math.max(0, n));

/**
 * New scores in [0, 1] for a search's best fused candidates. With a rerank model configured (VECTOR_RERANK_MODEL),
 * its relevance scores, through the relay as the store owner's key (limited and billed as their own /v1/rerank
 * would be). Without one, or when the call fails (the search still answers; the failure is in the usage log), the
 * built-in lexical re-score: the mean of the fused score and the words the chunk shares with the query, which moves
 * a chunk that says what was asked above one found only by a near vector.
 */
export async function rescore(ctx: RescoreContext, query: string, candidates: readonly Candidate[], endpoint = ENDPOINT): Promise<number[]> {
	const texts = candidates.map((c) => c.text);
	const model = ctx.env.VECTOR_RERANK_MODEL;
	if (model) {
		const req = ownerRelayRequest(ctx, `${ctx.requestId}-rerank`, endpoint);
		try {
			const { results } = await rerank(req, { model, query, documents: texts, returnDocuments: false });
			const scores = candidates.map(() => 0);
			for (const r of results) scores[r.index] = clamp(r.relevance_score);
			return scores;
		} catch (err) {
			recordFailure(ctx, req, err);
		}
	}
	const lexical = lexicalScores(query, texts);
	return candidates.map((c, i) => clamp((c.score + (lexical[i] ?? 0)) / 2));
}
