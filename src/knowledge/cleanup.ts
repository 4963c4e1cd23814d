import { GatewayError } from "../errors/gateway-error";
import { enqueueIngest } from "./enqueue";
import { finishStoreDeletion } from "./remove";
import { storeFileRows } from "./store-files";
import { findStore } from "./vector-stores";

/** A file queued this long without starting has lost its message (a failed send): it is sent again. */
const STUCK_MS = 15 * 60_000;
const PER_RUN = 100;

/**
 * The cron's share of the knowledge data: sends again the ingestion of files whose message never arrived (a send
 * that failed; a duplicate is harmless, the consumer skips work already done), and finishes deleting stores whose
 * deletion a crash interrupted. Returns what it did, for the cron's log line.
 */
export async function knowledgeUpkeep(env: Env, now: number): Promise<{ requeued: number; stores_deleted: number }> {
	const { results } = await env.DB.prepare(
		`SELECT * FROM vector_store_files WHERE status = 'in_progress' AND stage = 'queued' AND updated_at < ?1 ORDER BY updated_at LIMIT ?2`,
	)
		.bind(now - STUCK_MS, PER_RUN)
		.all();
	const stuck = storeFileRows.parse(results);
	await enqueueIngest(env.INGEST_QUEUE, stuck);

	const { results: deleted } = await env.DB.prepare("SELECT id, dimensions FROM vector_stores WHERE deleted_at IS NOT NULL LIMIT ?1")
		.bind(PER_RUN)
		.all<{ id: string; dimensions: number | null }>();
	for (const store of deleted) await finishStoreDeletion(env, store);
	return { requeued: stuck.length, stores_deleted: deleted.length };
}

/**
 * Puts a file back in line (the replay of a dead-lettered ingestion): a new generation, so that any older message
 * for it is stale, and a new message.
 */
export async function requeueFile(env: Env, vectorStoreId: string, fileId: string, now = Date.now()): Promise<void> {
	const store = await findStore(env.DB, vectorStoreId, undefined);
	const { results } = await env.DB.prepare(
		`UPDATE vector_store_files SET status = 'in_progress', stage = 'queued', progress = 0, last_error_code = NULL, last_error_message = NULL,
		updated_at = ?3 WHERE vector_store_id = ?1 AND file_id = ?2 RETURNING *`,
	)
		.bind(store.id, fileId, now)
		.all();
	const rows = storeFileRows.parse(results);
	if (rows.length === 0) throw new GatewayError("not_found", `The file '${fileId}' is no longer in vector store '${vectorStoreId}'`);
	await enqueueIngest(env.INGEST_QUEUE, rows);
}
