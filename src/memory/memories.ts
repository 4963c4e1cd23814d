import { and, count, desc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { db } from "../db/client";
import { memories, memoryHistory } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import { sha256Hex } from "../lib/crypto";
import { type Entities, entitiesOfRow, filterSql, type MemoryFilter } from "./filters";
import { bumpQuery, rowBumps } from "./search-generations";

export type MemoryRow = typeof memories.$inferSelect;

export interface NewMemory {
	memory: string;
	entities: Entities;
	metadata: Record<string, unknown> | null;
}

function current(ownerId: number, filter?: MemoryFilter): SQL | undefined {
	return and(eq(memories.ownerId, ownerId), isNull(memories.supersededBy), filter ? filterSql(filter) : undefined);
}

/** Stores memories of one owner, each with its ADD in the history; `dimensions` is their embedding's, if indexed. */
export async function insertMemories(env: Env, ownerId: number, items: readonly NewMemory[], dimensions: number | null): Promise<MemoryRow[]> {
	if (items.length === 0) return [];
	const now = Date.now();
	const rows = await Promise.all(
		items.map(async (m) => ({
			id: crypto.randomUUID(),
			ownerId,
			entityUserId: m.entities.user_id ?? null,
			agentId: m.entities.agent_id ?? null,
			appId: m.entities.app_id ?? null,
			runId: m.entities.run_id ?? null,
			memory: m.memory,
			metadata: m.metadata,
			hash: await sha256Hex(m.memory),
			dimensions,
			createdAt: now,
			updatedAt: now,
		})),
	);
	const d = db(env);
	const history = rows.map((r) => ({ memoryId: r.id, ownerId, event: "ADD" as const, oldMemory: null, newMemory: r.memory, createdAt: now }));
	// D1 binds at most 100 parameters a statement: a memory row takes 12, a history row 6.
	const [first, ...rest] = [
		...chunks(rows, 8).map((part) => d.insert(memories).values(part)),
		...chunks(history, 16).map((part) => d.insert(memoryHistory).values(part)),
	];
	if (!first) return [];
	const written = items.map((m) => m.entities);
	await d.batch([first, ...rest, bumpQuery(d, ownerId, written)]);
	const stored = await d
		.select()
		.from(memories)
		.where(sql`${memories.id} IN (SELECT value FROM json_each(${JSON.stringify(rows.map((r) => r.id))}))`)
		.orderBy(memories.seq);
	return stored;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

/** One current memory of the owner; any other owner's, or none, is 404 (its existence is not revealed). */
export async function findMemory(env: Env, ownerId: number, id: string): Promise<MemoryRow> {
	const [row] = await db(env)
		.select()
		.from(memories)
		.where(and(eq(memories.id, id), current(ownerId)))
		.limit(1);
	if (!row) throw new GatewayError("not_found", `Memory ${id} not found`);
	return row;
}

export async function listMemories(env: Env, ownerId: number, filter: MemoryFilter, page: number, pageSize: number) {
	const where = current(ownerId, filter);
	const d = db(env);
	const [rows, [total]] = await Promise.all([
		d
			.select()
			.from(memories)
			.where(where)
			.orderBy(desc(memories.createdAt), desc(memories.seq))
			.limit(pageSize)
			.offset((page - 1) * pageSize),
		d.select({ n: count() }).from(memories).where(where),
	]);
	return { rows, count: total?.n ?? 0 };
}

export interface MemoryChange {
	text?: string | undefined;
	metadata?: Record<string, unknown> | undefined;
	/** The new text's embedding dimension, when it was re-embedded. */
	dimensions?: number | undefined;
}

export async function updateMemory(env: Env, row: MemoryRow, { text, metadata, dimensions }: MemoryChange): Promise<MemoryRow> {
	const now = Date.now();
	const memory = text ?? row.memory;
	const d = db(env);
	const [[updated]] = await d.batch([
		d
			.update(memories)
			.set({ memory, hash: await sha256Hex(memory), metadata: metadata ?? row.metadata, dimensions: dimensions ?? row.dimensions, updatedAt: now })
			.where(eq(memories.seq, row.seq))
			.returning(),
		d.insert(memoryHistory).values({ memoryId: row.id, ownerId: row.ownerId, event: "UPDATE", oldMemory: row.memory, newMemory: memory, createdAt: now }),
		bumpQuery(d, row.ownerId, [entitiesOfRow(row)]),
	]);
	if (!updated) throw new GatewayError("not_found", `Memory ${row.id} not found`);
	return updated;
}

/**
 * Deletes memories, each leaving a DELETE in its history (kept: Mem0 shows a deleted memory's history), and bumps
 * their searches' generations in the same batch. Their vectors are removed first (unindexMemories).
 */
export async function deleteMemories(env: Env, rows: readonly MemoryRow[]): Promise<void> {
	const now = Date.now();
	// The seqs go as one JSON parameter: D1 binds at most 100 a statement.
	const history = env.DB.prepare(
		`INSERT INTO memory_history (memory_id, owner_id, event, old_memory, new_memory, created_at)
		SELECT id, owner_id, 'DELETE', memory, NULL, ?1 FROM memories WHERE seq IN (SELECT value FROM json_each(?2)) ORDER BY seq`,
	);
	// The feedback goes with its memory (the history stays: Mem0 shows a deleted memory's history, not its feedback).
	const feedback = env.DB.prepare(
		"DELETE FROM memory_feedback WHERE (owner_id, memory_id) IN (SELECT owner_id, id FROM memories WHERE seq IN (SELECT value FROM json_each(?1)))",
	);
	const remove = env.DB.prepare("DELETE FROM memories WHERE seq IN (SELECT value FROM json_each(?1))");
	for (const part of chunks(rows, 500)) {
		const seqs = JSON.stringify(part.map((r) => r.seq));
		await env.DB.batch([history.bind(now, seqs), feedback.bind(seqs), remove.bind(seqs), ...rowBumps(env, part)]);
	}
}

/** The owner's current memories of these ids, in their order; 404 naming the first that is not one. */
export async function findMemories(env: Env, ownerId: number, ids: readonly string[]): Promise<MemoryRow[]> {
	const rows = await db(env)
		.select()
		.from(memories)
		.where(and(sql`${memories.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`, current(ownerId)));
	const byId = new Map(rows.map((r) => [r.id, r]));
	return ids.map((id) => {
		const row = byId.get(id);
		if (!row) throw new GatewayError("not_found", `Memory ${id} not found`);
		return row;
	});
}

/** Every current memory of the owner that the filter selects (for deleting all of an entity). */
export function selectMemories(env: Env, ownerId: number, filter: MemoryFilter): Promise<MemoryRow[]> {
	return db(env).select().from(memories).where(current(ownerId, filter));
}

export type HistoryRow = typeof memoryHistory.$inferSelect;

/** A memory's history, oldest first; 404 when the owner never had it. */
export async function historyOf(env: Env, ownerId: number, memoryId: string): Promise<HistoryRow[]> {
	const rows = await db(env)
		.select()
		.from(memoryHistory)
		.where(and(eq(memoryHistory.memoryId, memoryId), eq(memoryHistory.ownerId, ownerId)))
		.orderBy(memoryHistory.id);
	if (rows.length === 0) throw new GatewayError("not_found", `Memory ${memoryId} not found`);
	return rows;
}
