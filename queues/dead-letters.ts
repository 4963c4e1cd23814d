import { logEvent } from "../src/observability/request-log";
import { jobQueueOf } from "./job-queues";
import type { Notification } from "./notify-message";
import { recordQueueOutcomes } from "./queue-stats";

/** The dead-letter queue of a queue is named after it; its consumer files what arrives under the origin's name. */
export const DLQ_SUFFIX = "-dlq";

export const isDeadLetterQueue = (queue: string) => queue.endsWith(DLQ_SUFFIX);

const INSERT_DEAD = `INSERT INTO dead_jobs (queue, message_id, body, attempts, error) VALUES (?1, ?2, ?3, ?4, ?5)
	ON CONFLICT (queue, message_id) DO NOTHING RETURNING id, message_id, attempts, error`;

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

interface Filed {
	id: number;
	message_id: string;
	attempts: number;
	error: string | null;
}

/**
 * One `job.dead` notification per message filed for the first time (a redelivery files and tells nothing twice),
 * without the body. Dead notifications are not announced: they died because the webhook would not take them.
 */
async function announce(env: Env, queue: string, filed: readonly Filed[]): Promise<void> {
	// Logged whatever the queue: a dead notification is the one the webhook cannot tell.
	for (const f of filed) logEvent("job.dead", { queue, dead_job_id: f.id, message_id: f.message_id.slice(0, 200), attempts: f.attempts });
	if (filed.length === 0 || queue === "notify") return;
	const at = new Date().toISOString();
	const events = filed.map(
		(f): Notification => ({
			id: `job-dead-${queue}-${f.id}`,
			at,
			type: "job.dead",
			queue,
			dead_job_id: f.id,
			message_id: f.message_id.slice(0, 200),
			attempts: f.attempts,
			error: f.error?.slice(0, 500) ?? null,
		}),
	);
	try {
		await env.NOTIFY_QUEUE.sendBatch(events.map((body) => ({ body })));
	} catch (err) {
		// The jobs are filed and listed; only the webhook misses them.
		console.error(JSON.stringify({ level: "error", event: "job_dead_notify_failed", queue, error: String(err) }));
	}
}

/**
 * Messages that exhausted their retries: each is kept in `dead_jobs` (idempotent on message id) for an admin to
 * inspect and replay (POST /api/jobs/dead/:id/replay), counted `dead` for its origin queue, announced (`job.dead`),
 * then acknowledged.
 */
export async function consumeDeadLetters(batch: MessageBatch, env: Env): Promise<void> {
	const origin = batch.queue.slice(0, -DLQ_SUFFIX.length);
	const error = "exhausted its retries on the origin queue";
	const results = await env.DB.batch<Filed>(
		fileDead(
			env.DB,
			origin,
			batch.messages.map((m) => ({ id: m.id, body: m.body, attempts: m.attempts, error })),
		),
	);
	const filed = results.flatMap((r) => r.results);
	const name = jobQueueOf(origin) ?? origin;
	await recordQueueOutcomes(env, name, { dead: filed.length });
	await announce(env, name, filed);
	batch.ackAll();
}
