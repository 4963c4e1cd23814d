import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import type { RetrieverResource } from "../protocols/dify/events";
import type { ChatMessage } from "../protocols/ir";
import type { ConversationRow } from "./store";

/** Whose conversations a Dify request reaches: one app's, of one of its end users (Dify's `user`), of one gateway user. */
export interface DifyScope {
	ownerId: number;
	appId: string;
	endUser: string;
}

const json = z.string().transform((s, ctx) => {
	try {
		return JSON.parse(s) as unknown;
	} catch {
		ctx.addIssue({ code: "custom", message: "not JSON" });
		return z.NEVER;
	}
});

const conversationRow = z
	.object({
		id: z.string(),
		owner_id: z.number(),
		name: z.string().nullable(),
		metadata: json.pipe(z.record(z.string(), z.string())).nullable(),
		created_at: z.number(),
		updated_at: z.number(),
	})
	.transform((r) => ({ id: r.id, ownerId: r.owner_id, name: r.name ?? "", metadata: r.metadata, createdAt: r.created_at, updatedAt: r.updated_at }));

export type DifyConversation = z.output<typeof conversationRow> & ConversationRow;

/** Dify's words for a conversation that is not the end user's (or does not exist). */
export const noConversation = () => new GatewayError("not_found", "Conversation Not Exists.", { param: "conversation_id" });

const SCOPED = "owner_id = ?2 AND app_id = ?3 AND end_user = ?4";

/** The end user's conversation in this app; anyone else's is "not found", as one that does not exist. */
export async function findDifyConversation(db: D1Database, id: string, s: DifyScope): Promise<DifyConversation> {
	const row = await db.prepare(`SELECT * FROM conversations WHERE id = ?1 AND ${SCOPED}`).bind(id, s.ownerId, s.appId, s.endUser).first();
	if (row === null) throw noConversation();
	return conversationRow.parse(row);
}

export interface NewDifyConversation {
	id: string;
	scope: DifyScope;
	keyId: number;
	name: string;
	/** Dify's `inputs` as the conversation keeps them: its first message's, as strings. */
	inputs: Record<string, string>;
}

/** Starts a conversation, written in the batch of its first turn (so that one is never seen without the other). */
export function newConversationStatement(db: D1Database, c: NewDifyConversation): D1PreparedStatement {
	return db
		.prepare(
			"INSERT OR IGNORE INTO conversations (id, owner_id, metadata, app_id, end_user, key_id, name, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, cast(unixepoch('subsec') * 1000 as integer))",
		)
		.bind(c.id, c.scope.ownerId, Object.keys(c.inputs).length ? JSON.stringify(c.inputs) : null, c.scope.appId, c.scope.endUser, c.keyId, c.name);
}

const historyRow = z.object({ role: z.string().nullable(), item: json.pipe(z.looseObject({ content: z.unknown() })) });
const textPart = z.looseObject({ type: z.string(), text: z.string().optional() });

/** A stored message item's text: its text parts joined (images of earlier turns are not sent again). */
export function itemText(content: unknown): string {
	if (typeof content === "string") return content;
	if (!Array.isArray(content)) return "";
	return content
		.flatMap((p) => {
			const part = textPart.safeParse(p);
			return part.success && part.data.text !== undefined && (part.data.type === "input_text" || part.data.type === "output_text") ? [part.data.text] : [];
		})
		.join("\n");
}

/** The conversation's last `maxItems` messages, oldest first, as a chat's history. */
export async function historyOf(db: D1Database, conversationId: string, maxItems: number): Promise<ChatMessage[]> {
	const rows = await db
		.prepare(
			"SELECT role, item FROM conversation_items WHERE conversation_id = ?1 AND type = 'message' AND role IN ('user', 'assistant') ORDER BY seq DESC LIMIT ?2",
		)
		.bind(conversationId, maxItems)
		.all();
	return rows.results
		.map((r) => historyRow.parse(r))
		.reverse()
		.map((r) => ({ role: r.role === "assistant" ? "assistant" : "user", content: itemText(r.item.content) }));
}

/** The end user's conversations in the app, the most recently active first; `lastId` pages on after that one. */
export async function listDifyConversations(db: D1Database, s: DifyScope, q: { limit: number; lastId: string | undefined }) {
	const after = q.lastId === undefined ? null : await findDifyConversation(db, q.lastId, s);
	const rows = await db
		.prepare(
			`SELECT * FROM conversations WHERE ${SCOPED} AND (?1 IS NULL OR updated_at < ?1 OR (updated_at = ?1 AND id < ?5)) ORDER BY updated_at DESC, id DESC LIMIT ?6`,
		)
		.bind(after?.updatedAt ?? null, s.ownerId, s.appId, s.endUser, after?.id ?? "", q.limit + 1)
		.all();
	const all = rows.results.map((r) => conversationRow.parse(r));
	return { rows: all.slice(0, q.limit), hasMore: all.length > q.limit };
}

