import { deleteFile, findFile } from "../knowledge/files/store";

/**
 * Deletes an ended batch: its lines, its row, and its files (the input the gateway wrote for it and the results).
 * The row goes last, so that a delete a crash interrupted can be asked again.
 */
export async function removeBatch(
	env: Env,
	batch: { id: string; inputFileId: string; outputFileId: string | null; errorFileId: string | null },
): Promise<void> {
	for (const id of [batch.inputFileId, batch.outputFileId, batch.errorFileId]) {
		const file = id === null ? undefined : await findFile(env, id);
		if (file) await deleteFile(env, file);
	}
	await env.DB.batch([
		env.DB.prepare("DELETE FROM batch_lines WHERE batch_id = ?1").bind(batch.id),
		env.DB.prepare("DELETE FROM batches WHERE id = ?1").bind(batch.id),
	]);
}
