import { z } from "zod";
import { config } from "../env";
import { TtlCache } from "../lib/ttl-cache";
import type { ChatResponse } from "../protocols/ir";
import { parseJson } from "../protocols/sse";
import type { CallerKey } from "../types/caller";

/**
 * The response cache's entries in KV (binding RESPONSE_CACHE). KV over the Workers Cache API: one global copy
 * rather than one per location (a hit anywhere once the answer was paid for anywhere), `list` by prefix for purges,
 * and it works on workers.dev, where the Cache API stores nothing. KV values reach 25 MiB, far above any chat answer,
 * so R2 adds nothing but a slower read (see docs/PERFORMANCE.md, "Response cache").
 *
 * Layout: `r1/<scope>/<sha-256 of the normalized request>`, the scope being the user (`u<id>`) or, for a group
 * whose users share one cache (CACHE_SHARED_GROUPS), the group (`g<name>`): one tenant never reads another's prefix.
 * Each entry's KV metadata names its key, user, model and times, so a purge can find entries by listing alone.
 */

/** One stored answer: enough to serve it in any dialect, whole or as a stream, and to bill the hit. */
export interface CachedAnswer {
	v: 1;
	/** The answer in the internal representation (OpenAI chat completion), whatever the channel's wire. */
	answer: ChatResponse;
	/** The model that answered (after aliasing), and the channel whose price it was charged at. */
	model: string;
	channelId: number | null;
	/** What the answer cost: what a hit would have cost again. */
	usage: { promptTokens: number; completionTokens: number; cachedTokens: number };
	keyId: number;
	userId: number;
	createdAt: number;
	expiresAt: number;
}

/** The KV metadata of an entry (at most 1 KiB): what a purge filters on. */
export const entryMeta = z.object({ k: z.number(), u: z.number(), m: z.string(), c: z.number(), e: z.number() });
export type EntryMeta = z.infer<typeof entryMeta>;

const cachedAnswer = z.object({
	v: z.literal(1),
	// Written by the gateway itself: checked for its shape, not field by field.
	answer: z.custom<ChatResponse>((v) => typeof v === "object" && v !== null && Array.isArray(Reflect.get(v, "choices"))),
	model: z.string(),
	channelId: z.number().nullable(),
	usage: z.object({ promptTokens: z.number(), completionTokens: z.number(), cachedTokens: z.number() }),
	keyId: z.number(),
	userId: z.number(),
	createdAt: z.number(),
	expiresAt: z.number(),
});

export const ENTRY_PREFIX = "r1/";
/** Answers larger than this are not kept: rare, and a replay of one would not be the fast path a hit should be. */
export const MAX_ENTRY_BYTES = 1 << 20;
/** KV's shortest expiration; an entry asked to live less is refused by `expiresAt` when it is read. */
const KV_MIN_TTL_SECONDS = 60;

/** The prefix of the caller's entries: its user's, or its group's when the operator made that group share one cache. */
export function scopeOf(env: Env, caller: Pick<CallerKey, "userId" | "group">): string {
	return config(env).cacheSharedGroups.has(caller.group) ? `g${encodeURIComponent(caller.group)}` : `u${caller.userId}`;
}

export function entryKey(scope: string, hash: string): string {
	return `${ENTRY_PREFIX}${scope}/${hash}`;
}

/**
 * Entries this isolate read or wrote lately, in front of KV: a hot answer is served with no I/O at all. Small ones
 * only (at most HOT_ENTRIES of at most HOT_ENTRY_CHARS, a few MB), for as long as KV itself caches a read at the
 * edge (60 s). An entry is still checked against its expiry here and against the purges by the lookup, wherever
 * it came from, so this adds no staleness a purge or a TTL would not already allow.
 */
const HOT_ENTRIES = 256;
const HOT_ENTRY_CHARS = 64 * 1024;
const hot = new TtlCache<string, CachedAnswer>("response_cache", 60_000, HOT_ENTRIES);

/** The entry under `key`, if it is there, readable and not expired. */
export async function readEntry(env: Env, key: string, now = Date.now()): Promise<CachedAnswer | undefined> {
	const known = hot.get(key, now);
	if (known) return known.expiresAt > now ? known : undefined;
	const text = await env.RESPONSE_CACHE.get(key, "text");
	if (text === null) return undefined;
	const parsed = cachedAnswer.safeParse(parseJson(text));
	if (!parsed.success || parsed.data.expiresAt <= now) return undefined;
	if (text.length <= HOT_ENTRY_CHARS) hot.set(key, parsed.data, now);
	return parsed.data;
}

/** Stores an entry for its TTL; false when it is too large to keep. */
export async function writeEntry(env: Env, key: string, entry: CachedAnswer): Promise<boolean> {
	const text = JSON.stringify(entry);
	if (text.length > MAX_ENTRY_BYTES) return false;
	if (text.length <= HOT_ENTRY_CHARS) hot.set(key, entry);
	const ttl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil((entry.expiresAt - entry.createdAt) / 1000));
	const metadata: EntryMeta = { k: entry.keyId, u: entry.userId, m: entry.model, c: entry.createdAt, e: entry.expiresAt };
	await env.RESPONSE_CACHE.put(key, text, { expirationTtl: ttl, metadata });
	return true;
}
