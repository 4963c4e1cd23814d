import { batchMessage } from "../../queues/batch-message";
import { type ClaimedLine, claimLine, endLine, type LineResult, retryLine } from "./claims";
import { settleBatch } from "./finish";
import { expireBatch, overdueBatches } from "./lifecycle";
import { startWorkers } from "./queue";
import { type GatewayFetch, type RunningBatch, runLine } from "./run-line";
import { findBatch } from "./store";

/**
 * How long one worker keeps claiming lines before it hands on to a fresh message: well within a queue consumer's
 * wall-clock limit, and short enough that a deploy or an eviction loses little.
 */
export const WORKER_BUDGET_MS = 5 * 60 * 1000;

/** A worker's batches, read once per worker: the row and where its input file is. */
async function batchOf(env: Env, seen: Map<string, RunningBatch | null>, id: string): Promise<RunningBatch | null> {
	if (seen.has(id)) return seen.get(id) ?? null;
	const row = await findBatch(env, id);
	const file = row
		? await env.DB.prepare("SELECT r2_key FROM files WHERE id = ?1 AND deleted_at IS NULL").bind(row.inputFileId).first<{ r2_key: string }>()
		: null;
	const batch = row ? { row, inputR2Key: file?.r2_key ?? null } : null;
	seen.set(id, batch);
	return batch;
}

/**
 * Answers worth another run of the line: the key's own rate limit, and every channel of the model rate limited, down
 * or too slow. Each was refused or failed before anything was charged, so the next run, under an id of its own, is
 * billed as the line's only success could be. Other failures (bad input, a budget spent) would fail the same way.
 */
const PASSING = new Set([429, 502, 503, 504]);

/** Runs a line may fail for a passing reason before it fails for good. */
export const LINE_RETRIES = 3;

/** Seconds before the next run: the answer's Retry-After if longer, else 15 s, 1 min, 4 min. */
const retryDelaySeconds = (retries: number, retryAfter: number | undefined) => Math.min(900, Math.max(15 * 4 ** retries, retryAfter ?? 0));

/** Puts the line back to run again later, with a worker to run it, when its failure is a passing one; false if not. */
async function retried(env: Env, claim: ClaimedLine, result: LineResult, tokenId: number): Promise<boolean> {
	if (result.statusCode === null || !PASSING.has(result.statusCode) || claim.retries >= LINE_RETRIES) return false;
	const delay = retryDelaySeconds(claim.retries, result.retryAfterSeconds);
	if (!(await retryLine(env, claim, Date.now() + delay * 1000))) return true;
	await startWorkers(env, tokenId, 1, delay);
	return true;
}

async function runClaimed(env: Env, ctx: ExecutionContext, gatewayFetch: GatewayFetch, seen: Map<string, RunningBatch | null>, claim: ClaimedLine) {
	const batch = await batchOf(env, seen, claim.batch_id);
	const result = batch
		? await runLine(env, ctx, gatewayFetch, batch, claim)
		: { status: "failed" as const, statusCode: null, error: { code: "batch_not_found", message: "The batch is gone." } };
	if (batch && (await retried(env, claim, result, batch.row.tokenId))) return;
	await endLine(env, claim, result);
	await settleBatch(env, claim.batch_id);
}

/**
 * One worker of a key's batches: claims a line at a time (within the key's concurrency, which the claim itself
 * enforces), runs it and stores its result, until nothing is claimable or its time is up; then, if lines are still
 * waiting, sends a fresh worker in its place. Overdue batches of the key are expired on the way out. A message
 * delivered again after a crash is one more worker, which claims only what is claimable.
 */
export async function runWorker(env: Env, ctx: ExecutionContext, gatewayFetch: GatewayFetch, tokenId: number, started = Date.now()): Promise<void> {
	const seen = new Map<string, RunningBatch | null>();
	for (;;) {
		if (Date.now() - started >= WORKER_BUDGET_MS) {
			await startWorkers(env, tokenId, 1);
			break;
		}
		const claim = await claimLine(env, tokenId);
		if (!claim) break;
		await runClaimed(env, ctx, gatewayFetch, seen, claim);
	}
	for (const id of await overdueBatches(env, Date.now(), tokenId)) await expireBatch(env, id);
}

/**
 * The batch queue's consumer: each message is a worker, and the workers of one delivery run side by side (they are
 * the key's concurrency). A message that is not a worker's goes, after its retries, to the dead-letter queue.
 */
export async function consumeBatchWorkers(batch: MessageBatch, env: Env, ctx: ExecutionContext, gatewayFetch: GatewayFetch): Promise<void> {
	await Promise.all(
		batch.messages.map(async (message) => {
			const parsed = batchMessage.safeParse(message.body);
			if (!parsed.success) {
				message.retry();
				return;
			}
			try {
				await runWorker(env, ctx, gatewayFetch, parsed.data.token_id);
				message.ack();
			} catch (err) {
				console.error(JSON.stringify({ level: "error", event: "batch_worker_failed", token_id: parsed.data.token_id, error: String(err) }));
				message.retry({ delaySeconds: Math.min(300, 5 * 2 ** (message.attempts - 1)) });
			}
		}),
	);
}
