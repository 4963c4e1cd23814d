import type { IngestMessage } from "../../queues/ingest-message";
import type { StoreFileRow } from "./store-files";

/**
 * Puts store files in line for ingestion. A send that fails leaves them `queued`, and the cron sends again what has
 * waited too long (src/knowledge/cleanup.ts), so a file is never stuck for good.
 */
export async function enqueueIngest(queue: Queue, files: readonly StoreFileRow[], traceparent?: string): Promise<void> {
	if (files.length === 0) return;
	const messages = files.map((f): { body: IngestMessage } => ({
		body: { vector_store_id: f.vectorStoreId, file_id: f.fileId, generation: f.updatedAt, traceparent },
	}));
	// sendBatch takes at most 100 messages.
	for (let i = 0; i < messages.length; i += 100) await queue.sendBatch(messages.slice(i, i + 100));
}
