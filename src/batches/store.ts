import { and, asc, desc, eq, gt, lt, or, type SQL } from "drizzle-orm";
import { mayTouch } from "../auth/policy";
import { keyPrincipal } from "../auth/principal";
import { db } from "../db/client";
import { type BatchRow, batches } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import { findFile } from "../knowledge/files/store";
import type { CallerKey } from "../types/caller";

export async function findBatch(env: Env, id: string): Promise<BatchRow | undefined> {
	const [row] = await db(env).select().from(batches).where(eq(batches.id, id)).limit(1);
	return row;
}

export interface BatchListing {
	userId: number;
	dialect: BatchRow["dialect"];
	/** Older than this batch (the next page, newest first). */
	after?: BatchRow | undefined;
	/** Newer than this batch (Anthropic's `before_id`): read oldest first from it, then put back in order. */
	before?: BatchRow | undefined;
	/** The page size plus one, to learn whether there is more. */
	take: number;
}

/** A user's batches of one API, newest first, ties broken by id, so that a cursor continues exactly where a page ended. */
export async function listBatches(env: Env, q: BatchListing): Promise<BatchRow[]> {
	const filters: (SQL | undefined)[] = [eq(batches.userId, q.userId), eq(batches.dialect, q.dialect)];
	const beyond = (at: BatchRow, cmp: typeof lt) => or(cmp(batches.createdAt, at.createdAt), and(eq(batches.createdAt, at.createdAt), cmp(batches.id, at.id)));
	if (q.after) filters.push(beyond(q.after, lt));
	if (q.before) filters.push(beyond(q.before, gt));
	const by = q.before ? asc : desc;
	const rows = await db(env)
		.select()
		.from(batches)
		.where(and(...filters))
		.orderBy(by(batches.createdAt), by(batches.id))
		.limit(q.take);
	return q.before ? rows.reverse() : rows;
}

/** The caller's batch of this API: another user's (or the other API's) answers exactly as one that does not exist. */
export async function ownBatch(env: Env, caller: CallerKey, id: string, dialect: BatchRow["dialect"], param = "batch_id"): Promise<BatchRow> {
	const row = await findBatch(env, id);
	if (!row || row.dialect !== dialect || !mayTouch(keyPrincipal(caller), row.userId)) {
		throw new GatewayError("not_found", `No batch found with id '${id}'.`, { param });
	}
	return row;
}

const ENDED = new Set<BatchRow["status"]>(["completed", "expired", "cancelled", "failed"]);

/** Whether a batch has ended: nothing of it runs any more, and its files, if any, are written. */
export const hasEnded = (row: Pick<BatchRow, "status">): boolean => ENDED.has(row.status);

/** The batch's output file in R2 (Anthropic's and Gemini's results), or null when it has none or it was deleted. */
export async function outputObject(env: Env, row: BatchRow): Promise<R2ObjectBody | null> {
	const file = row.outputFileId === null ? undefined : await findFile(env, row.outputFileId);
	return file ? await env.FILES.get(file.r2Key) : null;
}
