import { z } from "zod";
import { PURGE_STEPS } from "./purge-steps";

/** What a purge removes, counted when it begins (the pages after may run in later cron runs). */
export const purgeCounts = z.object({
	files: z.number(),
	vector_stores: z.number(),
	memories: z.number(),
	conversations: z.number(),
	stored_responses: z.number(),
	apps: z.number(),
	batches: z.number(),
	keys_revoked: z.number(),
	sessions_ended: z.number(),
});
export type PurgeCounts = z.infer<typeof purgeCounts>;

/** Pages one request works through before it answers "in progress" and leaves the rest to the cron. */
export const REQUEST_PAGES = 25;
/** Pages one cron run works through, over all the users whose purge is unfinished. */
const CRON_PAGES = 100;

const COUNTS = `SELECT
	(SELECT count(*) FROM files WHERE user_id = ?1) AS files,
	(SELECT count(*) FROM vector_stores WHERE user_id = ?1) AS vector_stores,
	(SELECT count(*) FROM memories WHERE owner_id = ?1) AS memories,
	(SELECT count(*) FROM conversations WHERE owner_id = ?1) AS conversations,
	(SELECT count(*) FROM responses WHERE owner_id = ?1) AS stored_responses,
	(SELECT count(*) FROM apps WHERE owner_id = ?1) AS apps,
	(SELECT count(*) FROM batches WHERE user_id = ?1) AS batches`;

/**
 * Begins a purge, all in one D1 transaction so that nothing new can be made from then on: the user is anonymised
 * (name `deleted-<id>`, no email, no password, status "deleted"; `deleted_at` stays null until the data is gone, which
 * is how the cron finds unfinished purges), every key of theirs is revoked but kept (the ledger and usage name it:
 * disabled, its hashes replaced by unusable random values, its name and tags cleared), and their sessions end.
 * Returns what there is to remove, or undefined when the user was already purged (or purging).
 */
export async function beginPurge(env: Env, userId: number, now = Date.now()): Promise<PurgeCounts | undefined> {
	const [counts, user, keys, sessions] = await env.DB.batch<Record<string, number>>([
		env.DB.prepare(COUNTS).bind(userId),
		env.DB.prepare(
			`UPDATE users SET name = 'deleted-' || id, email = NULL, password_hash = NULL, status = 'deleted', memory_model = NULL, scopes = NULL,
			deleted_at = NULL WHERE id = ?1 AND status != 'deleted'`,
		).bind(userId),
		env.DB.prepare(
			`UPDATE tokens SET status = 'disabled', name = 'deleted', key_hash = 'purged-' || id || '-' || lower(hex(randomblob(16))), key_prefix = '',
			previous_key_hash = NULL, previous_key_prefix = NULL, previous_key_expires_at = NULL, tags = '[]', ip_allow = NULL, models = NULL,
			locked_reason = NULL, auto_rotate = 0
			WHERE user_id = ?1 AND NOT key_hash LIKE 'purged-%'`,
		).bind(userId),
		env.DB.prepare("UPDATE sessions SET ended_at = ?2 WHERE user_id = ?1 AND ended_at IS NULL").bind(userId, now),
	]);
	if ((user?.meta.changes ?? 0) === 0) return undefined;
	const found = z.record(z.string(), z.number()).parse(counts?.results[0]);
	return purgeCounts.parse({ ...found, keys_revoked: keys?.meta.changes ?? 0, sessions_ended: sessions?.meta.changes ?? 0 });
}

/**
 * Works through up to `pages` steps of a user's purge, and when nothing is left marks it finished (`deleted_at`).
 * Returns whether it finished and the pages it used.
 */
export async function continuePurge(env: Env, userId: number, pages: number, now = Date.now()): Promise<{ done: boolean; used: number }> {
	let used = 0;
	for (const step of PURGE_STEPS) {
		for (;;) {
			if (used >= pages) return { done: false, used };
			used++;
			if ((await step(env, userId)) === 0) break;
		}
	}
	await env.DB.prepare("UPDATE users SET deleted_at = ?2 WHERE id = ?1 AND status = 'deleted'").bind(userId, now).run();
	return { done: true, used };
}

/** The cron's share: purges a request left unfinished (too much data for one request) are carried on, oldest first. */
export async function purgeUpkeep(env: Env, now: number): Promise<{ finished: number; pages: number }> {
	const { results } = await env.DB.prepare("SELECT id FROM users WHERE status = 'deleted' AND deleted_at IS NULL ORDER BY id LIMIT 10").all<{ id: number }>();
	let pages = 0;
	let finished = 0;
	for (const { id } of results) {
		if (pages >= CRON_PAGES) break;
		const run = await continuePurge(env, id, CRON_PAGES - pages, now);
		pages += run.used;
		if (run.done) finished++;
	}
	return { finished, pages };
}
