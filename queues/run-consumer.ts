import type { JobQueue } from "./job-queues";
import { jobQueues } from "./job-queues";
import { deferBatch, isPaused } from "./queue-controls";
import { type OutcomeCounts, recordQueueOutcomes } from "./queue-stats";
import { readinessMessage } from "./usage-message";

type Consumer = (batch: MessageBatch) => Promise<void>;

/**
 * A batch as the consumer sees it, which notes what becomes of each message: the first ack or retry of a message
 * decides (as the runtime has it), ackAll and retryAll decide for the messages still open.
 */
function observed(batch: MessageBatch) {
	const fate = new Map<string, "acked" | "retried">();
	const decide = (id: string, outcome: "acked" | "retried") => {
		if (!fate.has(id)) fate.set(id, outcome);
	};
	const messages = batch.messages.map(
		(m): Message => ({
			id: m.id,
			timestamp: m.timestamp,
			body: m.body,
			attempts: m.attempts,
			ack: () => {
				decide(m.id, "acked");
				m.ack();
			},
			retry: (options) => {
				decide(m.id, "retried");
				m.retry(options);
			},
		}),
	);
	const view: MessageBatch = {
		queue: batch.queue,
		metadata: batch.metadata,
		messages,
		ackAll: () => {
			for (const m of batch.messages) decide(m.id, "acked");
			batch.ackAll();
		},
		retryAll: (options) => {
			for (const m of batch.messages) decide(m.id, "retried");
			batch.retryAll(options);
		},
	};
	// What the runtime does with the messages left open: acknowledges them when the consumer returns, retries them
	// when it throws.
	const counts = (rest: "acked" | "retried"): OutcomeCounts => {
		const out = { acked: 0, retried: 0 };
		// /readyz's probe of the usage queue (a message every few seconds per isolate) is not work the Jobs view should show.
		for (const m of batch.messages) if (!readinessMessage.safeParse(m.body).success) out[fate.get(m.id) ?? rest]++;
		return out;
	};
	return { view, counts };
}

/**
 * Runs a queue's consumer on a batch, unless the operator paused it (then the batch is deferred), and records what
 * became of the messages in queue_stats.
 */
export async function runConsumer(queue: JobQueue, batch: MessageBatch, env: Env, consume: Consumer): Promise<void> {
	if (await isPaused(env, queue)) {
		const deferred = await deferBatch(batch, jobQueues[queue].producer(env));
		await recordQueueOutcomes(env, queue, deferred > 0 ? { deferred } : { retried: batch.messages.length });
		return;
	}
	const { view, counts } = observed(batch);
	try {
		await consume(view);
	} catch (err) {
		await recordQueueOutcomes(env, queue, counts("retried"));
		throw err;
	}
	await recordQueueOutcomes(env, queue, counts("acked"));
}
