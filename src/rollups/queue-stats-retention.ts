/** Days of per-minute queue counts kept: the Jobs view shows the last hour; a few days leave room to look back. */
export const QUEUE_STATS_DAYS = 3;

/** Deletes queue_stats rows older than QUEUE_STATS_DAYS; returns how many went. */
export async function pruneQueueStats(env: Env, now: number): Promise<number> {
	const oldest = Math.floor((now - QUEUE_STATS_DAYS * 86_400_000) / 60_000);
	const { meta } = await env.DB.prepare("DELETE FROM queue_stats WHERE minute < ?1").bind(oldest).run();
	return meta.changes;
}
