import { and, asc, lt, sql } from "drizzle-orm";
import { db } from "../db/client";
import { memoryEvents } from "../db/schema";
import { messageOf } from "./enqueue";

/**
 * An extraction unfinished this long has lost its message: a send that failed, or deliveries that all died before
 * finishing (a consumer's tries take a few minutes at most, backoff included).
 */
const STUCK_MS = 15 * 60_000;
const PER_RUN = 100;

/**
 * The cron's share of memory: sends again the message of each extraction still PENDING or RUNNING after STUCK_MS,
 * from the copy its event keeps. A duplicate is harmless: the consumer stores facts only for a PENDING event and
 * resumes a RUNNING one (src/memory/extract.ts). Returns how many it sent.
 */
export async function memoryUpkeep(env: Env, now: number): Promise<number> {
	const stuck = await db(env)
		.select({ id: memoryEvents.id, payload: memoryEvents.payload })
		.from(memoryEvents)
		// Spelled as the partial index memory_events_open_idx is (migration 0014), so that SQLite reads only it.
		.where(and(sql`${memoryEvents.status} IN ('PENDING', 'RUNNING')`, lt(memoryEvents.updatedAt, now - STUCK_MS)))
		.orderBy(asc(memoryEvents.updatedAt))
		.limit(PER_RUN);
	const messages = stuck.flatMap((e) => {
		const message = messageOf(e);
		return message ? [{ body: message }] : [];
	});
	if (messages.length === 0) return 0;
	await env.MEMORY_QUEUE.sendBatch(messages);
	// Not again before another STUCK_MS: the consumer may simply not have got to it yet.
	await db(env)
		.update(memoryEvents)
		.set({ updatedAt: now })
		// One JSON parameter for the ids: D1 binds at most 100 a statement.
		.where(sql`${memoryEvents.id} IN (SELECT value FROM json_each(${JSON.stringify(stuck.map((e) => e.id))}))`);
	return messages.length;
}
