import { INDEX_LIMITS, type IndexMatch, type StoredVector, type VectorIndex } from "../../../durable-objects/vector-index-types";
import { batches } from "./batches";
import { refusalOf } from "./errors";

/**
 * The production index: a Vectorize binding, one index per dimension, cosine metric. Vectorize applies mutations
 * asynchronously (a query sees them within seconds), takes 1,000 vectors per upsert from a Worker, and filters only
 * on properties that had a metadata index before the vectors were written (README, Configuration).
 */
export function vectorizeIndex(binding: Vectorize, dimensions: number): VectorIndex {
	return {
		dimensions,
		upsert: (vectors) =>
			refusing(async () => {
				for (const batch of batches(vectors, INDEX_LIMITS.maxUpsertBatch)) await binding.upsert(batch);
			}),
		query: (vector, options) =>
			refusing(async () => {
				const { matches, count } = await binding.query(vector, options);
				return { count, matches: matches.map(toMatch) };
			}),
		deleteByIds: (ids) =>
			refusing(async () => {
				for (const batch of batches(ids, INDEX_LIMITS.maxUpsertBatch)) await binding.deleteByIds(batch);
			}),
		getByIds: (ids) =>
			refusing(async () => {
				const found: StoredVector[] = [];
				for (const batch of batches(ids, INDEX_LIMITS.maxUpsertBatch)) found.push(...(await binding.getByIds(batch)).map(toStored));
				return found;
			}),
	};
}

async function refusing<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (error) {
		throw refusalOf(error);
	}
}

// Vectorize's metadata may nest objects; ours is flat, since only top-level strings, numbers and booleans are filtered on.
function flat(metadata: Record<string, VectorizeVectorMetadata> | undefined): StoredVector["metadata"] {
	if (metadata === undefined) return undefined;
	const out: NonNullable<StoredVector["metadata"]> = {};
	for (const [key, value] of Object.entries(metadata)) if (typeof value !== "object" || Array.isArray(value)) out[key] = value;
	return out;
}

function toMatch(m: VectorizeMatch): IndexMatch {
	const match: IndexMatch = { id: m.id, score: m.score };
	if (m.namespace !== undefined) match.namespace = m.namespace;
	const metadata = flat(m.metadata);
	if (metadata !== undefined) match.metadata = metadata;
	if (m.values !== undefined) match.values = Array.from(m.values);
	return match;
}

function toStored(v: VectorizeVector): StoredVector {
	const out: StoredVector = { id: v.id, values: Array.from(v.values) };
	if (v.namespace !== undefined) out.namespace = v.namespace;
	const metadata = flat(v.metadata);
	if (metadata !== undefined) out.metadata = metadata;
	return out;
}
