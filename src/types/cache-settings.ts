import { z } from "zod";

/**
 * The response cache's settings for a key or an app (`cache` on /api/tokens and /api/apps). Below the layers that
 * read them, because a cached key (CallerKey) carries its own. Off by default: nothing changes until a key opts in.
 */
export const CACHE_MODES = ["off", "exact", "semantic"] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

/** The longest an answer may be kept: a month (KV keeps it as long as asked; purges older than this no longer matter). */
export const MAX_CACHE_TTL_SECONDS = 30 * 24 * 3600;
export const DEFAULT_CACHE_TTL_SECONDS = 3600;
/** Chosen from the paraphrase and near-miss table (docs/PERFORMANCE.md, "Response cache"). */
export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;

export const cacheSettings = z.strictObject({
	/** exact: the same request again; semantic: also a differently worded last user message of the same meaning. */
	mode: z.enum(CACHE_MODES),
	/** How long an answer is served after it was stored. */
	ttl_seconds: z.number().int().min(1).max(MAX_CACHE_TTL_SECONDS).default(DEFAULT_CACHE_TTL_SECONDS),
	/** The least cosine similarity of a semantic hit. */
	threshold: z.number().min(0.5).max(1).default(DEFAULT_SEMANTIC_THRESHOLD),
	/** Semantic hits also for requests with tools, images or a temperature above 0 (off: such requests use the exact cache only). */
	semantic_any: z.boolean().default(false),
});

export type CacheSettings = z.infer<typeof cacheSettings>;

/** Settings as stored (a JSON column that may predate a field, or be null), resolved; null when the cache is off. */
export function storedCacheSettings(stored: unknown): CacheSettings | null {
	const parsed = cacheSettings.safeParse(stored);
	return parsed.success && parsed.data.mode !== "off" ? parsed.data : null;
}

/** Settings as a key or an app stores them: null when the cache is off, so that a null column is the one way to say off. */
export function cacheColumn(settings: CacheSettings | null | undefined): CacheSettings | null {
	return settings && settings.mode !== "off" ? settings : null;
}
