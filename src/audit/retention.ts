const DAY_MS = 86_400_000;

// Bounded statements, each its own short transaction, as the usage logs' pruning: a backlog waits for the next run.
const PRUNE = "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ?1 ORDER BY at LIMIT ?2)";
const BATCH = 1000;
const MAX_BATCHES = 10;

/**
 * Deletes audit entries older than `days` days (AUDIT_RETENTION_DAYS, at least 30). The table's trigger refuses to
 * delete an entry younger than 30 days whatever this is told, so that no setting can erase recent history.
 */
export async function pruneAudit(env: Env, now: number, days: number): Promise<number> {
	const statement = env.DB.prepare(PRUNE).bind(now - days * DAY_MS, BATCH);
	let deleted = 0;
	for (let i = 0; i < MAX_BATCHES; i++) {
		const { meta } = await statement.run();
		deleted += meta.changes;
		if (meta.changes < BATCH) break;
	}
	return deleted;
}
