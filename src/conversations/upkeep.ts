import { config } from "../env";
import { drainResponseSpool } from "./response-writes";
import { pruneResponses } from "./responses";
import { summariseIdle } from "./summarise";

const DAY_MS = 86_400_000;
/** Conversations deleted per run; a larger backlog waits for the next run. */
const CONVERSATIONS_PER_RUN = 200;

/** Deletes conversations idle past CONVERSATION_RETENTION_DAYS, with their turns and items; returns how many. */
async function pruneConversations(db: D1Database, cutoff: number): Promise<number> {
	const idle = await db
		.prepare("SELECT id FROM conversations WHERE updated_at < ?1 ORDER BY updated_at LIMIT ?2")
		.bind(cutoff, CONVERSATIONS_PER_RUN)
		.all<{ id: string }>();
	if (idle.results.length === 0) return 0;
	const ids = JSON.stringify(idle.results.map((r) => r.id));
	await db.batch([
		db.prepare("DELETE FROM conversation_items WHERE conversation_id IN (SELECT value FROM json_each(?1))").bind(ids),
		db.prepare("DELETE FROM conversation_turns WHERE conversation_id IN (SELECT value FROM json_each(?1))").bind(ids),
		db.prepare("DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?1))").bind(ids),
	]);
	return idle.results.length;
}

/**
 * The cron's share of conversation state: lands the stored-response writes D1 refused (spooled to R2), deletes
 * stored responses past RESPONSE_RETENTION_DAYS, sums up chat apps' finished conversations into memory, and deletes
 * conversations idle past CONVERSATION_RETENTION_DAYS.
 */
export async function conversationUpkeep(env: Env, now: number) {
	const cfg = config(env);
	const spooled = await drainResponseSpool(env);
	const responses = await pruneResponses(env.DB, now);
	const summarised = await summariseIdle(env, now);
	const conversations = cfg.conversationRetentionDays === 0 ? 0 : await pruneConversations(env.DB, now - cfg.conversationRetentionDays * DAY_MS);
	return { spooled, responses, summarised, conversations };
}
