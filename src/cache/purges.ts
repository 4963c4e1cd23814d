import { gt } from "drizzle-orm";
import { db } from "../db/client";
import { cachePurges } from "../db/schema";
import { config } from "../env";
import { TtlCache } from "../lib/ttl-cache";
import { MAX_CACHE_TTL_SECONDS } from "../types/cache-settings";
import type { CachedAnswer } from "./store";

/** A purge as the lookup applies it: entries it matches that were written at or before `at` are not served. */
export interface PurgeMark {
	userId: number | null;
	keyId: number | null;
	model: string | null;
	at: number;
}

/**
 * The purges that still matter (younger than the longest TTL), read once per isolate per KEY_CACHE_SECONDS and only
 * by a request that uses the cache: the bound within which a purge applies everywhere. The isolate that purged
 * forgets at once (`forgetPurges`).
 */
const marks = new TtlCache<"all", PurgeMark[]>("cache_purges", 5_000, 1);

export function forgetPurges(): void {
	marks.clear();
}

export async function purgeMarks(env: Env, now = Date.now()): Promise<PurgeMark[]> {
	const known = marks.get("all", now);
	if (known) return known;
	const rows = await db(env)
		.select({ userId: cachePurges.userId, keyId: cachePurges.keyId, model: cachePurges.model, at: cachePurges.at })
		.from(cachePurges)
		.where(gt(cachePurges.at, now - MAX_CACHE_TTL_SECONDS * 1000));
	marks.set("all", rows, now, config(env).keyCacheSeconds * 1000);
	return rows;
}

/** Whether a purge removed this entry (it may still be in KV while the deletion propagates). */
export function purged(entry: Pick<CachedAnswer, "userId" | "keyId" | "model" | "createdAt">, all: readonly PurgeMark[]): boolean {
	return all.some(
		(m) =>
			entry.createdAt <= m.at &&
			(m.userId === null || m.userId === entry.userId) &&
			(m.keyId === null || m.keyId === entry.keyId) &&
			(m.model === null || m.model === entry.model),
	);
}
