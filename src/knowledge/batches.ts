import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import { randomBase62 } from "../lib/crypto";
import { fileCounts, noFiles } from "./vector-stores";

export interface BatchRow {
	id: string;
	vectorStoreId: string;
	cancelled: boolean;
	createdAt: number;
}

const batchRow = z
	.object({ id: z.string(), vector_store_id: z.string(), status: z.string(), created_at: z.number() })
	.transform((r): BatchRow => ({ id: r.id, vectorStoreId: r.vector_store_id, cancelled: r.status === "cancelled", createdAt: r.created_at }));

export async function createBatch(db: D1Database, store: { id: string; userId: number }, now = Date.now()): Promise<BatchRow> {
	const row = await db
		.prepare(
			"INSERT INTO vector_store_file_batches (id, vector_store_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id, vector_store_id, status, created_at",
		)
		.bind(randomBase62("vsfb_", 24), store.id, store.userId, now)
		.first();
	return batchRow.parse(row);
}

export async function findBatch(db: D1Database, vectorStoreId: string, id: string): Promise<BatchRow> {
	const row = await db
		.prepare("SELECT id, vector_store_id, status, created_at FROM vector_store_file_batches WHERE id = ?1 AND vector_store_id = ?2")
		.bind(id, vectorStoreId)
		.first();
	if (!row) throw new GatewayError("not_found", `No file batch found with id '${id}' in vector store '${vectorStoreId}'.`, { param: "batch_id" });
	return batchRow.parse(row);
}

/**
 * Cancels what of the batch has not finished: its files still in progress become `cancelled`, and their
 * `updated_at` moves, so that a queued ingestion message for them is stale and does nothing.
 */
export async function cancelBatch(db: D1Database, batch: BatchRow, now = Date.now()): Promise<BatchRow> {
	await db.batch([
		db.prepare("UPDATE vector_store_file_batches SET status = 'cancelled' WHERE id = ?1").bind(batch.id),
		db.prepare("UPDATE vector_store_files SET status = 'cancelled', updated_at = ?2 WHERE batch_id = ?1 AND status = 'in_progress'").bind(batch.id, now),
	]);
	return { ...batch, cancelled: true };
}

/** OpenAI's `VectorStoreFileBatch`: its status follows its files, unless it was cancelled. */
export async function batchView(db: D1Database, batch: BatchRow) {
	const counts = (await fileCounts(db, [batch.id], "batch_id")).get(batch.id) ?? noFiles();
	const status = batch.cancelled
		? "cancelled"
		: counts.in_progress > 0
			? "in_progress"
			: counts.total > 0 && counts.failed === counts.total
				? "failed"
				: "completed";
	return {
		id: batch.id,
		object: "vector_store.files_batch" as const,
		created_at: Math.floor(batch.createdAt / 1000),
		vector_store_id: batch.vectorStoreId,
		status,
		file_counts: counts,
	};
}
