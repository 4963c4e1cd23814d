import { DurableObject } from "cloudflare:workers";
import { compileFilter } from "./vector-filter";
import { dimensionsInput, IndexInputError, idsInput, queryOptionsInput, valuesOf, vectorsInput } from "./vector-index-inputs";
import { INDEX_LIMITS, type IndexMatch, type IndexMatches, type IndexResult, type StoredVector } from "./vector-index-types";
import { type HeldVector, inverseNorm, nearest } from "./vector-search";
import { VectorStorage } from "./vector-storage";

/**
 * A vector index for `wrangler dev` and the tests, where Vectorize has no simulator: the same calls, limits, filter
 * semantics and cosine scores, answered by a brute-force scan of float32 vectors held in memory (loaded per namespace
 * from SQLite on first use). One object per index (named by its dimension, `env.LOCAL_VECTOR_INDEX.getByName("512")`),
 * so one object's memory bounds it: 25,000 vectors of 512 dimensions are 51 MB; it is not meant for production.
 */
export class LocalVectorIndex extends DurableObject<Env> {
	private readonly storage: VectorStorage;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.storage = new VectorStorage(ctx.storage.sql);
	}

	/** For /readyz: the namespace answers (called on an instance of its own, which holds nothing). */
	async ping(): Promise<true> {
		return true;
	}

	/** Inserts or replaces by id; at most 1,000 vectors per call, all checked before any is written. Returns the ids. */
	async upsert(dimensions: number, vectors: unknown): Promise<IndexResult<string[]>> {
		return answer(() => {
			const held: HeldVector[] = vectorsInput(vectors, this.dimensionsOf(dimensions)).map((v) => ({ ...v, inverseNorm: inverseNorm(v.values) }));
			this.ctx.storage.transactionSync(() => this.storage.upsert(held));
			return held.map((v) => v.id);
		});
	}

	async query(dimensions: number, vector: unknown, options: unknown = {}): Promise<IndexResult<IndexMatches>> {
		return answer(() => this.search(this.dimensionsOf(dimensions), vector, options));
	}

	/** The ids that existed and are now deleted. */
	async deleteByIds(ids: unknown): Promise<IndexResult<string[]>> {
		return answer(() => {
			const checked = idsOf(ids, "DELETE");
			return this.ctx.storage.transactionSync(() => this.storage.delete(checked));
		});
	}

	async getByIds(ids: unknown): Promise<IndexResult<StoredVector[]>> {
		return answer(() =>
			this.storage.get(idsOf(ids, "GET")).map((v) => {
				const out: StoredVector = { id: v.id, values: Array.from(v.values) };
				if (v.namespace !== undefined) out.namespace = v.namespace;
				if (v.metadata !== undefined) out.metadata = v.metadata;
				return out;
			}),
		);
	}

	private search(dimensions: number, vector: unknown, options: unknown): IndexMatches {
		const parsed = queryOptionsInput.safeParse(options);
		if (!parsed.success)
			throw new IndexInputError("QUERY", `invalid options: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
		const { topK = INDEX_LIMITS.defaultTopK, namespace, filter, returnValues = false, returnMetadata = "none" } = parsed.data;
		// Vectorize's rule: the larger topK only when neither values nor all metadata come back ("indexed" is free there).
		const heavy = returnValues || returnMetadata === true || returnMetadata === "all";
		const maxTopK = heavy ? INDEX_LIMITS.maxTopKWithValuesOrMetadata : INDEX_LIMITS.maxTopK;
		if (topK > maxTopK)
			throw new IndexInputError("QUERY", `topK ${topK} is above ${maxTopK}, the most allowed${heavy ? " with returnValues or returnMetadata 'all'" : ""}`);
		const accept = filter === undefined ? undefined : compileFilter(filter);
		const query = valuesOf(vector, dimensions, "query", "QUERY");
		// "indexed" returns every property here: the local index has no metadata indexes (Vectorize returns only the
		// indexed ones, strings cut at 64 bytes), so code must not rely on an unindexed property coming back with it.
		const withMetadata = heavy ? returnMetadata !== false && returnMetadata !== "none" : returnMetadata === "indexed";
		const matches = nearest(query, this.storage.candidates(namespace), topK, accept).map(({ vector: v, score }): IndexMatch => {
			const match: IndexMatch = { id: v.id, score };
			if (v.namespace !== undefined) match.namespace = v.namespace;
			if (withMetadata && v.metadata !== undefined) match.metadata = v.metadata;
			if (returnValues) match.values = Array.from(v.values);
			return match;
		});
		return { matches, count: matches.length };
	}

	/** An index has one dimension for life, fixed by its first call, as a Vectorize index by its creation. */
	private dimensionsOf(requested: number): number {
		const dims = dimensionsInput.parse(requested);
		const fixed = this.storage.dimensions();
		if (fixed === undefined) this.storage.setDimensions(dims);
		else if (fixed !== dims) throw new Error(`LocalVectorIndex: this index has ${fixed} dimensions, not ${dims}`);
		return dims;
	}
}

/** A refused input becomes a value for the caller to throw; anything else is a bug and throws here. */
function answer<T>(work: () => T): IndexResult<T> {
	try {
		return { ok: true, value: work() };
	} catch (error) {
		if (error instanceof IndexInputError) return { ok: false, error: error.message };
		throw error;
	}
}

function idsOf(ids: unknown, operation: "GET" | "DELETE"): string[] {
	const parsed = idsInput.safeParse(ids);
	if (!parsed.success) throw new IndexInputError(operation, `ids must be at most ${INDEX_LIMITS.maxUpsertBatch} strings of 1-${INDEX_LIMITS.maxIdBytes} bytes`);
	return parsed.data;
}
