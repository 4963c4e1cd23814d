import { config } from "../env";
import { sha256Hex } from "../lib/crypto";
import { TtlCache } from "../lib/ttl-cache";
import type { MemoryFilter } from "./filters";
import { readGenerations } from "./search-generations";
import { searchScopes } from "./search-scopes";

/** Searches one isolate keeps: a few hundred bytes each for the short facts memories usually are. */
const MAX_ENTRIES = 1_000;
/** A search whose hits are longer than this (memory texts and metadata, in characters) is not kept. */
const MAX_ENTRY_CHARS = 8_000;

export type CacheResult = "hit" | "miss" | "off";

/**
 * Memory searches served again for MEMORY_SEARCH_CACHE_SECONDS, which saves the query's embedding (an upstream call,
 * billed) and the vector query. An entry is keyed by the owner, everything that decides the result (`inputs`) and
 * the generations of the entities the filter confines the search to (src/memory/search-generations.ts), read from
 * D1 before each search: one read of a primary key. D1 is strongly consistent and every write bumps them, so a
 * search anywhere after a write reads new generations and misses; an entry is never served to another owner.
 */
export class MemorySearchCache<T> {
	readonly #entries = new TtlCache<string, readonly T[]>("memory_search", 60_000, MAX_ENTRIES);

	/** `chars`: how much of an isolate's memory the hits would hold. */
	constructor(private readonly chars: (hits: readonly T[]) => number) {}

	/** The search's hits: served again while its entities are unchanged, else `run`'s (then kept). */
	async serve(env: Env, ownerId: number, filter: MemoryFilter, inputs: unknown, run: () => Promise<T[]>): Promise<{ hits: T[]; cache: CacheResult }> {
		const ttlMs = config(env).memorySearchCacheSeconds * 1000;
		if (ttlMs === 0) return { hits: await run(), cache: "off" };
		// Read before the search: a write that lands during it bumps them past what the entry is stored under.
		const generations = await readGenerations(env, ownerId, searchScopes(filter));
		const key = await sha256Hex(JSON.stringify([ownerId, generations, inputs]));
		const now = Date.now();
		const kept = this.#entries.get(key, now);
		// A copy: the caller may reorder what it gets, and the entry serves others.
		if (kept) return { hits: [...kept], cache: "hit" };
		const hits = await run();
		if (this.chars(hits) <= MAX_ENTRY_CHARS) this.#entries.set(key, [...hits], now, ttlMs);
		return { hits, cache: "miss" };
	}
}
