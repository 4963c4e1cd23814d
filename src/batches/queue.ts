import type { BatchMessage } from "../../queues/batch-message";
import { config } from "../env";

/** The lines of one key's batches that run at once: the key's own `batch_concurrency`, or BATCH_CONCURRENCY. */
export async function concurrencyOf(env: Env, tokenId: number): Promise<number> {
	const row = await env.DB.prepare("SELECT batch_concurrency FROM tokens WHERE id = ?1").bind(tokenId).first<{ batch_concurrency: number | null }>();
	return row?.batch_concurrency ?? config(env).batchConcurrency;
}

/** Starts `count` workers of the key's batches (each claims lines until none is left to it), after `delaySeconds`. */
export async function startWorkers(env: Env, tokenId: number, count: number, delaySeconds = 0): Promise<void> {
	if (count < 1) return;
	const body: BatchMessage = { token_id: tokenId };
	await env.BATCH_QUEUE.sendBatch(Array.from({ length: count }, () => ({ body, ...(delaySeconds > 0 ? { delaySeconds } : {}) })));
}
