import type { JobQueue } from "./job-queues";

/** How long a paused consumer's messages wait before they are offered again (and put back again, while paused). */
export const PAUSED_DELAY_SECONDS = 60;

/**
 * Whether the operator paused this queue's consumer: one D1 read per batch, never on a request's path. If it cannot
 * be read the consumer runs: a broken control table must not stop every queue.
 */
export async function isPaused(env: Env, queue: JobQueue): Promise<boolean> {
	try {
		const row = await env.DB.prepare("SELECT paused_at FROM queue_controls WHERE queue = ?1").bind(queue).first<{ paused_at: number | null }>();
		return row?.paused_at != null;
	} catch (err) {
		console.error(JSON.stringify({ level: "error", event: "queue_control_unreadable", queue, error: String(err) }));
		return false;
	}
}

/**
 * A paused consumer's batch: every message is sent back to its queue, delayed, and only then acknowledged, so a
 * failed send loses nothing (the message is retried instead) and a deferred message keeps its retries for real
 * failures. Returns how many were deferred.
 */
export async function deferBatch(batch: MessageBatch, producer: Queue): Promise<number> {
	if (batch.messages.length === 0) return 0;
	try {
		await producer.sendBatch(batch.messages.map((m) => ({ body: m.body, delaySeconds: PAUSED_DELAY_SECONDS })));
	} catch (err) {
		console.error(JSON.stringify({ level: "error", event: "queue_defer_failed", queue: batch.queue, error: String(err) }));
		for (const m of batch.messages) m.retry({ delaySeconds: PAUSED_DELAY_SECONDS });
		return 0;
	}
	for (const m of batch.messages) m.ack();
	return batch.messages.length;
}
