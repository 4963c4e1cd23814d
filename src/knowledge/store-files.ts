import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import type { ResolvedChunkingStrategy } from "./documents/chunking-strategy";
import type { Attributes } from "./filters";
import { type PageQuery, pageRows, pageSql } from "./pages";

export type FileStatus = "in_progress" | "completed" | "failed" | "cancelled";
export type Stage = "queued" | "parsing" | "chunking" | "embedding" | "indexing" | "done";

export interface StoreFileRow {
	vectorStoreId: string;
	fileId: string;
	userId: number;
	tokenId: number | null;
	batchId: string | null;
	status: FileStatus;
	stage: Stage;
	progress: number;
	attributes: Attributes | null;
	chunkingStrategy: ResolvedChunkingStrategy;
	usageBytes: number;
	chunkCount: number;
	lastError: { code: "server_error" | "unsupported_file" | "invalid_file"; message: string } | null;
	createdAt: number;
	updatedAt: number;
}

const strategy = z.object({
	type: z.literal("static"),
	static: z.object({ max_chunk_size_tokens: z.number(), chunk_overlap_tokens: z.number() }),
});

const row = z
	.object({
		vector_store_id: z.string(),
		file_id: z.string(),
		user_id: z.number(),
		token_id: z.number().nullable(),
		batch_id: z.string().nullable(),
		status: z.enum(["in_progress", "completed", "failed", "cancelled"]),
		stage: z.enum(["queued", "parsing", "chunking", "embedding", "indexing", "done"]),
		progress: z.number(),
		attributes: z.string().nullable(),
		chunking_strategy: z.string(),
		usage_bytes: z.number(),
		chunk_count: z.number(),
		last_error_code: z.enum(["server_error", "unsupported_file", "invalid_file"]).nullable(),
		last_error_message: z.string().nullable(),
		created_at: z.number(),
		updated_at: z.number(),
	})
	.transform(
		(r): StoreFileRow => ({
			vectorStoreId: r.vector_store_id,
			fileId: r.file_id,
			userId: r.user_id,
			tokenId: r.token_id,
			batchId: r.batch_id,
			status: r.status,
			stage: r.stage,
			progress: r.progress,
			attributes: r.attributes === null ? null : z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).parse(JSON.parse(r.attributes)),
			chunkingStrategy: strategy.parse(JSON.parse(r.chunking_strategy)),
			usageBytes: r.usage_bytes,
			chunkCount: r.chunk_count,
			lastError: r.last_error_code === null ? null : { code: r.last_error_code, message: r.last_error_message ?? "" },
			createdAt: r.created_at,
			updatedAt: r.updated_at,
		}),
	);

export const storeFileRows = z.array(row);
const COLUMNS =
	"vector_store_id, file_id, user_id, token_id, batch_id, status, stage, progress, attributes, chunking_strategy, usage_bytes, chunk_count, last_error_code, last_error_message, created_at, updated_at";

export interface NewStoreFile {
	fileId: string;
	attributes: Attributes | null;
	chunkingStrategy: ResolvedChunkingStrategy;
}

/**
 * Adds files to a store (or puts one back in line: OpenAI lets a file be added again), queued for ingestion. The
 * caller checked that each file is the owner's. Returns the rows as stored.
 */
export async function addStoreFiles(
	db: D1Database,
	store: { id: string; userId: number },
	tokenId: number | null,
	batchId: string | null,
	files: readonly NewStoreFile[],
	now = Date.now(),
): Promise<StoreFileRow[]> {
	// D1 refuses an empty batch.
	if (files.length === 0) return [];
	const upsert = db.prepare(
		`INSERT INTO vector_store_files (vector_store_id, file_id, user_id, token_id, batch_id, attributes, chunking_strategy, created_at, updated_at)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
		ON CONFLICT (vector_store_id, file_id) DO UPDATE SET token_id = ?4, batch_id = ?5, attributes = ?6, chunking_strategy = ?7,
			status = 'in_progress', stage = 'queued', progress = 0, last_error_code = NULL, last_error_message = NULL, updated_at = ?8
		RETURNING ${COLUMNS}`,
	);
	const results = await db.batch(
		files.map((f) =>
			upsert.bind(
				store.id,
				f.fileId,
				store.userId,
				tokenId,
				batchId,
				f.attributes === null ? null : JSON.stringify(f.attributes),
				JSON.stringify(f.chunkingStrategy),
				now,
			),
		),
	);
	return results.map((r) => row.parse(r.results[0]));
}

