import { and, eq } from "drizzle-orm";
import { type MemoryMessage, memoryMessage } from "../../queues/memory-message";
import { db } from "../db/client";
import { memoryEvents } from "../db/schema";
import { type EventRow, recordEvent } from "./events";

/** Below a queue message's 128 KB, with room for the queue's own envelope. */
export const MAX_QUEUED_BYTES = 120_000;

/** Whether the message fits a queue message (the conversation travels in it): callers check before queueing. */
export function fitsQueue(message: MemoryMessage): boolean {
	return new TextEncoder().encode(JSON.stringify(message)).length <= MAX_QUEUED_BYTES;
}

/** The queue message an event keeps in its payload, if it is an extraction's. */
export function messageOf(event: Pick<EventRow, "payload">): MemoryMessage | undefined {
	return memoryMessage.safeParse(event.payload?.message).data;
}

/**
 * Records the PENDING event that `message`'s extraction will finish (src/memory/extract.ts), keeping the message in
 * its payload, and queues it; the event's id is the message's, so the client can poll it at /mem0/v1/event/{id}/.
 * A send that fails leaves the event PENDING for the cron to send again (src/memory/upkeep.ts), unless `failUnsent`:
 * then the event is FAILED with the reason and the error goes on to the caller, who is still there to be told.
 */
export async function queueExtraction(
	env: Env,
	message: MemoryMessage,
	about: Record<string, unknown>,
	{ failUnsent = false }: { failUnsent?: boolean } = {},
): Promise<EventRow> {
	const event = await recordEvent(env, message.owner_id, "PENDING", { ...about, message }, null, message.event_id);
	try {
		await env.MEMORY_QUEUE.send(message);
	} catch (err) {
		if (failUnsent) {
			await db(env)
				.update(memoryEvents)
				.set({ status: "FAILED", error: "The extraction could not be queued", updatedAt: Date.now() })
				.where(and(eq(memoryEvents.id, event.id), eq(memoryEvents.status, "PENDING")));
		}
		throw err;
	}
	return event;
}
