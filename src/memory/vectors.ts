import type { Metadata } from "../../durable-objects/vector-index-types";
import { embed } from "../knowledge/embed";
import type { OwnerContext } from "../knowledge/owner-relay";
import { vectorIndex } from "../knowledge/vector-index";
import { type Entities, entitiesOfRow } from "./filters";
import type { MemoryRow } from "./memories";
import { touchMemories } from "./search-generations";

export interface MemoryContext extends OwnerContext {
	requestId: string;
}

/** The embedding model of memories: MEMORY_EMBEDDING_MODEL, else the vector stores' default. */
export function memoryEmbeddingModel(env: Env): string {
	return env.MEMORY_EMBEDDING_MODEL || env.VECTOR_EMBEDDING_MODEL;
}

/**
 * Each owner's memories live in a namespace of their own in the vector index, so that a search never scores
 * another owner's vectors whatever its filter (the entity ids are per owner: `alice` of two owners are two people).
 */
export function memoryNamespace(ownerId: number): string {
	return `mem_${ownerId}`;
}

/** Embeddings of memory texts, through the relay as the owner's key (billed to it), recorded under `endpoint`. */
export function embedTexts(ctx: MemoryContext, endpoint: string, texts: readonly string[]): Promise<Float32Array[]> {
	return embed({ ...ctx, endpoint }, memoryEmbeddingModel(ctx.env), texts);
}

export function entityMetadata(entities: Entities): Metadata {
	const out: Metadata = {};
	for (const [k, v] of Object.entries(entities)) if (v !== undefined) out[k] = v;
	return out;
}

/**
 * Writes the memories' vectors (their UUIDs as ids), with their entity ids as metadata, then bumps their searches'
 * generations: a search that ran before the vectors landed is not served again.
 */
export async function indexMemories(env: Env, rows: readonly MemoryRow[], vectors: readonly Float32Array[]): Promise<void> {
	const [first] = vectors;
	if (!first) return;
	await vectorIndex(env, first.length).upsert(
		rows.flatMap((r, i) => {
			const values = vectors[i];
			if (!values) return [];
			return [{ id: r.id, values, namespace: memoryNamespace(r.ownerId), metadata: entityMetadata(entitiesOfRow(r)) }];
		}),
	);
	await touchMemories(env, rows);
}

/**
 * Removes the memories' vectors, for each dimension they were indexed at. Their searches' generations are the
 * caller's to bump afterwards: deleteMemories does, in the batch that deletes the rows; consolidate, after it.
 */
export async function unindexMemories(env: Env, rows: readonly MemoryRow[]): Promise<void> {
	const byDimensions = new Map<number, string[]>();
	for (const r of rows) if (r.dimensions !== null) byDimensions.set(r.dimensions, [...(byDimensions.get(r.dimensions) ?? []), r.id]);
	for (const [dimensions, ids] of byDimensions) await vectorIndex(env, dimensions).deleteByIds(ids);
}
