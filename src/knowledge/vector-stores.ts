import { z } from "zod";
import { GatewayError } from "../errors/gateway-error";
import { randomBase62 } from "../lib/crypto";
import { type PageQuery, pageRows, pageSql } from "./pages";

/** A vector store row as the routes use it. Times are epoch milliseconds. */
export interface StoreRow {
	id: string;
	userId: number;
	name: string;
	metadata: Record<string, string> | null;
	embeddingModel: string;
	dimensions: number | null;
	usageBytes: number;
	expiresAfterDays: number | null;
	expiresAt: number | null;
	lastActiveAt: number | null;
	createdAt: number;
}

const json = <T extends z.ZodType>(schema: T) =>
	z
		.string()
		.nullable()
		.transform((s) => (s === null ? null : (schema.parse(JSON.parse(s)) as z.output<T>)));

const storeRow = z
	.object({
		id: z.string(),
		user_id: z.number(),
		name: z.string(),
		metadata: json(z.record(z.string(), z.string())),
		embedding_model: z.string(),
		dimensions: z.number().nullable(),
		usage_bytes: z.number(),
		expires_after_days: z.number().nullable(),
		expires_at: z.number().nullable(),
		last_active_at: z.number().nullable(),
		created_at: z.number(),
	})
	.transform(
		(r): StoreRow => ({
			id: r.id,
			userId: r.user_id,
			name: r.name,
			metadata: r.metadata,
			embeddingModel: r.embedding_model,
			dimensions: r.dimensions,
			usageBytes: r.usage_bytes,
			expiresAfterDays: r.expires_after_days,
			expiresAt: r.expires_at,
			lastActiveAt: r.last_active_at,
			createdAt: r.created_at,
		}),
	);

const COLUMNS = "id, user_id, name, metadata, embedding_model, dimensions, usage_bytes, expires_after_days, expires_at, last_active_at, created_at";
const DAY_MS = 86_400_000;

export interface NewStore {
	name: string;
	metadata: Record<string, string> | null;
	embeddingModel: string;
	expiresAfterDays: number | null;
}

export async function createStore(db: D1Database, userId: number, input: NewStore, now = Date.now()): Promise<StoreRow> {
	const id = randomBase62("vs_", 24);
	const expiresAt = input.expiresAfterDays === null ? null : now + input.expiresAfterDays * DAY_MS;
	const row = await db
		.prepare(
			`INSERT INTO vector_stores (id, user_id, name, metadata, embedding_model, expires_after_days, expires_at, last_active_at, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) RETURNING ${COLUMNS}`,
		)
		.bind(id, userId, input.name, input.metadata === null ? null : JSON.stringify(input.metadata), input.embeddingModel, input.expiresAfterDays, expiresAt, now)
		.first();
	return storeRow.parse(row);
}

/**
 * The caller's store, or 404 as OpenAI words it. `userId` undefined is the operator, who reaches every store; a
 * user reaches only their own, and another user's store is "not found" so that ids do not leak.
 */
export async function findStore(db: D1Database, id: string, userId: number | undefined): Promise<StoreRow> {
	const row = await db.prepare(`SELECT ${COLUMNS} FROM vector_stores WHERE id = ?1 AND deleted_at IS NULL`).bind(id).first();
	const store = row === null ? null : storeRow.parse(row);
	if (!store || (userId !== undefined && store.userId !== userId)) {
		throw new GatewayError("not_found", `No vector store found with id '${id}'.`, { param: "vector_store_id" });
	}
	return store;
}

/** The cursor of a listed object, by id, within what the caller may see: an unknown id is a 400, as OpenAI answers. */
async function cursorOf(db: D1Database, id: string | undefined, userId: number, param: string) {
	if (id === undefined) return undefined;
	const row = await db.prepare("SELECT created_at FROM vector_stores WHERE id = ?1 AND user_id = ?2").bind(id, userId).first<{ created_at: number }>();
	if (!row) throw new GatewayError("invalid_request", `No vector store '${id}' to page from`, { param });
	return { createdAt: row.created_at, id };
}

