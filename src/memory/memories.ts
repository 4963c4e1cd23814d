import { and, count, desc, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { db } from "../db/client";
import { memories, memoryHistory } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import { sha256Hex } from "../lib/crypto";
import { type Entities, filterSql, type MemoryFilter } from "./filters";

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
	const [inserted] = await d.batch([d.insert(memories).values(rows).returning(), d.insert(memoryHistory).values(history)]);
	return inserted;
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

/** The owner's current memories among `seqs` that pass the filter, by seq. */
export async function memoriesBySeq(env: Env, ownerId: number, seqs: readonly number[], filter: MemoryFilter): Promise<Map<number, MemoryRow>> {
	if (seqs.length === 0) return new Map();
	const rows = await db(env)
		.select()
		.from(memories)
		.where(and(inArray(memories.seq, [...seqs]), current(ownerId, filter)));
	return new Map(rows.map((r) => [r.seq, r]));
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
	]);
	if (!updated) throw new GatewayError("not_found", `Memory ${row.id} not found`);
	return updated;
}

/** Deletes memories of one owner, each leaving a DELETE in its history (kept: Mem0 shows a deleted memory's history). */
export async function deleteMemories(env: Env, rows: readonly MemoryRow[]): Promise<void> {
	const [first] = rows;
	if (!first) return;
	const now = Date.now();
	const d = db(env);
	for (let i = 0; i < rows.length; i += 50) {
		const part = rows.slice(i, i + 50);
		await d.batch([
			d.delete(memories).where(
				inArray(
					memories.seq,
					part.map((r) => r.seq),
				),
			),
			d
				.insert(memoryHistory)
				.values(part.map((r) => ({ memoryId: r.id, ownerId: r.ownerId, event: "DELETE" as const, oldMemory: r.memory, newMemory: null, createdAt: now }))),
		]);
	}
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
