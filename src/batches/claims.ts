import { config } from "../env";

/**
 * How long a claim on a line holds. A line still `running` after it is taken to be dead (its consumer crashed or was
 * evicted) and may be claimed again. Longer than any request may take (RELAY_DEADLINE_MS and a stream's idle bound).
 */
export const LEASE_MS = 10 * 60 * 1000;

/** A claimed line: where it is in its batch's input file, and the claim (to end it only if it is still ours). */
export interface ClaimedLine {
	batch_id: string;
	line: number;
	custom_id: string;
	offset: number;
	length: number;
	claimed_at: number;
	/** Earlier runs that ended in a failure worth another try (see retryLine). */
	retries: number;
}

/**
 * Claims the next line of the key's running batches (oldest batch first), in one statement that succeeds only while
 * fewer than the key's concurrency of its lines hold a live claim: two workers racing for the last slot cannot both
 * win, since SQLite runs one write at a time. A running line whose lease is over first, then the first pending one
 * (not one waiting to be tried again).
 * Each batch's candidate is two index lookups (batch_id, status): a claim costs the same on the first line of a
 * large batch as on its last, and only the key's running batches are sorted.
 */
const CLAIM = `UPDATE batch_lines SET status = 'running', claimed_at = ?2
WHERE rowid = (
	SELECT pick FROM (
		SELECT b.created_at, b.id, coalesce(
			(SELECT rowid FROM batch_lines WHERE batch_id = b.id AND status = 'running' AND claimed_at <= ?2 - ?3 LIMIT 1),
			(SELECT rowid FROM batch_lines WHERE batch_id = b.id AND status = 'pending' AND (claimed_at IS NULL OR claimed_at <= ?2)
				ORDER BY rowid LIMIT 1)) AS pick
		FROM batches b WHERE b.token_id = ?1 AND b.status = 'in_progress' AND b.expires_at > ?2)
	WHERE pick IS NOT NULL ORDER BY created_at, id LIMIT 1)
AND (SELECT count(*) FROM batch_lines WHERE token_id = ?1 AND status = 'running' AND claimed_at > ?2 - ?3)
	< coalesce((SELECT batch_concurrency FROM tokens WHERE id = ?1), ?4)
RETURNING batch_id, line, custom_id, offset, length, claimed_at, retries`;

/** The next line for a worker of this key to run; null when none is claimable now (none left, or all slots taken). */
export async function claimLine(env: Env, tokenId: number, now = Date.now()): Promise<ClaimedLine | null> {
	return env.DB.prepare(CLAIM).bind(tokenId, now, LEASE_MS, config(env).batchConcurrency).first<ClaimedLine>();
}

/** What became of a line: its answer, or why it could not be sent. */
export type LineResult =
	| { status: "succeeded" | "failed"; statusCode: number; requestId: string; body: unknown; retryAfterSeconds?: number | undefined }
	| { status: "failed"; statusCode: null; error: { code: string; message: string } };

const END_LINE = `UPDATE batch_lines SET status = ?4, status_code = ?5, result = ?6, ended_at = ?7
	WHERE batch_id = ?1 AND line = ?2 AND status = 'running' AND claimed_at = ?3 RETURNING status`;
const COUNT_LINE = "UPDATE batches SET completed = completed + ?2, failed = failed + ?3 WHERE id = ?1";

/**
 * Stores a line's result, if the claim is still ours (a line whose lease ran out may have been claimed again, and
 * that run's result stands), and counts it in its batch: one line more, not a count of them all (which a large batch
 * would pay for at every line). A death between the two leaves the count one short until the batch is finalized,
 * which counts its lines again.
 */
export async function endLine(env: Env, claim: ClaimedLine, result: LineResult, now = Date.now()): Promise<void> {
	const stored = result.statusCode === null ? { error: result.error } : { request_id: result.requestId, body: result.body };
	const ended = await env.DB.prepare(END_LINE)
		.bind(claim.batch_id, claim.line, claim.claimed_at, result.status, result.statusCode, JSON.stringify(stored), now)
		.first();
	if (!ended) return;
	const succeeded = result.status === "succeeded" ? 1 : 0;
	await env.DB.prepare(COUNT_LINE)
		.bind(claim.batch_id, succeeded, 1 - succeeded)
		.run();
}

const RETRY_LINE = `UPDATE batch_lines SET status = 'pending', claimed_at = ?4, retries = retries + 1
	WHERE batch_id = ?1 AND line = ?2 AND status = 'running' AND claimed_at = ?3 RETURNING line`;

/**
 * Puts a line whose run failed for a passing reason back, to run again no sooner than `at`, if the claim is still
 * ours. Its next run has a request id of its own: the failed run's usage row (which charged nothing) stays.
 */
export async function retryLine(env: Env, claim: ClaimedLine, at: number): Promise<boolean> {
	return (await env.DB.prepare(RETRY_LINE).bind(claim.batch_id, claim.line, claim.claimed_at, at).first()) !== null;
}

const RECOUNT = `UPDATE batches SET (completed, failed, cancelled_lines, expired_lines) = (
	SELECT coalesce(sum(status = 'succeeded'), 0), coalesce(sum(status = 'failed'), 0), coalesce(sum(status = 'cancelled'), 0),
		coalesce(sum(status = 'expired'), 0)
	FROM batch_lines WHERE batch_id = ?1) WHERE id = ?1`;

/**
 * The batch's `request_counts`, counted again from its lines: idempotent, however often and by whom it runs. Once
 * per batch when it is finalized, and when lines end many at once (cancelled, expired).
 */
export function recount(db: D1Database, batchId: string): D1PreparedStatement {
	return db.prepare(RECOUNT).bind(batchId);
}
