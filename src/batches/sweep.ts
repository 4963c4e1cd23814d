import { LEASE_MS, recount } from "./claims";
import { settleBatch } from "./finish";
import { cancelLines, expireBatch, overdueBatches } from "./lifecycle";
import { concurrencyOf, startWorkers } from "./queue";

/**
 * Keys with a running batch that has lines to claim but whose lines nobody has claimed or ended for a lease: their
 * workers' messages were lost (or their consumers died). Starting workers for a key that has some is harmless: the
 * claim keeps them within its concurrency, and the extra ones find nothing and end.
 */
const IDLE_KEYS = `SELECT DISTINCT b.token_id FROM batches b
	WHERE b.status = 'in_progress' AND b.expires_at > ?1
	AND EXISTS (SELECT 1 FROM batch_lines l WHERE l.batch_id = b.id AND (l.status = 'pending' OR (l.status = 'running' AND l.claimed_at <= ?1 - ?2)))
	AND NOT EXISTS (SELECT 1 FROM batch_lines l WHERE l.token_id = b.token_id AND (l.claimed_at > ?1 - ?2 OR l.ended_at > ?1 - ?2))
	LIMIT 100`;

/** Batches left mid-way by a death: cancelling with dead runs, or finalizing for longer than a lease. */
const STUCK = `SELECT id, status FROM batches WHERE status = 'cancelling' OR (status = 'finalizing' AND finalizing_at <= ?1 - ?2) LIMIT 100`;

/**
 * The cron's part: expires overdue batches, finishes batches whose finisher or running lines died, and starts
 * workers again for keys whose batches wait with nobody working on them.
 */
export async function batchUpkeep(env: Env, now: number): Promise<{ expired: number; settled: number; restarted: number }> {
	const overdue = await overdueBatches(env, now);
	for (const id of overdue) await expireBatch(env, id, now);
	const { results: stuck } = await env.DB.prepare(STUCK).bind(now, LEASE_MS).all<{ id: string; status: string }>();
	for (const b of stuck) {
		if (b.status === "cancelling") await env.DB.batch([cancelLines(env.DB, b.id, now), recount(env.DB, b.id)]);
		await settleBatch(env, b.id, now);
	}
	const { results: idle } = await env.DB.prepare(IDLE_KEYS).bind(now, LEASE_MS).all<{ token_id: number }>();
	for (const { token_id } of idle) await startWorkers(env, token_id, await concurrencyOf(env, token_id));
	return { expired: overdue.length, settled: stuck.length, restarted: idle.length };
}
