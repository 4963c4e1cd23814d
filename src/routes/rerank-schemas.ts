import { z } from "zod";

/** Cohere takes up to 10,000 documents, Voyage 1,000; more than that would only be split into many upstream calls. */
export const MAX_RERANK_DOCUMENTS = 1000;

const count = z.number().int().positive();

/**
 * The union of what Cohere's (v1 and v2) and Jina's clients send. Documents are strings, or objects with a `text`
 * (Jina's, and Cohere v1's); fields of theirs the gateway does not use (`rank_fields`, `max_chunks_per_doc`,
 * `truncation`) are accepted and have no effect.
 */
export const rerankRequest = z.looseObject({
	model: z.string().min(1, "is required").max(200, "must be at most 200 characters"),
	query: z.string().min(1, "must not be empty"),
	documents: z
		.array(z.union([z.string(), z.looseObject({ text: z.string() })]))
		.min(1, "must not be empty")
		.max(MAX_RERANK_DOCUMENTS, `must have at most ${MAX_RERANK_DOCUMENTS} documents`),
	top_n: count.optional(),
	/** Voyage's clients' name for `top_n`. */
	top_k: count.optional(),
	return_documents: z.boolean().optional(),
	max_tokens_per_doc: count.optional(),
});

export const rerankResponse = z.object({
	id: z.string(),
	model: z.string(),
	results: z.array(z.object({ index: z.number(), relevance_score: z.number(), document: z.object({ text: z.string() }).optional() })),
	meta: z.object({ billed_units: z.object({ search_units: z.number() }) }),
	usage: z.object({ total_tokens: z.number() }),
});
