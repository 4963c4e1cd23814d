import { z } from "zod";
import { INDEX_LIMITS, type IndexVector, type Metadata, type QueryOptions } from "./vector-index-types";

/**
 * The local index's RPC inputs, checked as Vectorize checks them so that code which passes locally passes in
 * production. Errors read like Vectorize's (`VECTOR_UPSERT_ERROR: …`); the values of a vector are checked by a loop,
 * not by zod, because a batch holds up to 1.5 million of them.
 */

export class IndexInputError extends Error {
	constructor(operation: "UPSERT" | "QUERY" | "GET" | "DELETE", reason: string) {
		super(`VECTOR_${operation}_ERROR: ${reason}`);
		this.name = "IndexInputError";
	}
}

const bytes = (s: string) => new TextEncoder().encode(s).length;

const idSchema = z
	.string()
	.min(1)
	.refine((s) => bytes(s) <= INDEX_LIMITS.maxIdBytes, `at most ${INDEX_LIMITS.maxIdBytes} bytes`);
const namespaceSchema = z
	.string()
	.min(1)
	.refine((s) => bytes(s) <= INDEX_LIMITS.maxNamespaceBytes, `at most ${INDEX_LIMITS.maxNamespaceBytes} bytes`);

// Vectorize: keys cannot be empty, contain '.' or '"', or start with '$'.
const METADATA_KEY = /^[^$."][^."]*$/;
const metadataSchema: z.ZodType<Metadata> = z
	.record(z.string(), z.union([z.string(), z.number().finite(), z.boolean(), z.array(z.string())]))
	.refine((m) => Object.keys(m).every((k) => METADATA_KEY.test(k)), "keys cannot be empty, contain '.' or '\"', or start with '$'")
	.refine((m) => bytes(JSON.stringify(m)) <= INDEX_LIMITS.maxMetadataBytes, `at most ${INDEX_LIMITS.maxMetadataBytes} bytes as JSON`);

export const dimensionsInput = z.number().int().min(1).max(INDEX_LIMITS.maxDimensions);

export const idsInput = z.array(idSchema).max(INDEX_LIMITS.maxUpsertBatch);

export const queryOptionsInput: z.ZodType<QueryOptions> = z.object({
	topK: z.number().int().min(1).optional(),
	namespace: namespaceSchema.optional(),
	// Checked by compileFilter, which reports what is wrong with it as Vectorize would.
	filter: z.record(z.string(), z.unknown()).optional() as z.ZodType<QueryOptions["filter"]>,
	returnValues: z.boolean().optional(),
	returnMetadata: z.union([z.boolean(), z.enum(["all", "indexed", "none"])]).optional(),
});

const vectorShape = z.object({ id: idSchema, namespace: namespaceSchema.optional(), metadata: metadataSchema.optional() });

/** Float32 values of the right length; Vectorize stores float32 too, so this is what a query will see. */
export function valuesOf(values: unknown, dimensions: number, describe: string, operation: "UPSERT" | "QUERY"): Float32Array {
	if (!(Array.isArray(values) || values instanceof Float32Array || values instanceof Float64Array)) {
		throw new IndexInputError(operation, `invalid vector for ${describe}: values must be an array of numbers`);
	}
	if (values.length !== dimensions) {
		throw new IndexInputError(operation, `invalid vector for ${describe}, expected ${dimensions} dimensions, and got ${values.length} dimensions`);
	}
	const out = new Float32Array(dimensions);
	for (let i = 0; i < dimensions; i++) {
		const v: unknown = values[i];
		if (typeof v !== "number" || !Number.isFinite(v)) throw new IndexInputError(operation, `invalid vector for ${describe}: values must be finite numbers`);
		out[i] = v;
	}
	return out;
}

export interface CheckedVector {
	id: string;
	namespace: string | undefined;
	metadata: Metadata | undefined;
	values: Float32Array;
}

export function vectorsInput(vectors: unknown, dimensions: number): CheckedVector[] {
	if (!Array.isArray(vectors)) throw new IndexInputError("UPSERT", "vectors must be an array");
	if (vectors.length > INDEX_LIMITS.maxUpsertBatch) {
		throw new IndexInputError("UPSERT", `${vectors.length} vectors in one call; at most ${INDEX_LIMITS.maxUpsertBatch}`);
	}
	return vectors.map((raw: unknown, i) => {
		const shape = vectorShape.safeParse(raw);
		if (!shape.success) {
			const issue = shape.error.issues[0];
			throw new IndexInputError("UPSERT", `invalid vector at index ${i}: ${issue ? `${issue.path.join(".")} ${issue.message}` : "malformed"}`);
		}
		const values = valuesOf((raw as Partial<IndexVector>).values, dimensions, `id=${shape.data.id}`, "UPSERT");
		return { id: shape.data.id, namespace: shape.data.namespace, metadata: shape.data.metadata, values };
	});
}
