import { lt } from "drizzle-orm";
import { db } from "../db/client";
import { cachePurges } from "../db/schema";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { MAX_CACHE_TTL_SECONDS } from "../types/cache-settings";
import { forgetPurges } from "./purges";
import { ENTRY_PREFIX, entryMeta } from "./store";

/** What a purge removes: the entries of one user (null: every user's), narrowed to one key and one model when named. */
export interface PurgeScope {
	userId: number | null;
	keyId: number | null;
	model: string | null;
}

export interface PurgeOutcome {
	id: number;
	at: number;
	/** Entries deleted from KV before the answer. */
	deleted: number;
	/** Entries may remain in KV: their deletion goes on after the answer (`background`). */
	more: boolean;
}

/**
 * KV operations (a list or a delete each) a purge makes before it answers, and in all: a Worker invocation may make
 * 1,000, and what runs after the response (`waitUntil`) counts against the same invocation. Entries a purge leaves
 * behind cost only storage until their TTL: the purge's row keeps them from being served (`purged`).
 */
const INLINE_OPS = 100;
const TOTAL_OPS = 900;
/** Deletes sent at once: KV has no batch delete in the binding. */
const DELETE_CHUNK = 50;
const LIST_PAGE = 1000;

/**
 * Purges the response cache: records the purge (which the lookup applies at once in this isolate, and in every other
 * within KEY_CACHE_SECONDS, so no matching entry stored until now is served again), then deletes the matching
 * entries from KV, as many as a small budget allows before answering and the rest after it through `background`.
 * The semantic index is left alone: its vectors point at KV entries, and an entry a purge matched is refused.
 */
export async function purgeCache(env: Env, scope: PurgeScope, background: (work: Promise<unknown>) => void, now = Date.now()): Promise<PurgeOutcome> {
	const [row] = await db(env)
		.insert(cachePurges)
		.values({ ...scope, at: now })
		.returning({ id: cachePurges.id });
	if (!row) throw new GatewayError("internal_error", "The purge was not recorded");
	forgetPurges();
	const walk = new PurgeWalk(env, scope, now);
	await walk.run(INLINE_OPS);
	const deleted = walk.deleted;
	if (!walk.done) {
		background(
			walk
				.run(TOTAL_OPS)
				.then(() => console.log(JSON.stringify({ level: "info", event: "cache.purge", purge_id: row.id, deleted: walk.deleted, finished: walk.done }))),
		);
	}
	return { id: row.id, at: now, deleted, more: !walk.done };
}

/** Forgets purges older than the longest TTL (the cron): every entry they matched has expired. Returns how many. */
export async function prunePurges(env: Env, now: number): Promise<number> {
	const gone = await db(env)
		.delete(cachePurges)
		.where(lt(cachePurges.at, now - MAX_CACHE_TTL_SECONDS * 1000))
		.returning({ id: cachePurges.id });
	return gone.length;
}

/**
 * The prefixes a purge lists: one user's own (`r1/u<id>/`) and the shared groups' (whose entries name their user in
 * the metadata), or the whole cache for every user's.
 */
function prefixesOf(env: Env, userId: number | null): string[] {
	if (userId === null) return [ENTRY_PREFIX];
	return [`${ENTRY_PREFIX}u${userId}/`, ...[...config(env).cacheSharedGroups].map((g) => `${ENTRY_PREFIX}g${encodeURIComponent(g)}/`)];
}

/** Lists the prefixes page by page and deletes what matches, within a budget of KV operations per call. */
class PurgeWalk {
	readonly #prefixes: string[];
	#cursor: string | undefined;
	#pending: string[] = [];
	#ops = 0;
	deleted = 0;

	constructor(
		private readonly env: Env,
		private readonly scope: PurgeScope,
		private readonly at: number,
	) {
		this.#prefixes = prefixesOf(env, scope.userId);
	}

	get done(): boolean {
		return this.#prefixes.length === 0 && this.#pending.length === 0;
	}

	/** Goes on until the walk is done or has made `budget` operations in all. */
	async run(budget: number): Promise<void> {
		while (!this.done && this.#ops < budget) {
			if (this.#pending.length > 0) await this.#deleteSome(budget - this.#ops);
			else await this.#listPage();
		}
	}

	async #listPage(): Promise<void> {
		const prefix = this.#prefixes[0];
		if (prefix === undefined) return;
		this.#ops++;
		const page = await this.env.RESPONSE_CACHE.list({ prefix, limit: LIST_PAGE, ...(this.#cursor ? { cursor: this.#cursor } : {}) });
		this.#pending.push(...page.keys.filter((k) => this.#matches(k.metadata, prefix)).map((k) => k.name));
		if (page.list_complete) {
			this.#prefixes.shift();
			this.#cursor = undefined;
		} else this.#cursor = page.cursor;
	}

	async #deleteSome(room: number): Promise<void> {
		const names = this.#pending.splice(0, Math.min(DELETE_CHUNK, room));
		this.#ops += names.length;
		await Promise.all(names.map((name) => this.env.RESPONSE_CACHE.delete(name)));
		this.deleted += names.length;
	}

	/**
	 * Whether an entry (by its metadata) is the purge's: its user, key and model, stored before the purge. One whose
	 * metadata cannot be read is only when the purge names nothing its prefix does not already say.
	 */
	#matches(metadata: unknown, prefix: string): boolean {
		const { userId, keyId, model } = this.scope;
		const meta = entryMeta.safeParse(metadata);
		if (!meta.success) return keyId === null && model === null && (userId === null || prefix === `${ENTRY_PREFIX}u${userId}/`);
		const m = meta.data;
		return m.c <= this.at && (userId === null || m.u === userId) && (keyId === null || m.k === keyId) && (model === null || m.m === model);
	}
}