export async function renameConversation(db: D1Database, c: DifyConversation, name: string): Promise<DifyConversation> {
	await db.prepare("UPDATE conversations SET name = ?2 WHERE id = ?1").bind(c.id, name).run();
	return { ...c, name };
}

/** A cited excerpt as a turn keeps it (Dify's retriever_resources); a field missing from an older row reads as empty. */
const source = z.object({
	position: z.number().catch(0),
	dataset_id: z.string().catch(""),
	dataset_name: z.string().catch(""),
	document_id: z.string().catch(""),
	document_name: z.string().catch(""),
	segment_id: z.string().catch(""),
	score: z.number().catch(0),
	content: z.string().catch(""),
});

const turnRow = z.object({
	seq: z.number(),
	id: z.string(),
	status: z.string(),
	feedback: z.enum(["like", "dislike"]).nullable(),
	sources: json.pipe(z.array(source)),
	created_at: z.number(),
});
const turnItemRow = z.object({ turn_id: z.string(), role: z.string().nullable(), item: json.pipe(z.looseObject({ content: z.unknown() })) });
const imagePart = z.looseObject({ type: z.literal("input_image"), file_id: z.string().nullish(), image_url: z.string().nullish() });

/** One model turn as Dify lists it among a conversation's messages. */
export interface DifyMessage {
	id: string;
	status: string;
	query: string;
	answer: string;
	images: { fileId: string | null; url: string | null }[];
	feedback: "like" | "dislike" | null;
	sources: RetrieverResource[];
	createdAt: number;
}

function imagesOf(content: unknown): DifyMessage["images"] {
	if (!Array.isArray(content)) return [];
	return content.flatMap((p) => {
		const part = imagePart.safeParse(p);
		return part.success ? [{ fileId: part.data.file_id ?? null, url: part.data.image_url ?? null }] : [];
	});
}

/**
 * A page of the conversation's turns, oldest first within the page; `firstId` pages backwards from that turn (the
 * page holds the turns just before it), as Dify's chat UIs load older messages while scrolling up.
 */
export async function listMessages(db: D1Database, c: DifyConversation, q: { limit: number; firstId: string | undefined }) {
	let before: number | null = null;
	if (q.firstId !== undefined) {
		const row = await db
			.prepare("SELECT rowid AS seq FROM conversation_turns WHERE id = ?1 AND conversation_id = ?2")
			.bind(q.firstId, c.id)
			.first<{ seq: number }>();
		if (row === null) throw new GatewayError("not_found", "First Message Not Exists.", { param: "first_id" });
		before = row.seq;
	}
	const turns = await db
		.prepare(
			"SELECT rowid AS seq, id, status, feedback, sources, created_at FROM conversation_turns WHERE conversation_id = ?1 AND (?2 IS NULL OR rowid < ?2) ORDER BY rowid DESC LIMIT ?3",
		)
		.bind(c.id, before, q.limit + 1)
		.all();
	const rows = turns.results.map((r) => turnRow.parse(r));
	const page = rows.slice(0, q.limit).reverse();
	const items = page.length
		? await db
				.prepare(
					`SELECT turn_id, role, item FROM conversation_items WHERE conversation_id = ?1 AND turn_id IN (${page.map((_, i) => `?${i + 2}`).join(", ")}) ORDER BY seq`,
				)
				.bind(c.id, ...page.map((t) => t.id))
				.all()
		: { results: [] };
	const byTurn = new Map<string, z.output<typeof turnItemRow>[]>();
	for (const raw of items.results) {
		const item = turnItemRow.parse(raw);
		byTurn.set(item.turn_id, [...(byTurn.get(item.turn_id) ?? []), item]);
	}
	const messages: DifyMessage[] = page.map((t) => {
		const its = byTurn.get(t.id) ?? [];
		const asked = its.filter((i) => i.role === "user");
		return {
			id: t.id,
			status: t.status,
			query: asked.map((i) => itemText(i.item.content)).join("\n"),
			answer: its
				.filter((i) => i.role === "assistant")
				.map((i) => itemText(i.item.content))
				.join("\n"),
			images: asked.flatMap((i) => imagesOf(i.item.content)),
			feedback: t.feedback,
			sources: t.sources,
			createdAt: t.created_at,
		};
	});
	return { messages, hasMore: rows.length > q.limit };
}

/** The end user's rating of an answer (null takes it back); another end user's message is "not found". */
export async function setFeedback(db: D1Database, s: DifyScope, messageId: string, rating: "like" | "dislike" | null, content: string | null): Promise<void> {
	const result = await db
		.prepare(
			`UPDATE conversation_turns SET feedback = ?5, feedback_content = ?6 WHERE id = ?1 AND conversation_id IN (SELECT id FROM conversations WHERE ${SCOPED})`,
		)
		.bind(messageId, s.ownerId, s.appId, s.endUser, rating, content)
		.run();
	if (result.meta.changes === 0) throw new GatewayError("not_found", "Message Not Exists.", { param: "message_id" });
}
