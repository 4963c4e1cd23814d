import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { MemoryMessage } from "../../queues/memory-message";
import { db } from "../db/client";
import { memories } from "../db/schema";
import { sha256Hex } from "../lib/crypto";
import type { MemoryRow } from "./memories";
import { bumpStatement } from "./search-generations";

/** An extraction's ADD results, as its event keeps them from the moment its memories are stored. */
type AddResult = { id: string; data: { memory: string }; event: "ADD" };
const storedResults = z.array(z.object({ id: z.string() }));

/**
 * Stores an extraction's facts as memories (each with its ADD in the history) and moves its event from PENDING to
 * RUNNING with their ids, in one D1 batch (one transaction) that also bumps the entity's search generations: either
 * the memories exist and the event says so, or neither. Every statement requires the event to be PENDING, so a second
 * delivery of the same message (after a crash before the event was finished, or running beside the first) stores
 * nothing again. Null when the event was no longer PENDING; else the memories, in the facts' order.
 */
export async function storeFacts(env: Env, msg: MemoryMessage, facts: readonly string[], dimensions: number | null): Promise<MemoryRow[] | null> {
	const now = Date.now();
	const items = await Promise.all(facts.map(async (memory) => ({ id: crypto.randomUUID(), memory, hash: await sha256Hex(memory) })));
	const results: AddResult[] = items.map((i) => ({ id: i.id, data: { memory: i.memory }, event: "ADD" }));
	const rows = JSON.stringify(items);
	const pending = "EXISTS (SELECT 1 FROM memory_events WHERE id = ?2 AND owner_id = ?3 AND status = 'PENDING')";
	const e = msg.entities;
	const [, , moved] = await env.DB.batch([
		env.DB.prepare(
			`INSERT INTO memories (id, owner_id, user_id, agent_id, app_id, run_id, memory, metadata, hash, dimensions, created_at, updated_at)
			SELECT json_extract(value, '$.id'), ?3, ?4, ?5, ?6, ?7, json_extract(value, '$.memory'), ?8, json_extract(value, '$.hash'), ?9, ?10, ?10
			FROM json_each(?1) WHERE ${pending} ORDER BY key`,
		).bind(
			rows,
			msg.event_id,
			msg.owner_id,
			e.user_id ?? null,
			e.agent_id ?? null,
			e.app_id ?? null,
			e.run_id ?? null,
			msg.metadata === null ? null : JSON.stringify(msg.metadata),
			dimensions,
			now,
		),
		env.DB.prepare(
			`INSERT INTO memory_history (memory_id, owner_id, event, old_memory, new_memory, created_at)
			SELECT json_extract(value, '$.id'), ?3, 'ADD', NULL, json_extract(value, '$.memory'), ?4 FROM json_each(?1) WHERE ${pending} ORDER BY key`,
		).bind(rows, msg.event_id, msg.owner_id, now),
		env.DB.prepare("UPDATE memory_events SET status = 'RUNNING', results = ?1, updated_at = ?4 WHERE id = ?2 AND owner_id = ?3 AND status = 'PENDING'").bind(
			JSON.stringify(results),
			msg.event_id,
			msg.owner_id,
			now,
		),
		bumpStatement(env, msg.owner_id, [e]),
	]);
	if ((moved?.meta.changes ?? 0) === 0) return null;
	return memoriesOf(
		env,
		msg.owner_id,
		items.map((i) => i.id),
	);
}

/** The current memories a RUNNING event stored (its `results`), in their order: what a redelivery resumes with. */
export function storedMemories(env: Env, ownerId: number, results: unknown): Promise<MemoryRow[]> {
	const parsed = storedResults.safeParse(results);
	return memoriesOf(env, ownerId, parsed.success ? parsed.data.map((r) => r.id) : []);
}

async function memoriesOf(env: Env, ownerId: number, ids: readonly string[]): Promise<MemoryRow[]> {
	if (ids.length === 0) return [];
	return db(env)
		.select()
		.from(memories)
		.where(and(eq(memories.ownerId, ownerId), isNull(memories.supersededBy), sql`${memories.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`))
		.orderBy(memories.seq);
}
