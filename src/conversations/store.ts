import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import { jsonText } from "../lib/json-text";
import { newId } from "../protocols/responses/response";
import type { StoredItem } from "./items";

export type Metadata = Record<string, string>;

const conversationRow = z
	.object({ id: z.string(), owner_id: z.number(), metadata: jsonText.pipe(z.record(z.string(), z.string())).nullable(), created_at: z.number() })
	.transform((r) => ({ id: r.id, ownerId: r.owner_id, metadata: r.metadata, createdAt: r.created_at }));

export type ConversationRow = z.output<typeof conversationRow>;

const itemRow = z.object({ seq: z.number(), item: jsonText.pipe(z.looseObject({ id: z.string(), type: z.string() })) });

/** OpenAI's conversation object; `created_at` in seconds, as OpenAI counts it. */
export function conversationView(c: ConversationRow) {
	return { id: c.id, object: "conversation" as const, created_at: Math.floor(c.createdAt / 1000), metadata: c.metadata ?? {} };
}

function notFound(what: string, id: string, param: string): GatewayError {
	return new GatewayError("not_found", `No ${what} found with id '${id}'.`, { param });
}

/** The conversation's row and items written in one batch, so that a conversation is never seen half made. */
export async function createConversation(db: D1Database, ownerId: number, metadata: Metadata | null, items: StoredItem[]): Promise<ConversationRow> {
	const id = newId("conv");
	const [first] = await db.batch([
		db
			.prepare("INSERT INTO conversations (id, owner_id, metadata, updated_at) VALUES (?1, ?2, ?3, cast(unixepoch('subsec') * 1000 as integer)) RETURNING *")
			.bind(id, ownerId, metadata && JSON.stringify(metadata)),
		...insertItems(db, id, ownerId, items),
	]);
	const row = first?.results[0];
	if (row === undefined) throw new GatewayError("internal_error", "The conversation was not created");
	return conversationRow.parse(row);
}

/** A conversation of `ownerId`'s; anyone else's, like one that does not exist, is a 404. */
export async function findConversation(db: D1Database, id: string, ownerId: number): Promise<ConversationRow> {
	const row = await db.prepare("SELECT * FROM conversations WHERE id = ?1 AND owner_id = ?2").bind(id, ownerId).first();
	if (row === null) throw notFound("conversation", id, "conversation_id");
	return conversationRow.parse(row);
}

export async function setMetadata(db: D1Database, c: ConversationRow, metadata: Metadata | null): Promise<ConversationRow> {
	await db
		.prepare("UPDATE conversations SET metadata = ?2 WHERE id = ?1")
		.bind(c.id, metadata && JSON.stringify(metadata))
		.run();
	return { ...c, metadata };
}

/** Deletes a conversation, its turns and its items together. */
export async function deleteConversation(db: D1Database, c: Pick<ConversationRow, "id">): Promise<void> {
	await db.batch([
		db.prepare("DELETE FROM conversation_items WHERE conversation_id = ?1").bind(c.id),
		db.prepare("DELETE FROM conversation_turns WHERE conversation_id = ?1").bind(c.id),
		db.prepare("DELETE FROM conversations WHERE id = ?1").bind(c.id),
	]);
}

function insertItems(db: D1Database, conversationId: string, ownerId: number, items: StoredItem[]): D1PreparedStatement[] {
	return items.map((i) =>
		db
			.prepare("INSERT INTO conversation_items (id, conversation_id, owner_id, type, role, item) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
			.bind(i.id, conversationId, ownerId, i.type, i.role, JSON.stringify(i.item)),
	);
}

/** Marks a conversation active now: lists put it first, and retention and summaries count idle time from here. */
function touch(db: D1Database, id: string): D1PreparedStatement {
	return db.prepare("UPDATE conversations SET updated_at = cast(unixepoch('subsec') * 1000 as integer) WHERE id = ?1").bind(id);
}

/** Appends items to a conversation, in the order given, after every item it has. */
export async function addItems(db: D1Database, c: ConversationRow, items: StoredItem[]): Promise<void> {
	const statements = insertItems(db, c.id, c.ownerId, items);
	if (statements.length) await db.batch([...statements, touch(db, c.id)]);
}

export async function findItem(db: D1Database, c: ConversationRow, itemId: string) {
	const row = await db.prepare("SELECT seq, item FROM conversation_items WHERE id = ?1 AND conversation_id = ?2").bind(itemId, c.id).first();
	if (row === null) throw notFound("item", itemId, "item_id");
	return itemRow.parse(row).item;
}

export async function deleteItem(db: D1Database, c: ConversationRow, itemId: string): Promise<void> {
	const result = await db.prepare("DELETE FROM conversation_items WHERE id = ?1 AND conversation_id = ?2").bind(itemId, c.id).run();
	if (result.meta.changes === 0) throw notFound("item", itemId, "item_id");
}

export interface ItemPageQuery {
	limit: number;
	order: "asc" | "desc";
	after?: string | undefined;
}

/** A page of a conversation's items in the order they were added (`asc`) or newest first; `after` is an item id. */
export async function listItems(db: D1Database, c: ConversationRow, q: ItemPageQuery) {
	let after: number | undefined;
	if (q.after !== undefined) {
		const row = await db.prepare("SELECT seq FROM conversation_items WHERE id = ?1 AND conversation_id = ?2").bind(q.after, c.id).first<{ seq: number }>();
		if (row === null) throw new GatewayError("invalid_request", `No item '${q.after}' in this conversation to page from`, { param: "after" });
		after = row.seq;
	}
	const asc = q.order === "asc";
	const rows = await db
		.prepare(
			`SELECT seq, item FROM conversation_items WHERE conversation_id = ?1 AND (?2 IS NULL OR seq ${asc ? ">" : "<"} ?2) ORDER BY seq ${asc ? "ASC" : "DESC"} LIMIT ?3`,
		)
		.bind(c.id, after ?? null, q.limit + 1)
		.all();
	const items = rows.results.map((r) => itemRow.parse(r).item);
	return { items: items.slice(0, q.limit), hasMore: items.length > q.limit };
}

/**
 * A conversation of `ownerId`'s and its most recent `max` items, oldest first: the history a model turn in it is
 * given. One query (a turn's first byte waits for it); another user's conversation is a 404.
 */
export async function conversationHistory(db: D1Database, id: string, ownerId: number, max: number) {
	const rows = await db
		.prepare(
			`SELECT c.*, i.seq, i.item FROM conversations c
			LEFT JOIN (SELECT seq, item FROM conversation_items WHERE conversation_id = ?1 ORDER BY seq DESC LIMIT ?3) i
			WHERE c.id = ?1 AND c.owner_id = ?2 ORDER BY i.seq ASC`,
		)
		.bind(id, ownerId, max)
		.all<Record<string, unknown>>();
	const [first] = rows.results;
	if (first === undefined) throw notFound("conversation", id, "conversation");
	const conversation = conversationRow.parse(first);
	const items = rows.results.flatMap((r) => (r.item === null ? [] : [itemRow.parse(r).item]));
	return { conversation, items };
}
