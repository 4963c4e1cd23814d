import { bucketEnd, bucketStart, PERIOD_MS, PERIODS, type Period } from "./buckets";
import { DELETE_BUCKETS, INSERT_BUCKETS } from "./rollup-sql";

// A backfill recomputes at most a day of raw logs per transaction, so no single batch holds D1 for long.
const CHUNK_MS = PERIOD_MS.day;

/** Replaces the rollups of `period` for the buckets in [from, to), both bucket boundaries. */
function recompute(env: Env, period: Period, from: number, to: number): D1PreparedStatement[] {
	const args = [period, PERIOD_MS[period], from, to];
	return [env.DB.prepare(DELETE_BUCKETS).bind(...args), env.DB.prepare(INSERT_BUCKETS).bind(...args)];
}

/** Rows written by a batch of recompute() pairs: the inserts' changes. */
const inserted = (results: D1Result[]): number => results.reduce((sum, r, i) => sum + (i % 2 === 1 ? r.meta.changes : 0), 0);

/**
 * Recomputes the rollups of every bucket of `period` that overlaps [from, to) from the raw logs, for a backfill
 * or a repair. Idempotent: each chunk's delete and insert are one D1 batch, which is one transaction.
 * Returns the number of rollup rows written.
 */
export async function rollupRange(env: Env, period: Period, from: number, to: number): Promise<number> {
	const end = bucketEnd(period, to);
	const step = Math.max(CHUNK_MS, PERIOD_MS[period]);
	let rows = 0;
	for (let at = bucketStart(period, from); at < end; at += step) {
		rows += inserted(await env.DB.batch(recompute(env, period, at, Math.min(at + step, end))));
	}
	return rows;
}

/**
 * What the cron trigger recomputes: the current and the previous hour and day, in one transaction. The previous
 * bucket is included because usage arrives through a queue and may land after its hour or day has ended.
 */
export async function rollupRecent(env: Env, now: number): Promise<number> {
	const statements = PERIODS.flatMap((period) => {
		const current = bucketStart(period, now);
		return recompute(env, period, current - PERIOD_MS[period], current + PERIOD_MS[period]);
	});
	return inserted(await env.DB.batch(statements));
}
