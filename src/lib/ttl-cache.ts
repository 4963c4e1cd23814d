import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";

/**
 * A per-isolate cache with a time to live. The relay reads keys and channels from it so that a request
 * costs no D1 round trip; writes through the admin API clear it, and other isolates catch up within the TTL.
 */
export class TtlCache<K, V> {
	readonly #entries = new Map<K, { value: V; until: number }>();

	/** `name` labels its hits and misses in /metrics (cache_requests_total). */
	constructor(
		private readonly name: string,
		private readonly ttlMs: number,
		private readonly maxEntries = 10_000,
	) {}

	get(key: K, now = Date.now()): V | undefined {
		const hit = this.#entries.get(key);
		if (hit && hit.until > now) {
			metrics.inc(F.cache, [this.name, "hit"]);
			return hit.value;
		}
		if (hit) this.#entries.delete(key);
		metrics.inc(F.cache, [this.name, "miss"]);
		return undefined;
	}

	/** `ttlMs` replaces the cache's own for this entry (a setting read per request, like KEY_CACHE_SECONDS). */
	set(key: K, value: V, now = Date.now(), ttlMs = this.ttlMs): void {
		// Maps iterate in insertion order, so the first key is the oldest: a cheap bound on memory.
		if (this.#entries.size >= this.maxEntries && !this.#entries.has(key)) {
			const oldest = this.#entries.keys().next();
			if (!oldest.done) this.#entries.delete(oldest.value);
		}
		this.#entries.set(key, { value, until: now + ttlMs });
	}

	clear(): void {
		this.#entries.clear();
	}
}