export async function findStoreFile(db: D1Database, vectorStoreId: string, fileId: string): Promise<StoreFileRow> {
	const found = await db.prepare(`SELECT ${COLUMNS} FROM vector_store_files WHERE vector_store_id = ?1 AND file_id = ?2`).bind(vectorStoreId, fileId).first();
	if (!found) throw new GatewayError("not_found", `No file found with id '${fileId}' in vector store '${vectorStoreId}'.`, { param: "file_id" });
	return row.parse(found);
}

export async function listStoreFiles(
	db: D1Database,
	where: { vectorStoreId: string; batchId?: string | undefined; status?: FileStatus | undefined },
	q: { limit: number; order: "asc" | "desc"; after?: string | undefined; before?: string | undefined },
) {
	const cursor = async (fileId: string | undefined, param: string) => {
		if (fileId === undefined) return undefined;
		const c = await db
			.prepare("SELECT created_at FROM vector_store_files WHERE vector_store_id = ?1 AND file_id = ?2")
			.bind(where.vectorStoreId, fileId)
			.first<{ created_at: number }>();
		if (!c) throw new GatewayError("invalid_request", `No file '${fileId}' in this vector store to page from`, { param });
		return { createdAt: c.created_at, id: fileId };
	};
	const page: PageQuery = { limit: q.limit, order: q.order, after: await cursor(q.after, "after"), before: await cursor(q.before, "before") };
	const sql = pageSql(page, "created_at", "file_id");
	const { results } = await db
		.prepare(
			`SELECT ${COLUMNS} FROM vector_store_files WHERE vector_store_id = ? AND (? IS NULL OR batch_id = ?) AND (? IS NULL OR status = ?)
			AND ${sql.where} ORDER BY ${sql.orderBy} LIMIT ?`,
		)
		.bind(where.vectorStoreId, where.batchId ?? null, where.batchId ?? null, where.status ?? null, where.status ?? null, ...sql.binds, q.limit + 1)
		.all();
	return pageRows(storeFileRows.parse(results), q.limit, sql.reversed);
}

export async function setAttributes(db: D1Database, file: StoreFileRow, attributes: Attributes | null, now = Date.now()): Promise<StoreFileRow> {
	const json = attributes === null ? null : JSON.stringify(attributes);
	// The chunks carry the attributes too, so that a search filters them without a join.
	const [updated] = await db.batch([
		db
			.prepare(`UPDATE vector_store_files SET attributes = ?3, updated_at = ?4 WHERE vector_store_id = ?1 AND file_id = ?2 RETURNING ${COLUMNS}`)
			.bind(file.vectorStoreId, file.fileId, json, now),
		db.prepare("UPDATE chunks SET attributes = ?3 WHERE vector_store_id = ?1 AND file_id = ?2").bind(file.vectorStoreId, file.fileId, json),
	]);
	return row.parse(updated?.results[0]);
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** OpenAI's `VectorStoreFile`, plus the ingestion's `stage`, `progress` and `chunk_count`, which the SDK ignores. */
export function storeFileView(f: StoreFileRow) {
	return {
		id: f.fileId,
		object: "vector_store.file" as const,
		created_at: seconds(f.createdAt),
		vector_store_id: f.vectorStoreId,
		status: f.status,
		usage_bytes: f.usageBytes,
		last_error: f.lastError,
		attributes: f.attributes,
		chunking_strategy: f.chunkingStrategy,
		stage: f.stage,
		progress: f.progress,
		chunk_count: f.chunkCount,
	};
}
