import { z } from "zod";

const rerankBody = z.object({ query: z.string(), documents: z.array(z.string()), top_n: z.number().int().positive().optional() });

/** What `@cf/baai/bge-reranker-base` answers: each context's position in the request (`id`) and its score. */
const rerankOutput = z.looseObject({ response: z.array(z.looseObject({ id: z.number().int(), score: z.number() })) });

/** A gateway rerank body as Workers AI's reranker models take it: the documents as `contexts`, `top_n` as `top_k`. */
export function rerankInputs(body: Record<string, unknown>): Record<string, unknown> {
	const { query, documents, top_n } = rerankBody.parse(body);
	return { query, contexts: documents.map((text) => ({ text })), ...(top_n ? { top_k: top_n } : {}) };
}

/** Their answer as Cohere's; a throw here is the channel's fault (the model answered something else). */
export function rerankAnswer(output: unknown, model: string) {
	const { response } = rerankOutput.parse(output);
	return { model, results: response.map((r) => ({ index: r.id, relevance_score: r.score })) };
}
