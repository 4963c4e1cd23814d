import { and, eq } from "drizzle-orm";
import { db } from "../db/client";
import { memoryEvents } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";

export type EventRow = typeof memoryEvents.$inferSelect;
export type EventStatus = EventRow["status"];

export async function recordEvent(
	env: Env,
	ownerId: number,
	status: EventStatus,
	payload: Record<string, unknown>,
	results: unknown[] | null,
	id: string = crypto.randomUUID(),
): Promise<EventRow> {
	const now = Date.now();
	const [row] = await db(env).insert(memoryEvents).values({ id, ownerId, status, payload, results, createdAt: now, updatedAt: now }).returning();
	if (!row) throw new GatewayError("internal_error", "The event was not recorded");
	return row;
}

/** One of the owner's events; anyone else's is 404. */
export async function findEvent(env: Env, ownerId: number, id: string): Promise<EventRow> {
	const [row] = await db(env)
		.select()
		.from(memoryEvents)
		.where(and(eq(memoryEvents.id, id), eq(memoryEvents.ownerId, ownerId)))
		.limit(1);
	if (!row) throw new GatewayError("not_found", `Event ${id} not found`);
	return row;
}
