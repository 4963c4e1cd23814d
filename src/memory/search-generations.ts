import { sql } from "drizzle-orm";
import { type Db, db } from "../db/client";
import { memorySearchGenerations as g } from "../db/schema";
import { type Entities, type EntityColumns, entitiesOfRow } from "./filters";
import { OWNER_EPOCH, writtenScopes } from "./search-scopes";

/**
 * The generations a cached memory search is checked against (src/memory/search-cache.ts). Every change to what a
 * search returns bumps them: in the D1 batch that writes the memories (so no search reads the new rows under the old
 * generation for long, even if the Worker dies right after), and again once their vectors are written or removed,
 * because a search that ran in between read the new rows with the old vectors. Feedback and history are not read by
 * a search, and bump nothing.
 */

/** What a bump reads of a memory row (not the row type of memories.ts, which imports this file). */
type WrittenRow = EntityColumns & { ownerId: number };

/** `WHERE true`: SQLite parses an upsert after a SELECT only with a WHERE. */
function bump(d: Db, ownerId: number, scopes: readonly string[]) {
	return d
		.insert(g)
		.select(sql`SELECT ${ownerId}, value, 1 FROM json_each(${JSON.stringify(scopes)}) WHERE true`)
		.onConflictDoUpdate({ target: [g.ownerId, g.scope], set: { generation: sql`${g.generation} + 1` } });
}

/** The bump of a write to memories of these entities, for a drizzle batch. */
export function bumpQuery(d: Db, ownerId: number, written: readonly Entities[]) {
	return bump(d, ownerId, writtenScopes(written));
}

/** The same bump for a batch of D1's own statements. */
export function bumpStatement(env: Env, ownerId: number, written: readonly Entities[]): D1PreparedStatement {
	return prepared(env, bump(db(env), ownerId, writtenScopes(written)));
}

function prepared(env: Env, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
	const q = query.toSQL();
	return env.DB.prepare(q.sql).bind(...q.params);
}

/** The bumps of a write to these memories (one per owner), for a batch of D1's own statements. */
export function rowBumps(env: Env, rows: readonly WrittenRow[]): D1PreparedStatement[] {
	const byOwner = new Map<number, Entities[]>();
	for (const r of rows) byOwner.set(r.ownerId, [...(byOwner.get(r.ownerId) ?? []), entitiesOfRow(r)]);
	return [...byOwner].map(([ownerId, written]) => bumpStatement(env, ownerId, written));
}

/** Bumps the scopes of these memories, after a change of theirs outside D1 (their vectors). */
export async function touchMemories(env: Env, rows: readonly WrittenRow[]): Promise<void> {
	const bumps = rowBumps(env, rows);
	if (bumps.length > 0) await env.DB.batch(bumps);
}

/** A new epoch for the owner: every search of theirs cached before is stale (a purge removing their memories). */
export function bumpEpoch(env: Env, ownerId: number): D1PreparedStatement {
	return prepared(env, bump(db(env), ownerId, [OWNER_EPOCH]));
}

/** Removes the owner's entity scopes (the client's names for people), keeping the epoch; with bumpEpoch, in one batch. */
export function forgetScopes(env: Env, ownerId: number): D1PreparedStatement {
	return env.DB.prepare("DELETE FROM memory_search_generations WHERE owner_id = ?1 AND scope != ?2").bind(ownerId, OWNER_EPOCH);
}

/** The generations of these scopes, as one comparable string (a missing row is 0): one read of the primary key. */
export async function readGenerations(env: Env, ownerId: number, scopes: readonly string[]): Promise<string> {
	const { results } = await env.DB.prepare(
		"SELECT scope, generation FROM memory_search_generations WHERE owner_id = ?1 AND scope IN (SELECT value FROM json_each(?2))",
	)
		.bind(ownerId, JSON.stringify(scopes))
		.all<{ scope: string; generation: number }>();
	const found = new Map(results.map((r) => [r.scope, r.generation]));
	return scopes.map((s) => `${found.get(s) ?? 0}`).join(",");
}
