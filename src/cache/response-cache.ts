import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import type { ChatResponse } from "../protocols/ir";
import type { Usage } from "../protocols/usage";
import type { ChatCall, RelayRequest } from "../relay/request";
import { CACHE_MODES, type CacheSettings, cacheSettings } from "../types/cache-settings";
import { requestHash } from "./normalize";
import { purged, purgeMarks } from "./purges";
import { findSimilar, rememberSimilar, type SemanticProbe, semanticProbe } from "./semantic";
import { type CachedAnswer, entryKey, readEntry, scopeOf, writeEntry } from "./store";

/** How one request uses the cache: where its answer is (or will be) kept, and whether it may be served from there. */
export interface CachePlan {
	settings: CacheSettings & { mode: "exact" | "semantic" };
	/** False for `Cache-Control: no-cache`: the answer is fetched afresh, and kept for the next request. */
	read: boolean;
	scope: string;
	key: string;
	/** What a semantic-mode request is searched and remembered by; absent when it is not eligible (semantic-probe.ts). */
	probe?: SemanticProbe;
}

export interface CacheHit {
	kind: "exact" | "semantic";
	entry: CachedAnswer;
	/** A semantic hit's cosine similarity to the stored question. */
	similarity?: number;
}

/**
 * The settings a request runs with: its key's (or app's), unless it asks otherwise with `x-gateway-cache: off |
 * exact | semantic` (the key's TTL and threshold kept, the defaults where it has none). null: the cache is off.
 */
export function requestedSettings(configured: CacheSettings | null | undefined, headers: Headers): CacheSettings | null {
	const asked = headers.get("x-gateway-cache")?.trim().toLowerCase();
	const mode = CACHE_MODES.find((m) => m === asked);
	if (!mode) return configured ?? null;
	if (mode === "off") return null;
	return configured ? { ...configured, mode } : cacheSettings.parse({ mode });
}

const count = (mode: string, result: string) => metrics.inc(F.responseCache, [mode, result]);

/**
 * The request's cache plan, or undefined when it does not use the cache: its settings are off, or it says
 * `Cache-Control: no-store` (neither served from nor kept in the cache). `chain` is the model after aliasing.
 */
export async function cachePlan(req: RelayRequest, call: ChatCall, chain: readonly string[]): Promise<CachePlan | undefined> {
	const settings = requestedSettings(call.cache, req.clientHeaders);
	if (!settings || settings.mode === "off") return undefined;
	const control = req.clientHeaders.get("cache-control")?.toLowerCase() ?? "";
	if (/\bno-store\b/.test(control)) {
		count(settings.mode, "bypass");
		return undefined;
	}
	const scope = scopeOf(req.env, req.caller);
	const models = chain.join(">");
	const [hash, probe] = await Promise.all([requestHash(call, models), semanticProbe(call, models, settings)]);
	const plan: CachePlan = { settings: { ...settings, mode: settings.mode }, read: !/\bno-cache\b/.test(control), scope, key: entryKey(scope, hash) };
	return probe ? { ...plan, probe } : plan;
}

/**
 * A stored answer to the request that no purge removed, if any: the same request's, else (semantic mode) the answer
 * to the most similar question with everything else equal, at the key's threshold or above.
 */
export async function findAnswer(req: RelayRequest, plan: CachePlan): Promise<CacheHit | undefined> {
	const { env } = req;
	const { mode } = plan.settings;
	if (!plan.read) {
		count(mode, "bypass");
		return undefined;
	}
	const [entry, marks] = await Promise.all([readEntry(env, plan.key), purgeMarks(env)]);
	if (entry && !purged(entry, marks)) {
		count(mode, "hit");
		return { kind: "exact", entry };
	}
	const similar = plan.probe && (await findSimilar(req, plan.scope, plan.probe, plan.settings));
	const near = similar && (await readEntry(env, similar.key));
	if (similar && near && !purged(near, marks)) {
		count(mode, "semantic_hit");
		return { kind: "semantic", entry: near, similarity: similar.similarity };
	}
	count(mode, "miss");
	return undefined;
}

/** What a channel answered, for the cache to keep once the answer is complete. */
export interface Answered {
	answer: ChatResponse;
	model: string;
	channelId: number;
	usage: Usage;
}

/**
 * Keeps a complete answer under the plan's key for its TTL, after the response (the client never waits on KV).
 * An answer with a choice that did not finish is not kept; neither is one too large for an entry.
 */
export function keepAnswer(req: RelayRequest, plan: CachePlan, { answer, model, channelId, usage }: Answered): void {
	if (answer.choices.length === 0 || answer.choices.some((c) => c.finish_reason === null)) {
		count(plan.settings.mode, "not_stored");
		return;
	}
	const now = Date.now();
	const entry: CachedAnswer = {
		v: 1,
		answer,
		model,
		channelId,
		usage: { promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedTokens },
		keyId: req.caller.keyId,
		userId: req.caller.userId,
		createdAt: now,
		expiresAt: now + plan.settings.ttl_seconds * 1000,
	};
	const { probe } = plan;
	const keep = async () => {
		const stored = await writeEntry(req.env, plan.key, entry);
		count(plan.settings.mode, stored ? "stored" : "not_stored");
		// Remembered only once the entry is there: a search never finds a question whose answer is not.
		if (stored && probe) await rememberSimilar(req, plan.scope, probe, plan.key, entry.expiresAt);
	};
	req.waitUntil(keep().catch(() => count(plan.settings.mode, "not_stored")));
}
