import { z } from "zod";
import { INGEST_QUEUE, type IngestMessage, ingestMessage } from "../../queues/ingest-message";
import { GatewayError } from "../errors/gateway-error";
import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import { traceMessage } from "../observability/queue-span";
import type { Span } from "../observability/tracer";
import { callerForKey } from "../relay/callers";
import { chunk } from "./documents/chunk";
import { parseDocument } from "./documents/parse";
import type { BinaryParser } from "./documents/types";
import { embed } from "./embed";
import { parseInParserWorker } from "./parser-service";
import { findStoreFile, type StoreFileRow } from "./store-files";
import { vectorIndex } from "./vector-index";
import { findStore, type StoreRow } from "./vector-stores";

/** Tries of one message before it goes to the dead-letter queue: wrangler.toml's max_retries (5) + 1. */
const TRIES = 6;
/** Chunks written to D1 per batch of statements. */
const WRITE_SLICE = 50;

type FailureCode = "server_error" | "unsupported_file" | "invalid_file";

/** A file that cannot be ingested, whatever the retries: it ends `failed` with this reason. */
class IngestFailure extends Error {
	constructor(
		readonly code: FailureCode,
		message: string,
	) {
		super(message);
	}
}

/**
 * Ingests the files of a batch of messages, one by one: parse → chunk → embed → index. Every step is idempotent
 * (chunks are upserted by position, vectors by chunk id, embeddings charged by a request id fixed per file and
 * generation), so a redelivered or retried message redoes work without doubling anything. A step that fails for a
 * transient reason (the embedding channel down, D1 busy) is retried with backoff; after the last try the file is
 * marked failed and the message dead-lettered, where an operator can replay it.
 */
export async function consumeIngest(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
	for (const message of batch.messages) {
		const parsed = ingestMessage.safeParse(message.body);
		if (!parsed.success) {
			// Not ours to read: it goes the way of every message that keeps failing, to the dead-letter queue and from
			// there into dead_jobs, where an operator sees it.
			message.retry();
			continue;
		}
		try {
			const msg = parsed.data;
			const about = { "gateway.vector_store_id": msg.vector_store_id, "gateway.file_id": msg.file_id, "messaging.delivery.attempt": message.attempts };
			await traceMessage(env, ctx, INGEST_QUEUE, msg.traceparent, about, (span) => ingest(env, ctx, msg, span));
			message.ack();
		} catch (err) {
			const reason = err instanceof Error ? err.message : String(err);
			if (message.attempts >= TRIES) await markFailed(env.DB, parsed.data, "server_error", `Ingestion failed after ${TRIES} tries: ${reason}`);
			message.retry({ delaySeconds: Math.min(300, 5 * 2 ** (message.attempts - 1)) });
		}
	}
}

/** The store file, if this message is still its current work: not removed, re-added or cancelled since it was sent. */
async function current(env: Env, msg: IngestMessage): Promise<{ store: StoreRow; file: StoreFileRow } | null> {
	try {
		const store = await findStore(env.DB, msg.vector_store_id, undefined);
		const file = await findStoreFile(env.DB, store.id, msg.file_id);
		return file.updatedAt === msg.generation && file.status === "in_progress" ? { store, file } : null;
	} catch (err) {
		// Gone (the store or the file was removed): nothing to do. Anything else (D1 unreachable) is retried.
		if (err instanceof GatewayError && err.code === "not_found") return null;
		throw err;
	}
}

async function stage(db: D1Database, msg: IngestMessage, name: "parsing" | "chunking" | "embedding" | "indexing", progress: number): Promise<void> {
	await db
		.prepare("UPDATE vector_store_files SET stage = ?4, progress = ?5 WHERE vector_store_id = ?1 AND file_id = ?2 AND updated_at = ?3")
		.bind(msg.vector_store_id, msg.file_id, msg.generation, name, progress)
		.run();
}

async function markFailed(db: D1Database, msg: IngestMessage, code: FailureCode, message: string): Promise<void> {
	await db
		.prepare(
			`UPDATE vector_store_files SET status = 'failed', last_error_code = ?4, last_error_message = ?5
			WHERE vector_store_id = ?1 AND file_id = ?2 AND updated_at = ?3 AND status = 'in_progress'`,
		)
		.bind(msg.vector_store_id, msg.file_id, msg.generation, code, message.slice(0, 1000))
		.run();
}

/**
 * PDF and Word documents are parsed by the parser Worker. A gateway deployed without it (no PARSER binding) fails
 * such files at once and says why; retrying would not bind it.
 */
function binaryParser(env: Env): BinaryParser {
	return (bytes, kind) => {
		if (!env.PARSER) {
			throw new IngestFailure(
				"server_error",
				`This gateway cannot read ${kind === "pdf" ? "PDF" : "Word"} files: it has no PARSER binding to the parser Worker (edge-gateway-parser; see README, Deploy).`,
			);
		}
		return parseInParserWorker(env.PARSER, bytes, kind);
	};
}

const fileRow = z.object({ r2_key: z.string(), content_type: z.string() });

async function ingest(env: Env, ctx: ExecutionContext, msg: IngestMessage, span: Span): Promise<void> {
	const work = await current(env, msg);
	if (!work) return;
	try {
		await run(env, ctx, msg, work.store, work.file, span);
	} catch (err) {
		if (!(err instanceof IngestFailure)) throw err;
		span.fail(err.code);
		await markFailed(env.DB, msg, err.code, err.message);
	}
}

