import type { MemoryMessage } from "../../queues/memory-message";
import { type EventRow, recordEvent } from "./events";

/** Below a queue message's 128 KB, with room for the queue's own envelope. */
export const MAX_QUEUED_BYTES = 120_000;

/** Whether the message fits a queue message (the conversation travels in it): callers check before queueing. */
export function fitsQueue(message: MemoryMessage): boolean {
	return new TextEncoder().encode(JSON.stringify(message)).length <= MAX_QUEUED_BYTES;
}

/**
 * Records the PENDING event that `message`'s extraction will finish (src/memory/extract.ts) and queues it; the
 * event's id is the message's, so the client can poll it at /mem0/v1/event/{id}/.
 */
export async function queueExtraction(env: Env, message: MemoryMessage, payload: Record<string, unknown>): Promise<EventRow> {
	const event = await recordEvent(env, message.owner_id, "PENDING", payload, null, message.event_id);
	await env.MEMORY_QUEUE.send(message);
	return event;
}
