/**
 * The contract of a vector index, modelled on Cloudflare Vectorize's binding (`Vectorize` in workers-types), so that
 * the knowledge code is written once against it and runs on Vectorize in production and on `LocalVectorIndex` (a
 * Durable Object) under `wrangler dev` and in tests, where Vectorize has no simulator. It lives beside the Durable
 * Objects' other contracts, in the shared layer, because both the runtime (the local index) and the domain (the
 * knowledge code) need it and neither may import the other.
 */

/** What a metadata property may hold; only string, number and boolean values can be filtered on. */
export type MetadataValue = string | number | boolean | string[];

export type Metadata = Record<string, MetadataValue>;

export interface IndexVector {
	/** At most 64 bytes; unique across the whole index, whatever its namespace. */
	id: string;
	values: number[] | Float32Array | Float64Array;
	/** At most 64 bytes. A query with a namespace sees only that namespace's vectors. */
	namespace?: string;
	metadata?: Metadata;
}

export type FilterScalar = string | number | boolean | null;

/** Vectorize's operators: `{field: value}` is `$eq`; several fields are ANDed; a lower and an upper bound may be combined. */
export interface FilterOps {
	$eq?: FilterScalar;
	$ne?: FilterScalar;
	$lt?: FilterScalar;
	$lte?: FilterScalar;
	$gt?: FilterScalar;
	$gte?: FilterScalar;
	$in?: FilterScalar[];
	$nin?: FilterScalar[];
}

export type MetadataFilter = Record<string, FilterScalar | FilterOps>;

export interface QueryOptions {
	/** 1 to 100, or to 20 when values or all metadata are returned (Vectorize's limits); 5 when unset. */
	topK?: number;
	namespace?: string;
	filter?: MetadataFilter;
	returnValues?: boolean;
	returnMetadata?: boolean | "all" | "indexed" | "none";
}

export interface IndexMatch {
	id: string;
	/** Cosine similarity, -1 to 1, higher is closer. */
	score: number;
	namespace?: string;
	metadata?: Metadata;
	values?: number[];
}

export interface IndexMatches {
	matches: IndexMatch[];
	count: number;
}

export interface StoredVector {
	id: string;
	values: number[];
	namespace?: string;
	metadata?: Metadata;
}

/** One vector index of a fixed dimension, cosine metric. Writes are visible to the next query (locally at once; on Vectorize within seconds). */
export interface VectorIndex {
	readonly dimensions: number;
	/** Inserts or replaces by id; any number of vectors (sent 1,000 per call, Vectorize's limit for Workers). */
	upsert(vectors: IndexVector[]): Promise<void>;
	query(vector: number[] | Float32Array, options?: QueryOptions): Promise<IndexMatches>;
	deleteByIds(ids: string[]): Promise<void>;
	getByIds(ids: string[]): Promise<StoredVector[]>;
}

/** Vectorize's limits (developers.cloudflare.com/vectorize/platform/limits), enforced alike by the local index. */
export const INDEX_LIMITS = {
	maxDimensions: 1536,
	maxIdBytes: 64,
	maxNamespaceBytes: 64,
	maxMetadataBytes: 10 * 1024,
	maxUpsertBatch: 1000,
	defaultTopK: 5,
	maxTopK: 100,
	maxTopKWithValuesOrMetadata: 20,
	maxFilterBytes: 2048,
} as const;

/**
 * What the local index answers over RPC: a refused input comes back as a value, to be thrown in the caller's isolate
 * (an exception thrown across RPC loses its class and is logged by the runtime as uncaught).
 */
export type IndexResult<T> = { ok: true; value: T } | { ok: false; error: string };
