import { INDEX_LIMITS, type IndexResult, type VectorIndex } from "../../../durable-objects/vector-index-types";
import { batches } from "./batches";
import { VectorIndexError } from "./errors";

function unwrap<T>(result: IndexResult<T>): T {
	if (!result.ok) throw new VectorIndexError(result.error);
	return result.value;
}

/** The index for `wrangler dev` and the tests: one `LocalVectorIndex` object per dimension, called by RPC. */
export function localIndex(namespace: Env["LOCAL_VECTOR_INDEX"], dimensions: number): VectorIndex {
	const stub = namespace.getByName(String(dimensions));
	return {
		dimensions,
		async upsert(vectors) {
			for (const batch of batches(vectors, INDEX_LIMITS.maxUpsertBatch)) unwrap(await stub.upsert(dimensions, batch));
		},
		query: async (vector, options) => unwrap(await stub.query(dimensions, vector, options)),
		async deleteByIds(ids) {
			for (const batch of batches(ids, INDEX_LIMITS.maxUpsertBatch)) unwrap(await stub.deleteByIds(batch));
		},
		async getByIds(ids) {
			const found = [];
			for (const batch of batches(ids, INDEX_LIMITS.maxUpsertBatch)) found.push(...unwrap(await stub.getByIds(batch)));
			return found;
		},
	};
}
