import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { db } from "../db/client";
import { memories } from "../db/schema";
import { vectorIndex } from "../knowledge/vector-index";
import { memorySupersedesFormat } from "../protocols/memory-facts";
import { askModel, type ModelContext } from "./ask-model";
import { entitiesOfRow } from "./filters";
import type { MemoryRow } from "./memories";
import { bumpStatement, touchMemories } from "./search-generations";
import { memoryNamespace, unindexMemories } from "./vectors";

/** Existing memories a new fact is compared with: its nearest of the same entity. */
const NEIGHBOURS = 5;

const PROMPT = `You keep a user's memories current. The user message is JSON: a new fact, and existing memories about the
same user. List the ids of the existing memories that the new fact contradicts, updates or repeats (they are about
the same thing and the new fact replaces them). Memories about other things are not listed.
Answer with JSON only: {"superseded": ["<id>", ...]}; none: {"superseded": []}.`;

const supersedesReply = z.object({ superseded: z.array(z.string()) });

/**
 * Mem0 v3 only ever adds, so a changed fact leaves the old one to contradict it. Here each new memory is compared with
 * its nearest current memories of the same entity, and MEMORY_MODEL says which of them it contradicts or repeats:
 * those are superseded (hidden from list and search, their vector removed), with an UPDATE in their history from the
 * old text to the new. Best effort: a comparison that fails leaves both memories current, never loses the new one.
 */
export async function consolidate(ctx: ModelContext, fresh: readonly MemoryRow[], vectors: readonly Float32Array[]): Promise<{ old: MemoryRow; by: string }[]> {
	const freshIds = new Set(fresh.map((r) => r.id));
	const superseded: { old: MemoryRow; by: string }[] = [];
	for (const [i, row] of fresh.entries()) {
		const vector = vectors[i];
		if (!vector) continue;
		try {
			const { matches } = await vectorIndex(ctx.env, vector.length).query(vector, {
				topK: NEIGHBOURS,
				namespace: memoryNamespace(row.ownerId),
				filter: entityFilter(row),
			});
			const gone = new Set(superseded.map((s) => s.old.id));
			const ids = matches.map((m) => m.id).filter((id) => !freshIds.has(id) && !gone.has(id));
			const candidates = await currentRows(ctx.env, row.ownerId, ids);
			if (candidates.length === 0) continue;
			const fact = JSON.stringify({ fact: row.memory, memories: candidates.map((c) => ({ id: c.id, text: c.memory })) });
			const { superseded: named } = await askModel(
				{ ...ctx, requestId: `${ctx.requestId}-${i}` },
				[
					{ role: "system", content: PROMPT },
					{ role: "user", content: fact },
				],
				memorySupersedesFormat,
				supersedesReply,
			);
			const old = candidates.filter((c) => named.includes(c.id));
			for (const o of old) if (await supersede(ctx.env, o, row)) superseded.push({ old: o, by: row.id });
		} catch {
			// Both stay current: a duplicate or stale memory is better than a lost one or a failed add.
		}
	}
	const old = superseded.map((s) => s.old);
	await unindexMemories(ctx.env, old);
	// Their rows were hidden (and bumped) before their vectors went: searches in between are not served again.
	await touchMemories(ctx.env, old);
	return superseded;
}

/** The memory's own entity ids, each required: another entity's memories are not its to supersede. */
function entityFilter(row: MemoryRow): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(entitiesOfRow(row))) if (v !== undefined) out[k] = v;
	return out;
}

async function currentRows(env: Env, ownerId: number, ids: readonly string[]): Promise<MemoryRow[]> {
	if (ids.length === 0) return [];
	return db(env)
		.select()
		.from(memories)
		.where(and(eq(memories.ownerId, ownerId), isNull(memories.supersededBy), sql`${memories.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`));
}

/**
 * Hides `old` behind `by`, with an UPDATE in its history and its searches' generations bumped; false when something
 * else superseded it first.
 */
async function supersede(env: Env, old: MemoryRow, by: MemoryRow): Promise<boolean> {
	const now = Date.now();
	const [changed] = await env.DB.batch([
		env.DB.prepare("UPDATE memories SET superseded_by = ?1, updated_at = ?2 WHERE seq = ?3 AND superseded_by IS NULL").bind(by.id, now, old.seq),
		// Only when this update hid it (the row now names `by` and this time).
		env.DB.prepare(
			`INSERT INTO memory_history (memory_id, owner_id, event, old_memory, new_memory, created_at)
			SELECT id, owner_id, 'UPDATE', memory, ?1, ?2 FROM memories WHERE seq = ?3 AND superseded_by = ?4 AND updated_at = ?2`,
		).bind(by.memory, now, old.seq, by.id),
		bumpStatement(env, old.ownerId, [entitiesOfRow(old)]),
	]);
	return (changed?.meta.changes ?? 0) > 0;
}
