import { LEASE_MS, recount } from "./claims";
import { settleBatch } from "./finish";

/**
 * Lines of a batch whose completion window has closed and that never ran (or whose run died) are `expired`; a line
 * running with a live claim finishes and counts as it ends.
 */
const EXPIRE_LINES = `UPDATE batch_lines SET status = 'expired', ended_at = ?2
	WHERE batch_id = ?1 AND (status = 'pending' OR (status = 'running' AND claimed_at <= ?2 - ?3))`;

/** Expires the lines of an overdue batch and finalizes it if nothing is left running. */
export async function expireBatch(env: Env, batchId: string, now = Date.now()): Promise<void> {
	await env.DB.batch([env.DB.prepare(EXPIRE_LINES).bind(batchId, now, LEASE_MS), recount(env.DB, batchId)]);
	await settleBatch(env, batchId, now);
}

/** Running batches (of one key, or all) whose completion window has closed. */
export async function overdueBatches(env: Env, now: number, tokenId?: number): Promise<string[]> {
	const { results } = await env.DB.prepare(
		"SELECT id FROM batches WHERE status = 'in_progress' AND expires_at <= ?1 AND (?2 IS NULL OR token_id = ?2) LIMIT 100",
	)
		.bind(now, tokenId ?? null)
		.all<{ id: string }>();
	return results.map((r) => r.id);
}

/**
 * Cancels a running batch: `cancelling` (so no line is claimed any more), its pending lines `cancelled`; lines
 * already running finish, and the last to end finalizes it `cancelled` with its files (at once if none runs).
 * A batch that is no longer running is left as it is.
 */
export async function cancelBatch(env: Env, batchId: string, now = Date.now()): Promise<void> {
	const [started] = await env.DB.batch([
		env.DB.prepare("UPDATE batches SET status = 'cancelling', cancelling_at = ?2 WHERE id = ?1 AND status = 'in_progress'").bind(batchId, now),
		cancelLines(env.DB, batchId, now),
		recount(env.DB, batchId),
	]);
	if (started?.meta.changes === 1) await settleBatch(env, batchId, now);
}

/**
 * The lines of a cancelling batch that will not run: pending ones, and running ones whose run died (their lease is
 * over; no worker claims a line of a cancelling batch again). Run again by the cron, for the latter.
 */
export function cancelLines(db: D1Database, batchId: string, now: number): D1PreparedStatement {
	return db
		.prepare(
			`UPDATE batch_lines SET status = 'cancelled', ended_at = ?2 WHERE batch_id = ?1
				AND (status = 'pending' OR (status = 'running' AND claimed_at <= ?2 - ?3))
				AND (SELECT status FROM batches WHERE id = ?1) = 'cancelling'`,
		)
		.bind(batchId, now, LEASE_MS);
}
