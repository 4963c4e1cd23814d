import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import { jsonText } from "../lib/json-text";
import { newId } from "../protocols/responses/response";

/**
 * The dashboard's view of the conversation store (its Chat page): lists newest first with search over titles and
 * message text, a conversation's thread grouped by turn, renaming and feedback. Whichever API wrote a conversation
 * (stored Responses, /v1/conversations, Dify's chat apps) it reads the same rows.
 */

/** How much of the first user message stands in for an untitled conversation's name. */
const EXCERPT_CHARS = 80;
/** At most this many of a query's words are searched for: a pasted paragraph must not become a huge FTS5 query. */
const MAX_TERMS = 16;

const summaryRow = z.object({
	id: z.string(),
	owner_id: z.number(),
	name: z.string().nullable(),
	excerpt: z.string().nullable(),
	app_id: z.string().nullable(),
	end_user: z.string().nullable(),
	key_id: z.number().nullable(),
	turns: z.number(),
	created_at: z.number(),
	updated_at: z.number(),
	snippet: z.string().nullable(),
});

export type ConversationSummary = z.output<typeof summaryRow>;

export interface ConversationFilter {
	/** The owner to narrow to; undefined is everyone's (the operator). */
	ownerId: number | undefined;
	appId?: string | undefined;
	keyId?: number | undefined;
	/** Words to find in titles and message text. */
	q?: string | undefined;
	limit: number;
	/** The (updated_at, id) of the last row of the previous page. */
	after?: readonly [number, string] | undefined;
}

/**
 * A user's search as an FTS5 query that cannot inject operators: each word quoted, all of them required, the last a
 * prefix (the user may still be typing it). Null when the text has no words.
 */
export function conversationFtsQuery(text: string): string | null {
	const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].slice(0, MAX_TERMS);
	if (words.length === 0) return null;
	return words.map((w, i) => (i === words.length - 1 ? `"${w}"*` : `"${w}"`)).join(" ");
}

/** LIKE's wildcards in the user's text taken literally (with `ESCAPE '\'`). */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** The start of the conversation's first user message (c), which names it while it has no title. */
const EXCERPT = `(SELECT substr(f.text, 1, ${EXCERPT_CHARS}) FROM conversation_items i JOIN conversation_items_fts f ON f.rowid = i.seq
	WHERE i.conversation_id = c.id AND i.type = 'message' AND i.role = 'user' ORDER BY i.seq LIMIT 1) AS excerpt`;

const COLUMNS = `c.id, c.owner_id, c.name, c.app_id, c.end_user, c.key_id, c.created_at, c.updated_at, ${EXCERPT}`;

const LIST = `SELECT ${COLUMNS}, (SELECT count(*) FROM conversation_turns t WHERE t.conversation_id = c.id) AS turns,
	CASE WHEN ?4 IS NULL THEN NULL ELSE (SELECT snippet(conversation_items_fts, 0, '', '', '…', 16) FROM conversation_items_fts
		WHERE conversation_items_fts MATCH ?4 AND conversation_id = c.id LIMIT 1) END AS snippet
	FROM conversations c
	WHERE (?1 IS NULL OR c.owner_id = ?1) AND (?2 IS NULL OR c.app_id = ?2) AND (?3 IS NULL OR c.key_id = ?3)
	AND (?5 IS NULL OR c.name LIKE ?5 ESCAPE '\\' OR (?4 IS NOT NULL AND c.id IN
		(SELECT conversation_id FROM conversation_items_fts WHERE conversation_items_fts MATCH ?4)))
	AND (?6 IS NULL OR c.updated_at < ?6 OR (c.updated_at = ?6 AND c.id < ?7))
	ORDER BY c.updated_at DESC, c.id DESC LIMIT ?8`;

/** A page of conversations, last active first; one more row is read than asked for, to tell whether more follow. */
export async function listConversations(db: D1Database, f: ConversationFilter): Promise<{ rows: ConversationSummary[]; hasMore: boolean }> {
	const q = f.q?.trim() || undefined;
	const match = q === undefined ? null : conversationFtsQuery(q);
	const { results } = await db
		.prepare(LIST)
		.bind(
			f.ownerId ?? null,
			f.appId ?? null,
			f.keyId ?? null,
			match,
			q === undefined ? null : likePattern(q),
			f.after?.[0] ?? null,
			f.after?.[1] ?? null,
			f.limit + 1,
		)
		.all();
	const rows = results.map((r) => summaryRow.parse(r));
	return { rows: rows.slice(0, f.limit), hasMore: rows.length > f.limit };
}

