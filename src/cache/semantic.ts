import { INDEX_LIMITS, type IndexMatch } from "../../durable-objects/vector-index-types";
import { config } from "../env";
import { knownError } from "../errors/on-error";
import { embed } from "../knowledge/embed";
import { vectorIndex } from "../knowledge/vector-index";
import { sha256Hex } from "../lib/crypto";
import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import { logEvent } from "../observability/request-log";
import { traced } from "../observability/tracer";
import type { RelayRequest } from "../relay/request";
import type { CacheSettings } from "../types/cache-settings";
import type { SemanticProbe } from "./semantic-probe";
import { entryKey } from "./store";

export { MAX_PROBE_CHARS, type SemanticProbe, semanticProbe } from "./semantic-probe";

/**
 * The semantic cache's index: each answer stored for a semantic-mode request is remembered as the embedding of its
 * final user message, in the vector index of the embedding's dimension (the local Durable Object in dev and tests,
 * Vectorize in production), under a namespace per cache scope, so a search never scores another tenant's questions.
 * Each vector's metadata names the entry (its KV key), the probe's exact filter (only equal filters are searched;
 * Vectorize needs a metadata index on `filter`, README "Configuration") and when the entry expires.
 *
 * The question is embedded through the gateway's own channels as the caller's key, billed as its own call would be
 * (usage endpoint ENDPOINT) with CACHE_EMBEDDING_MODEL; the lookup and the remembering embed the same text, so the
 * second comes from the embedding cache in D1 and costs nothing. A failure (no channel serves the model, the index is
 * down) never fails the chat request: the lookup is a miss, the answer is not remembered, and the failure is logged
 * and counted (response_cache_lookups_total{mode="semantic",result="error"}).
 */

/** Where the usage log records the cache's embeddings. */
export const ENDPOINT = "cache.semantic";
/** Candidates per search: the best that passes is all that is needed, and a few spare ones step over expired entries. */
const TOP_K = 5;

/** A vector's metadata: the entry, the filter it answers (with the embedding model: see `indexFilter`), its expiry. */
type Remembered = { key: string; filter: string; expires_at: number };

/** The scope's namespace: `rc_<scope>`, or a hash of the scope when a group's name makes it longer than Vectorize allows. */
export async function cacheNamespace(scope: string): Promise<string> {
	const plain = `rc_${scope}`;
	if (new TextEncoder().encode(plain).length <= INDEX_LIMITS.maxNamespaceBytes) return plain;
	return `rch_${(await sha256Hex(scope)).slice(0, 48)}`;
}

/**
 * The filter as the index holds it: the probe's, and the embedding model, so that after CACHE_EMBEDDING_MODEL changes
 * to a model of the same dimension, vectors of the old one (whose similarities to the new mean nothing) are not searched.
 */
function indexFilter(env: Env, probe: SemanticProbe): Promise<string> {
	return sha256Hex(`${config(env).cacheEmbeddingModel}\n${probe.filter}`);
}

/** The vector id of an entry: unique across the whole index (the entry key holds the scope), within its 64 bytes. */
async function vectorId(key: string): Promise<string> {
	return `rc_${(await sha256Hex(key)).slice(0, 48)}`;
}

/** The stored entry (its KV key) most similar to the probe, if its similarity is at least the key's threshold. */
export function findSimilar(
	req: RelayRequest,
	scope: string,
	probe: SemanticProbe,
	settings: Pick<CacheSettings, "threshold">,
	now = Date.now(),
): Promise<{ key: string; similarity: number } | undefined> {
	return traced(req.trace, "semantic cache lookup", {}, async (span) => {
		try {
			const [vector, filter, namespace] = await Promise.all([embedProbe(req, probe), indexFilter(req.env, probe), cacheNamespace(scope)]);
			const index = vectorIndex(req.env, vector.length);
			const { matches } = await index.query(vector, { topK: TOP_K, namespace, filter: { filter }, returnMetadata: "all" });
			const expired: string[] = [];
			let best: { key: string; similarity: number } | undefined;
			for (const m of matches) {
				const entry = remembered(m, scope);
				if (entry === undefined || entry.filter !== filter) continue;
				if (entry.expires_at <= now) expired.push(m.id);
				else if (m.score >= settings.threshold && (best === undefined || m.score > best.similarity)) best = { key: entry.key, similarity: m.score };
			}
			// The index keeps vectors until they are deleted: those a search stumbles on go, so one question's stale
			// entries do not crowd out its live ones.
			if (expired.length > 0) req.waitUntil(index.deleteByIds(expired).catch((err: unknown) => failed(req, "forget", err)));
			span.set({ "gateway.cache.similarity": matches[0]?.score ?? 0, "gateway.cache.hit": best !== undefined });
			return best;
		} catch (err) {
			failed(req, "lookup", err);
			return undefined;
		}
	});
}

/** Remembers that `key` answers `probe` until `expiresAt` (after the answer is stored); a failure only loses the hit. */
export async function rememberSimilar(req: RelayRequest, scope: string, probe: SemanticProbe, key: string, expiresAt: number): Promise<void> {
	try {
		const [vector, filter, namespace, id] = await Promise.all([embedProbe(req, probe), indexFilter(req.env, probe), cacheNamespace(scope), vectorId(key)]);
		const metadata: Remembered = { key, filter, expires_at: expiresAt };
		await vectorIndex(req.env, vector.length).upsert([{ id, values: vector, namespace, metadata }]);
	} catch (err) {
		failed(req, "remember", err);
	}
}

/** A match's metadata, if it is one of this scope's entries (a vector of another shape, or a key outside the scope, is not). */
function remembered(m: IndexMatch, scope: string): Remembered | undefined {
	const key = m.metadata?.key;
	const filter = m.metadata?.filter;
	const expiresAt = m.metadata?.expires_at;
	if (typeof key !== "string" || typeof filter !== "string" || typeof expiresAt !== "number") return undefined;
	return key.startsWith(entryKey(scope, "")) ? { key, filter, expires_at: expiresAt } : undefined;
}

async function embedProbe(req: RelayRequest, probe: SemanticProbe): Promise<Float32Array> {
	const ctx = { env: req.env, waitUntil: req.waitUntil, caller: req.caller, trace: req.trace, requestId: `${req.requestId}-cache`, endpoint: ENDPOINT };
	const [vector] = await embed(ctx, config(req.env).cacheEmbeddingModel, [probe.text]);
	if (!vector) throw new Error("no embedding for the probe");
	return vector;
}

function failed(req: RelayRequest, step: "lookup" | "remember" | "forget", err: unknown): void {
	metrics.inc(F.responseCache, ["semantic", "error"]);
	const error = knownError(err)?.code ?? (err instanceof Error ? err.message.slice(0, 200) : "unknown");
	logEvent("cache.semantic_failed", { request_id: req.requestId, key_id: req.caller.keyId, step, error });
}