export async function listStores(
	db: D1Database,
	userId: number,
	q: { limit: number; order: "asc" | "desc"; after?: string | undefined; before?: string | undefined },
) {
	const page: PageQuery = {
		limit: q.limit,
		order: q.order,
		after: await cursorOf(db, q.after, userId, "after"),
		before: await cursorOf(db, q.before, userId, "before"),
	};
	const sql = pageSql(page, "created_at", "id");
	const { results } = await db
		.prepare(`SELECT ${COLUMNS} FROM vector_stores WHERE user_id = ? AND deleted_at IS NULL AND ${sql.where} ORDER BY ${sql.orderBy} LIMIT ?`)
		.bind(userId, ...sql.binds, q.limit + 1)
		.all();
	return pageRows(z.array(storeRow).parse(results), q.limit, sql.reversed);
}

export async function updateStore(
	db: D1Database,
	store: StoreRow,
	changes: { name?: string | undefined; metadata?: Record<string, string> | null | undefined; expiresAfterDays?: number | null | undefined },
	now = Date.now(),
): Promise<StoreRow> {
	const name = changes.name ?? store.name;
	const metadata = changes.metadata === undefined ? store.metadata : changes.metadata;
	const days = changes.expiresAfterDays === undefined ? store.expiresAfterDays : changes.expiresAfterDays;
	const row = await db
		.prepare(
			`UPDATE vector_stores SET name = ?2, metadata = ?3, expires_after_days = ?4, expires_at = ?5, last_active_at = ?6 WHERE id = ?1 RETURNING ${COLUMNS}`,
		)
		.bind(store.id, name, metadata === null ? null : JSON.stringify(metadata), days, days === null ? null : now + days * DAY_MS, now)
		.first();
	return storeRow.parse(row);
}

/** Using a store (a search, a file added) moves its expiry, which OpenAI anchors at `last_active_at`. */
export async function touchStore(db: D1Database, store: StoreRow, now = Date.now()): Promise<void> {
	await db
		.prepare(
			"UPDATE vector_stores SET last_active_at = ?2, expires_at = CASE WHEN expires_after_days IS NULL THEN NULL ELSE ?2 + expires_after_days * ?3 END WHERE id = ?1",
		)
		.bind(store.id, now, DAY_MS)
		.run();
}

export interface FileCounts {
	in_progress: number;
	completed: number;
	failed: number;
	cancelled: number;
	total: number;
}

export const noFiles = (): FileCounts => ({ in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 });
const statuses = z.enum(["in_progress", "completed", "failed", "cancelled"]);

/** Each store's files by status, in one query for a page of stores (or a batch's files, by `column`). */
export async function fileCounts(
	db: D1Database,
	ids: readonly string[],
	column: "vector_store_id" | "batch_id" = "vector_store_id",
): Promise<Map<string, FileCounts>> {
	const counts = new Map(ids.map((id) => [id, noFiles()]));
	if (ids.length === 0) return counts;
	const { results } = await db
		.prepare(
			`SELECT ${column} AS owner, status, count(*) AS n FROM vector_store_files WHERE ${column} IN (SELECT value FROM json_each(?1)) GROUP BY ${column}, status`,
		)
		.bind(JSON.stringify(ids))
		.all<{ owner: string; status: string; n: number }>();
	for (const r of results) {
		const c = counts.get(r.owner);
		const status = statuses.safeParse(r.status);
		if (!c || !status.success) continue;
		c[status.data] += r.n;
		c.total += r.n;
	}
	return counts;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The store as OpenAI's `VectorStore`, plus `embedding_model` and `dimensions`, which the SDK ignores. */
export function storeView(store: StoreRow, counts: FileCounts, now = Date.now()) {
	const expired = store.expiresAt !== null && store.expiresAt <= now;
	return {
		id: store.id,
		object: "vector_store" as const,
		created_at: seconds(store.createdAt),
		name: store.name,
		metadata: store.metadata,
		usage_bytes: store.usageBytes,
		file_counts: counts,
		status: expired ? ("expired" as const) : counts.in_progress > 0 ? ("in_progress" as const) : ("completed" as const),
		...(store.expiresAfterDays === null ? {} : { expires_after: { anchor: "last_active_at" as const, days: store.expiresAfterDays } }),
		expires_at: store.expiresAt === null ? null : seconds(store.expiresAt),
		last_active_at: store.lastActiveAt === null ? null : seconds(store.lastActiveAt),
		embedding_model: store.embeddingModel,
		dimensions: store.dimensions,
	};
}
