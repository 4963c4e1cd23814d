/** The text of a file's chunks in a store, in order: what `GET …/files/{id}/content` returns. */
export async function storeChunks(db: D1Database, vectorStoreId: string, fileId: string): Promise<string[]> {
	const { results } = await db
		.prepare("SELECT text FROM chunks WHERE vector_store_id = ?1 AND file_id = ?2 ORDER BY position")
		.bind(vectorStoreId, fileId)
		.all<{ text: string }>();
	return results.map((r) => r.text);
}