/** Times each stage of one ingestion for /metrics: `lap(name)` ends the stage `name` and starts the next. */
function stageClock(): (name: "parse" | "chunk" | "embed" | "index") => void {
	let since = Date.now();
	return (name) => {
		const now = Date.now();
		metrics.observe(F.ingestStage, [name], (now - since) / 1000);
		since = now;
	};
}

async function run(env: Env, ctx: ExecutionContext, msg: IngestMessage, store: StoreRow, file: StoreFileRow, span: Span): Promise<void> {
	const lap = stageClock();
	await stage(env.DB, msg, "parsing", 0.05);
	const row = await env.DB.prepare("SELECT r2_key, content_type FROM files WHERE id = ?1 AND deleted_at IS NULL").bind(file.fileId).first();
	if (!row) throw new IngestFailure("invalid_file", "The file was deleted.");
	const meta = fileRow.parse(row);
	const object = await env.FILES.get(meta.r2_key);
	if (!object) throw new IngestFailure("invalid_file", "The file's content is missing.");
	const parsed = await parseDocument(new Uint8Array(await object.arrayBuffer()), meta.content_type, binaryParser(env));
	if (!parsed.ok) throw new IngestFailure(parsed.code, parsed.message);
	lap("parse");

	await stage(env.DB, msg, "chunking", 0.2);
	const chunks = chunk(parsed.document.text, file.chunkingStrategy, parsed.document.sections);
	if (chunks.length === 0) throw new IngestFailure("invalid_file", "The file has no text to index.");
	const ids = await writeChunks(env, store, file, chunks);
	lap("chunk");

	await stage(env.DB, msg, "embedding", 0.3);
	if (file.tokenId === null) throw new IngestFailure("server_error", "No gateway key added this file, so nobody can be billed for its embeddings.");
	const caller = await callerForKey(env, file.tokenId, file.userId);
	const vectors = await embed(
		{
			env,
			waitUntil: (w) => ctx.waitUntil(w),
			caller,
			trace: span,
			requestId: `ingest-${store.id}-${file.fileId}-${msg.generation}`,
			endpoint: "/v1/vector_stores/ingest",
		},
		store.embeddingModel,
		chunks.map((c) => c.text),
	);
	lap("embed");

	await stage(env.DB, msg, "indexing", 0.9);
	const dimensions = vectors[0]?.length ?? 0;
	if (store.dimensions !== null && store.dimensions !== dimensions) {
		throw new IngestFailure("server_error", `The embedding model answered ${dimensions} dimensions; the store holds ${store.dimensions}.`);
	}
	await env.DB.prepare("UPDATE vector_stores SET dimensions = ?2 WHERE id = ?1 AND dimensions IS NULL").bind(store.id, dimensions).run();
	await vectorIndex(env, dimensions).upsert(ids.map((id, i) => ({ id: String(id), values: vectors[i] ?? new Float32Array(dimensions), namespace: store.id })));
	lap("index");

	const usageBytes = chunks.reduce((sum, c) => sum + new TextEncoder().encode(c.text).length, 0);
	const done = await env.DB.prepare(
		`UPDATE vector_store_files SET status = 'completed', stage = 'done', progress = 1, usage_bytes = ?4, chunk_count = ?5
		WHERE vector_store_id = ?1 AND file_id = ?2 AND updated_at = ?3 AND status = 'in_progress' RETURNING file_id`,
	)
		.bind(store.id, file.fileId, msg.generation, usageBytes, chunks.length)
		.first();
	if (done) {
		await env.DB.prepare("UPDATE vector_stores SET usage_bytes = max(0, usage_bytes + ?2) WHERE id = ?1")
			.bind(store.id, usageBytes - file.usageBytes)
			.run();
	}
}

/**
 * Upserts the chunks by (store, file, position), with the file's attributes, and deletes those past the end (from
 * an earlier, longer version) with their vectors. Returns the chunks' ids, in order.
 */
async function writeChunks(env: Env, store: StoreRow, file: StoreFileRow, chunks: ReturnType<typeof chunk>): Promise<number[]> {
	const db = env.DB;
	const upsert = db.prepare(
		`INSERT INTO chunks (vector_store_id, file_id, user_id, position, text, tokens, heading, attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
		ON CONFLICT (vector_store_id, file_id, position) DO UPDATE SET text = ?5, tokens = ?6, heading = ?7, attributes = ?8 RETURNING id`,
	);
	const attributes = file.attributes === null ? null : JSON.stringify(file.attributes);
	const ids: number[] = [];
	for (let i = 0; i < chunks.length; i += WRITE_SLICE) {
		const results = await db.batch(
			chunks
				.slice(i, i + WRITE_SLICE)
				.map((c) => upsert.bind(store.id, file.fileId, file.userId, c.position, c.text, c.tokens, c.headings.join(" › ") || null, attributes)),
		);
		for (const r of results) ids.push(z.object({ id: z.number() }).parse(r.results[0]).id);
	}
	const { results: stale } = await db
		.prepare("DELETE FROM chunks WHERE vector_store_id = ?1 AND file_id = ?2 AND position >= ?3 RETURNING id")
		.bind(store.id, file.fileId, chunks.length)
		.all<{ id: number }>();
	if (stale.length > 0 && store.dimensions !== null) await vectorIndex(env, store.dimensions).deleteByIds(stale.map((r) => String(r.id)));
	return ids;
}
