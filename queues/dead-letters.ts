/** The dead-letter queue of a queue is named after it; its consumer files what arrives under the origin's name. */
export const DLQ_SUFFIX = "-dlq";

export const isDeadLetterQueue = (queue: string) => queue.endsWith(DLQ_SUFFIX);

const INSERT_DEAD = `INSERT INTO dead_jobs (queue, message_id, body, attempts, error) VALUES (?1, ?2, ?3, ?4, ?5)
	ON CONFLICT (queue, message_id) DO NOTHING`;

/**
 * Messages that exhausted their retries: each is kept in `dead_jobs` (idempotent on message id) for an admin to
 * inspect and replay (POST /api/jobs/dead/:id/replay), then acknowledged.
 */
export async function consumeDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
	const origin = batch.queue.slice(0, -DLQ_SUFFIX.length);
	const insert = env.DB.prepare(INSERT_DEAD);
	await env.DB.batch(
		batch.messages.map((m) => insert.bind(origin, m.id, JSON.stringify(m.body ?? null), m.attempts, "exhausted its retries on the origin queue")),
	);
	batch.ackAll();
}