const conversationRow = summaryRow.omit({ turns: true, snippet: true });

export type BrowsedConversation = z.output<typeof conversationRow>;

/** A conversation `ownerId` may see (anyone's when undefined); anyone else's, like one that does not exist, is a 404. */
export async function findBrowsable(db: D1Database, id: string, ownerId: number | undefined): Promise<BrowsedConversation> {
	const row = await db
		.prepare(`SELECT ${COLUMNS} FROM conversations c WHERE c.id = ?1 AND (?2 IS NULL OR c.owner_id = ?2)`)
		.bind(id, ownerId ?? null)
		.first();
	if (row === null) throw new GatewayError("not_found", `No conversation found with id '${id}'.`, { param: "id" });
	return conversationRow.parse(row);
}

const turnRow = z.object({
	id: z.string(),
	model: z.string(),
	status: z.string(),
	input_tokens: z.number(),
	output_tokens: z.number(),
	cost_nusd: z.number(),
	latency_ms: z.number(),
	sources: jsonText.pipe(z.array(z.record(z.string(), z.unknown()))),
	feedback: z.enum(["like", "dislike"]).nullable(),
	feedback_content: z.string().nullable(),
	created_at: z.number(),
});

export type TurnRow = z.output<typeof turnRow>;

const itemRow = z.object({ turn_id: z.string().nullable(), item: jsonText.pipe(z.looseObject({ id: z.string(), type: z.string() })) });

type Item = z.output<typeof itemRow>["item"];

/** A run of consecutive items: a model's turn with what it took, or items added without one (turn null). */
export interface ThreadPart {
	turn: TurnRow | null;
	items: Item[];
}

/** The conversation's items in order, grouped into its turns. */
export async function readThread(db: D1Database, conversationId: string): Promise<ThreadPart[]> {
	const [items, turns] = await db.batch([
		db.prepare("SELECT turn_id, item FROM conversation_items WHERE conversation_id = ?1 ORDER BY seq").bind(conversationId),
		db
			.prepare(
				"SELECT id, model, status, input_tokens, output_tokens, cost_nusd, latency_ms, sources, feedback, feedback_content, created_at FROM conversation_turns WHERE conversation_id = ?1",
			)
			.bind(conversationId),
	]);
	const byId = new Map((turns?.results ?? []).map((r) => turnRow.parse(r)).map((t) => [t.id, t]));
	const parts: (ThreadPart & { turnId: string | null })[] = [];
	for (const raw of items?.results ?? []) {
		const { turn_id, item } = itemRow.parse(raw);
		const last = parts.at(-1);
		if (last !== undefined && last.turnId === turn_id) last.items.push(item);
		else parts.push({ turnId: turn_id, turn: turn_id === null ? null : (byId.get(turn_id) ?? null), items: [item] });
	}
	return parts.map(({ turn, items }) => ({ turn, items }));
}

/**
 * An empty conversation of a key's user, started from the dashboard so that the key's first message can name it
 * (Responses' `conversation`); the key is kept for the Chat page's filter.
 */
export async function startConversation(db: D1Database, ownerId: number, keyId: number, name: string | null): Promise<BrowsedConversation> {
	const id = newId("conv");
	await db
		.prepare("INSERT INTO conversations (id, owner_id, key_id, name, updated_at) VALUES (?1, ?2, ?3, ?4, cast(unixepoch('subsec') * 1000 as integer))")
		.bind(id, ownerId, keyId, name)
		.run();
	return findBrowsable(db, id, ownerId);
}

export async function renameConversation(db: D1Database, id: string, name: string): Promise<void> {
	await db.prepare("UPDATE conversations SET name = ?2 WHERE id = ?1").bind(id, name).run();
}

export interface Feedback {
	rating: "like" | "dislike" | null;
	content: string | null;
}

/** Sets (or, with a null rating, clears) the feedback on a turn of the conversation; a turn not in it is a 404. */
export async function setTurnFeedback(db: D1Database, conversationId: string, turnId: string, f: Feedback): Promise<void> {
	const result = await db
		.prepare("UPDATE conversation_turns SET feedback = ?3, feedback_content = ?4 WHERE id = ?1 AND conversation_id = ?2")
		.bind(turnId, conversationId, f.rating, f.rating === null ? null : f.content)
		.run();
	if (result.meta.changes === 0) throw new GatewayError("not_found", `No turn found with id '${turnId}' in this conversation.`, { param: "turn_id" });
}
