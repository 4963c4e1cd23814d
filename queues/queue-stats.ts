import { FAMILIES as F } from "../src/observability/metric-families";
import { metrics } from "../src/observability/metrics";

/** What a consumer did with the messages of a batch (or, for `dead`, what its dead-letter queue received). */
export type QueueOutcome = "acked" | "retried" | "deferred" | "dead";

export type OutcomeCounts = Partial<Record<QueueOutcome, number>>;

// One statement whatever the outcomes: the counts travel as one JSON parameter.
const UPSERT = `INSERT INTO queue_stats (queue, minute, outcome, count)
	SELECT ?1, ?2, key, value FROM json_each(?3) WHERE value > 0
	ON CONFLICT (queue, minute, outcome) DO UPDATE SET count = count + excluded.count`;

/**
 * Adds a batch's outcomes to the queue's current minute in `queue_stats`: one upsert per batch. The single place
 * every consumer reports through. A failure to record is logged and swallowed: the messages were handled already,
 * and a statistic must never make them run again.
 */
export async function recordQueueOutcomes(env: Env, queue: string, counts: OutcomeCounts, now = Date.now()): Promise<void> {
	if (!Object.values(counts).some((n) => n > 0)) return;
	for (const [outcome, n] of Object.entries(counts)) metrics.inc(F.queueMessages, [queue, outcome], n);
	try {
		await env.DB.prepare(UPSERT)
			.bind(queue, Math.floor(now / 60_000), JSON.stringify(counts))
			.run();
	} catch (err) {
		console.error(JSON.stringify({ level: "error", event: "queue_stats_failed", queue, error: String(err) }));
	}
}
