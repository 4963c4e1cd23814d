import { z } from "zod";
import { sha256Hex } from "../lib/crypto";
import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import { relayEmbeddings } from "../relay/embeddings";
import { type OwnerContext, ownerRelayRequest, recordFailure } from "./owner-relay";

/** OpenAI's embeddings answer, as far as the ingestion reads it. */
const answer = z.object({ data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })) });

/** Texts per upstream call: OpenAI takes up to 2,048 inputs; fewer keeps one call's failure (and retry) small. */
const PER_CALL = 96;

export interface EmbedContext extends OwnerContext {
	/** Keys the usage records: a retried step sends the same id, so its embeddings are charged once. */
	requestId: string;
	/** Where the usage log says the request came from. */
	endpoint: string;
}

/**
 * Embeddings of `texts` with `model`, through the gateway's own channels and as the caller's key: admitted, limited
 * and billed like a call to /v1/embeddings. Texts embedded before with the same model come from the cache (D1, by
 * SHA-256 of the text) and cost nothing.
 */
export async function embed(ctx: EmbedContext, model: string, texts: readonly string[]): Promise<Float32Array[]> {
	const hashes = await Promise.all(texts.map((t) => sha256Hex(t)));
	const cached = await readCache(ctx.env.DB, model, hashes);
	const missing = [...new Set(hashes.filter((h) => !cached.has(h)))];
	const byHash = new Map(texts.map((t, i) => [hashes[i], t]));
	for (let i = 0; i < missing.length; i += PER_CALL) {
		const part = missing.slice(i, i + PER_CALL);
		const vectors = await callUpstream(
			ctx,
			`${ctx.requestId}-${i / PER_CALL}`,
			model,
			part.map((h) => byHash.get(h) ?? ""),
		);
		part.forEach((h, j) => {
			const v = vectors[j];
			if (v) cached.set(h, v);
		});
		await writeCache(ctx.env.DB, model, part, vectors);
	}
	return hashes.map((h) => {
		const v = cached.get(h);
		if (!v) throw new Error("an embedding is missing from the answer");
		return v;
	});
}

async function callUpstream(ctx: EmbedContext, requestId: string, model: string, input: string[]): Promise<Float32Array[]> {
	const req = ownerRelayRequest(ctx, requestId, ctx.endpoint);
	let res: Response;
	try {
		res = await relayEmbeddings(req, { model, input, encoding_format: "float" });
	} catch (err) {
		// Recorded, then the step fails (and retries).
		recordFailure(ctx, req, err);
		throw err;
	}
	const body = answer.parse(await res.json());
	const vectors: Float32Array[] = [];
	for (const d of body.data) vectors[d.index] = Float32Array.from(d.embedding);
	if (vectors.length !== input.length || vectors.some((v) => v === undefined)) throw new Error("the embeddings answer does not cover every input");
	return vectors;
}

async function readCache(db: D1Database, model: string, hashes: readonly string[]): Promise<Map<string, Float32Array>> {
	const found = new Map<string, Float32Array>();
	const unique = [...new Set(hashes)];
	for (let i = 0; i < unique.length; i += 100) {
		const { results } = await db
			.prepare("SELECT text_hash, vector FROM embedding_cache WHERE model = ?1 AND text_hash IN (SELECT value FROM json_each(?2))")
			.bind(model, JSON.stringify(unique.slice(i, i + 100)))
			.all<{ text_hash: string; vector: ArrayBuffer | number[] }>();
		for (const r of results) found.set(r.text_hash, new Float32Array(r.vector instanceof ArrayBuffer ? r.vector : Uint8Array.from(r.vector).buffer));
	}
	metrics.inc(F.cache, ["embeddings", "hit"], found.size);
	metrics.inc(F.cache, ["embeddings", "miss"], unique.length - found.size);
	return found;
}

async function writeCache(db: D1Database, model: string, hashes: readonly string[], vectors: readonly Float32Array[]): Promise<void> {
	const insert = db.prepare("INSERT OR IGNORE INTO embedding_cache (model, text_hash, dimensions, vector) VALUES (?1, ?2, ?3, ?4)");
	const rows = hashes.flatMap((h, i) => {
		const v = vectors[i];
		return v ? [insert.bind(model, h, v.length, v.slice().buffer)] : [];
	});
	if (rows.length > 0) await db.batch(rows);
}
