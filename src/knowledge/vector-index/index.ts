import { z } from "zod";
import type { VectorIndex } from "../../../durable-objects/vector-index-types";

export { VectorIndexError } from "./errors";

import { localIndex } from "./local";
import { vectorizeIndex } from "./vectorize";

export type {
	IndexMatch,
	IndexMatches,
	IndexVector,
	Metadata,
	MetadataFilter,
	QueryOptions,
	StoredVector,
	VectorIndex,
} from "../../../durable-objects/vector-index-types";

/**
 * Isolation: each vector store writes its vectors under its own namespace (its id, `vs_…`, under Vectorize's 64-byte
 * limit) and searches only that namespace. A namespace is applied before any metadata filter, needs none of the ten
 * metadata indexes Vectorize allows, and cannot be forgotten the way a filter clause can, so one user's query never
 * scores another's vectors. Vector ids are unique across the whole index, so they must be too (e.g. the chunk's id).
 */

const kindSchema = z.enum(["local", "vectorize"]);

function isVectorize(binding: unknown): binding is Vectorize {
	return typeof binding === "object" && binding !== null && "query" in binding && "upsert" in binding && "getByIds" in binding;
}

/** Every Vectorize index bound (`VECTORIZE_<dimensions>`), by binding name: what /readyz checks in production. */
export function vectorizeBindings(env: Env): [string, Vectorize][] {
	return Object.keys(env).flatMap((name) => {
		const binding: unknown = Reflect.get(env, name);
		return /^VECTORIZE_\d+$/.test(name) && isVectorize(binding) ? [[name, binding] as [string, Vectorize]] : [];
	});
}

/** Whether the knowledge features use Vectorize (VECTOR_INDEX "vectorize") rather than the local Durable Object. */
export function usesVectorize(env: Env): boolean {
	return env.VECTOR_INDEX === "vectorize";
}

/** The binding name of the Vectorize index for a dimension: one index per embedding dimension. */
export function vectorizeBindingName(dimensions: number): string {
	return `VECTORIZE_${dimensions}`;
}

/**
 * The vector index for embeddings of `dimensions`: Vectorize when the var VECTOR_INDEX is "vectorize" (production,
 * binding `VECTORIZE_<dimensions>`), else the local Durable Object (`wrangler dev`, tests).
 */
export function vectorIndex(env: Env, dimensions: number): VectorIndex {
	const kind = kindSchema.safeParse(env.VECTOR_INDEX || "local");
	if (!kind.success) throw new Error(`Invalid configuration: VECTOR_INDEX must be "local" or "vectorize"`);
	if (kind.data === "local") return localIndex(env.LOCAL_VECTOR_INDEX, dimensions);
	const name = vectorizeBindingName(dimensions);
	// Bindings are declared per deployment in wrangler.toml, so their names are not in the generated Env type.
	const binding: unknown = Reflect.get(env, name);
	if (!isVectorize(binding))
		throw new Error(`VECTOR_INDEX is "vectorize" but no Vectorize binding ${name} is configured for ${dimensions}-dimension embeddings`);
	return vectorizeIndex(binding, dimensions);
}
