import type { StoreFileRow } from "./store-files";
import { vectorIndex } from "./vector-index";
import type { StoreRow } from "./vector-stores";

/** Chunk ids are deleted from the index in slices: Vectorize takes at most 1,000 ids per call. */
const SLICE = 1000;

/** What deleting a store's chunks needs to know of it. */
type StoreRef = Pick<StoreRow, "id" | "dimensions">;

/** Deletes a file's chunks from a store: their vectors, their text (and with it the FTS rows, by trigger). */
async function dropChunks(env: Env, store: StoreRef, fileId: string | null): Promise<void> {
	const { results } = await env.DB.prepare("SELECT id FROM chunks WHERE vector_store_id = ?1 AND (?2 IS NULL OR file_id = ?2)")
		.bind(store.id, fileId)
		.all<{ id: number }>();
	if (store.dimensions !== null && results.length > 0) {
		const index = vectorIndex(env, store.dimensions);
		for (let i = 0; i < results.length; i += SLICE) await index.deleteByIds(results.slice(i, i + SLICE).map((r) => String(r.id)));
	}
	await env.DB.prepare("DELETE FROM chunks WHERE vector_store_id = ?1 AND (?2 IS NULL OR file_id = ?2)").bind(store.id, fileId).run();
}

/**
 * Takes a file out of a store: its chunks and vectors, then the row, and its bytes from the store's usage. The
 * uploaded file itself stays (OpenAI's semantics: DELETE /v1/files/{id} removes that).
 */
export async function removeStoreFile(env: Env, store: StoreRef, file: Pick<StoreFileRow, "fileId" | "usageBytes">): Promise<void> {
	await dropChunks(env, store, file.fileId);
	await env.DB.batch([
		env.DB.prepare("DELETE FROM vector_store_files WHERE vector_store_id = ?1 AND file_id = ?2").bind(store.id, file.fileId),
		env.DB.prepare("UPDATE vector_stores SET usage_bytes = max(0, usage_bytes - ?2) WHERE id = ?1").bind(store.id, file.usageBytes),
	]);
}

/** A deleted upload leaves every vector store it was in, as OpenAI's DELETE /v1/files/{id} does. */
export async function removeFileFromStores(env: Env, fileId: string): Promise<void> {
	const { results } = await env.DB.prepare(
		"SELECT s.id, s.dimensions, f.usage_bytes FROM vector_store_files f JOIN vector_stores s ON s.id = f.vector_store_id WHERE f.file_id = ?1",
	)
		.bind(fileId)
		.all<{ id: string; dimensions: number | null; usage_bytes: number }>();
	for (const r of results) await removeStoreFile(env, r, { fileId, usageBytes: r.usage_bytes });
}

/**
 * Deletes a store: marked first, so that it is gone for every reader at once, then its chunks, vectors, files and
 * batches, then the row. A crash between leaves the mark, and the cron finishes the job (src/knowledge/cleanup.ts).
 */
export async function removeStore(env: Env, store: StoreRow, now = Date.now()): Promise<void> {
	await env.DB.prepare("UPDATE vector_stores SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL").bind(store.id, now).run();
	await finishStoreDeletion(env, store);
}

export async function finishStoreDeletion(env: Env, store: StoreRef): Promise<void> {
	await dropChunks(env, store, null);
	await env.DB.batch([
		env.DB.prepare("DELETE FROM vector_store_files WHERE vector_store_id = ?1").bind(store.id),
		env.DB.prepare("DELETE FROM vector_store_file_batches WHERE vector_store_id = ?1").bind(store.id),
		env.DB.prepare("DELETE FROM vector_stores WHERE id = ?1").bind(store.id),
	]);
}
