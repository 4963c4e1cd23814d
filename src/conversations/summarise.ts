import { z } from "zod";
import type { MemoryMessage } from "../../queues/memory-message";
import { config } from "../env";
import { fitsQueue, queueExtraction } from "../memory/enqueue";

/** Conversations summed up per cron run; the rest wait for the next. */
const PER_RUN = 50;
/** The most recent text of a conversation that is summed up: well within a queue message. */
const MAX_CHARS = 60_000;

const textPart = z.looseObject({ text: z.string() });
const messageItem = z.looseObject({ role: z.enum(["user", "assistant"]), content: z.union([z.string(), z.array(z.unknown())]) });

/** A conversation to sum up: whose it is, the end user the memories are about, and the key that pays. */
export interface Finished {
	id: string;
	ownerId: number;
	endUser: string;
	keyId: number;
}

function textOf(content: string | unknown[]): string {
	if (typeof content === "string") return content;
	return content
		.map((p) => textPart.safeParse(p).data?.text ?? "")
		.filter((t) => t.trim() !== "")
		.join("\n");
}

/** The conversation's user and assistant messages as text, the most recent that fit MAX_CHARS, oldest first. */
async function transcript(db: D1Database, conversationId: string): Promise<MemoryMessage["messages"]> {
	const rows = await db
		.prepare("SELECT item FROM conversation_items WHERE conversation_id = ?1 AND type = 'message' ORDER BY seq DESC")
		.bind(conversationId)
		.all<{ item: string }>();
	const out: MemoryMessage["messages"] = [];
	let chars = 0;
	for (const row of rows.results) {
		const item = messageItem.safeParse(JSON.parse(row.item)).data;
		const content = item ? textOf(item.content) : "";
		if (!item || content === "") continue;
		chars += content.length;
		if (chars > MAX_CHARS) break;
		out.unshift({ role: item.role, content });
	}
	return out;
}

/**
 * Sums a finished conversation up into memories of its end user: an extraction (src/memory/extract.ts, `kind`
 * summary) on the memory queue, an event of the owner's, billed to the key that held the conversation. The
 * conversation is claimed first (`summarized_at`), so two runs never both sum it up; a new turn later makes it
 * due again. Returns the event's id (pollable at /mem0/v1/event/{id}/), or undefined when there was nothing to sum
 * up or another run had it.
 */
export async function summarise(env: Env, c: Finished, now: number, { again = false } = {}): Promise<string | undefined> {
	// `again`: asked for (the dashboard), so summed up even if nothing was said since the last time.
	const claimed = await env.DB.prepare(
		"UPDATE conversations SET summarized_at = ?2 WHERE id = ?1 AND (?3 OR summarized_at IS NULL OR summarized_at < updated_at)",
	)
		.bind(c.id, now, again ? 1 : 0)
		.run();
	if (claimed.meta.changes === 0) return undefined;
	const messages = await transcript(env.DB, c.id);
	if (!messages.some((m) => m.role === "user")) return undefined;
	const message: MemoryMessage = {
		event_id: crypto.randomUUID(),
		owner_id: c.ownerId,
		key_id: c.keyId,
		messages,
		entities: { user_id: c.endUser },
		metadata: { conversation_id: c.id },
		kind: "summary",
	};
	if (!fitsQueue(message)) return undefined;
	try {
		// Once its event is recorded, a failed send is sent again by the cron (src/memory/upkeep.ts).
		return (await queueExtraction(env, message, { source: "conversation", conversation_id: c.id })).id;
	} catch (err) {
		const { results } = await env.DB.prepare("SELECT id FROM memory_events WHERE id = ?1").bind(message.event_id).all();
		if (results.length === 0) await env.DB.prepare("UPDATE conversations SET summarized_at = NULL WHERE id = ?1").bind(c.id).run();
		throw err;
	}
}

const finishedRow = z
	.object({ id: z.string(), owner_id: z.number(), end_user: z.string(), key_id: z.number() })
	.transform((r): Finished => ({ id: r.id, ownerId: r.owner_id, endUser: r.end_user, keyId: r.key_id }));

/** The cron's share: sums up the conversations of apps with memory read_write idle for CONVERSATION_SUMMARY_IDLE_MINUTES. */
export async function summariseIdle(env: Env, now: number): Promise<number> {
	const cutoff = now - config(env).conversationSummaryIdleMinutes * 60_000;
	const due = await env.DB.prepare(
		`SELECT c.id, c.owner_id, c.end_user, c.key_id FROM apps a JOIN conversations c ON c.app_id = a.id
		WHERE a.memory_mode = 'read_write' AND c.end_user IS NOT NULL AND c.key_id IS NOT NULL AND c.updated_at < ?1
		AND (c.summarized_at IS NULL OR c.summarized_at < c.updated_at) ORDER BY c.updated_at LIMIT ?2`,
	)
		.bind(cutoff, PER_RUN)
		.all();
	let queued = 0;
	for (const row of due.results) if (await summarise(env, finishedRow.parse(row), now)) queued++;
	return queued;
}
