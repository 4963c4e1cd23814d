import { BATCH_QUEUE } from "./batch-message";
import { INGEST_QUEUE } from "./ingest-message";
import { MEMORY_QUEUE } from "./memory-message";

/**
 * The queues an operator sees and steers (the Jobs API and page), by the short names the API uses; each with the
 * Cloudflare queue it consumes and the producer binding that puts a message back on it.
 */
export const jobQueues = {
	usage: { queue: "edge-gateway-usage", producer: (env: Env): Queue => env.USAGE_QUEUE },
	notify: { queue: "edge-gateway-notify", producer: (env: Env): Queue => env.NOTIFY_QUEUE },
	ingest: { queue: INGEST_QUEUE, producer: (env: Env): Queue => env.INGEST_QUEUE },
	memory: { queue: MEMORY_QUEUE, producer: (env: Env): Queue => env.MEMORY_QUEUE },
	batch: { queue: BATCH_QUEUE, producer: (env: Env): Queue => env.BATCH_QUEUE },
} as const;

export type JobQueue = keyof typeof jobQueues;

export const JOB_QUEUES = Object.keys(jobQueues) as JobQueue[];

/** The short name of a Cloudflare queue (or of the queue its dead-letter queue serves); undefined for another. */
export function jobQueueOf(queue: string): JobQueue | undefined {
	return JOB_QUEUES.find((name) => jobQueues[name].queue === queue);
}
