import { bucketStart, PERIOD_MS } from "./buckets";
import { PRUNE_LOGS } from "./rollup-sql";

export interface PruneOptions {
	/** Rows per DELETE statement. */
	batchSize?: number;
	/** Statements per call; what is left waits for the next run. */
	maxBatches?: number;
}

export interface PruneResult {
	deleted: number;
	/** false when the batch limit stopped the run before every old row was gone. */
	done: boolean;
}

/**
 * The instant before which raw logs may be deleted: at least `days` whole days ago, on a UTC day boundary, so
 * that no hour or day bucket ever loses only part of its rows (a rollup recomputed from such a bucket would be
 * wrong), and the previous day, which the cron still recomputes, is always whole.
 */
export function retentionCutoff(now: number, days: number): number {
	return bucketStart("day", now) - days * PERIOD_MS.day;
}

/**
 * Deletes raw usage logs created before `cutoff`, oldest first, in bounded statements, each its own short
 * transaction, so that a large backlog never holds D1 for long: the next cron run carries on. Rollups are kept.
 */
export async function pruneUsageLogs(env: Env, cutoff: number, { batchSize = 5000, maxBatches = 10 }: PruneOptions = {}): Promise<PruneResult> {
	const statement = env.DB.prepare(PRUNE_LOGS).bind(cutoff, batchSize);
	let deleted = 0;
	for (let i = 0; i < maxBatches; i++) {
		const { meta } = await statement.run();
		deleted += meta.changes;
		if (meta.changes < batchSize) return { deleted, done: true };
	}
	return { deleted, done: false };
}
