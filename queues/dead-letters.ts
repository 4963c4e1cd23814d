/** The dead-letter queue of a queue is named after it; its consumer files what arrives under the origin's name. */
export const DLQ_SUFFIX = "-dlq";

export const isDeadLetterQueue = (queue: string) => queue.endsWith(DLQ_SUFFIX);

const INSERT_DEAD = `INSERT INTO dead_jobs (queue, message_id, body, attempts, error) VALUES (?1, ?2, ?3, ?4, ?5)
	ON CONFLICT (queue, message_id) DO NOTHING`;

/** Something a consumer could not process, to be kept for an operator: a whole message, or one record of one. */
export interface DeadLetter {
	/** Unique within the queue: a redelivery files nothing twice. */
	id: string;
	/** What replay needs: the body as the origin queue's consumer takes it. */
	body: unknown;
	attempts: number;
	error: string;
}

/** The statements that file dead letters of `queue` in `dead_jobs`, for the caller to run in its own D1 batch. */
export function fileDead(db: D1Database, queue: string, letters: readonly DeadLetter[]): D1PreparedStatement[] {
	const insert = db.prepare(INSERT_DEAD);
	return letters.map((l) => insert.bind(queue, l.id, JSON.stringify(l.body ?? null), l.attempts, l.error));
}

/**
 * Messages that exhausted their retries: each is kept in `dead_jobs` (idempotent on message id) for an admin to
 * inspect and replay (POST /api/jobs/dead/:id/replay), then acknowledged.
 */
export async function consumeDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
	const origin = batch.queue.slice(0, -DLQ_SUFFIX.length);
	const error = "exhausted its retries on the origin queue";
	await env.DB.batch(
		fileDead(
			env.DB,
			origin,
			batch.messages.map((m) => ({ id: m.id, body: m.body, attempts: m.attempts, error })),
		),
	);
	batch.ackAll();
}
