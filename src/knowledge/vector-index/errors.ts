/**
 * An input the vector index refused (a wrong dimension, a malformed filter, a topK above the limit …), with
 * Vectorize's wording, from either implementation: the caller's mistake, never an outage of the index.
 */
export class VectorIndexError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "VectorIndexError";
	}
}

// Vectorize's refusals read "VECTOR_QUERY_ERROR (code = 40xxx): …" (and the local index's "VECTOR_QUERY_ERROR: …").
const REFUSAL = /^VECTOR_[A-Z]+_ERROR\b/;

/** Vectorize's refusal of an input as a VectorIndexError; anything else (an outage) as it was. */
export function refusalOf(error: unknown): unknown {
	return error instanceof Error && REFUSAL.test(error.message) ? new VectorIndexError(error.message) : error;
}
