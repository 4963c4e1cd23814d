import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, type SQL } from "drizzle-orm";
import { db } from "../../db/client";
import { files } from "../../db/schema";
import { GatewayError } from "../../errors/gateway-error";
import { randomBase62 } from "../../lib/crypto";
import { removeFileFromStores } from "../remove";
import { sniffContentType } from "./sniff";

export type FileRow = typeof files.$inferSelect;

export interface NewFile {
	userId: number;
	filename: string;
	purpose: string;
	bytes: Uint8Array<ArrayBuffer>;
	/** Milliseconds since the epoch; null: kept until deleted. */
	expiresAt: number | null;
	quotaBytes: number;
}

function hex(digest: ArrayBuffer): string {
	let out = "";
	for (const b of new Uint8Array(digest)) out += b.toString(16).padStart(2, "0");
	return out;
}

/**
 * The row goes in first, as `uploaded` (invisible), and only if the user's stored bytes, this file included, stay
 * within the quota: one statement, so two uploads at once cannot both squeeze under it.
 */
const RESERVE = `INSERT INTO files (id, user_id, filename, purpose, bytes, content_type, sha256, r2_key, status, expires_at, created_at)
SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'uploaded', ?9, ?10
WHERE (SELECT coalesce(sum(bytes), 0) FROM files
       WHERE user_id = ?2 AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > ?10)) + ?5 <= ?11`;

/**
 * Stores an upload: reserves its row within the quota, writes the bytes to R2 (which checks them against the
 * digest), then makes the row visible (`processed`). A crash in between leaves an `uploaded` row that the cron
 * removes with its object (`purgeFiles`).
 */
export async function storeFile(env: Env, input: NewFile, now = Date.now()): Promise<FileRow> {
	const id = randomBase62("file-", 24);
	const r2Key = `files/${input.userId}/${id}`;
	const contentType = sniffContentType(input.bytes, input.filename);
	const digest = await crypto.subtle.digest("SHA-256", input.bytes);
	const size = input.bytes.byteLength;
	const reserved = await env.DB.prepare(RESERVE)
		.bind(id, input.userId, input.filename, input.purpose, size, contentType, hex(digest), r2Key, input.expiresAt, now, input.quotaBytes)
		.run();
	if (reserved.meta.changes !== 1) {
		throw new GatewayError(
			"forbidden",
			`Storing this file (${size} bytes) would exceed your storage quota of ${input.quotaBytes} bytes; delete files you no longer need`,
			{ param: "file" },
		);
	}
	try {
		await env.FILES.put(r2Key, input.bytes, { httpMetadata: { contentType }, sha256: digest });
	} catch (err) {
		await db(env).delete(files).where(eq(files.id, id));
		throw err;
	}
	const [row] = await db(env).update(files).set({ status: "processed" }).where(eq(files.id, id)).returning();
	if (!row) throw new Error(`file ${id} vanished while it was being stored`);
	return row;
}

/** A file a client may see: stored, not being deleted, not expired. */
const visible = (now: number) => and(eq(files.status, "processed"), isNull(files.deletedAt), or(isNull(files.expiresAt), gt(files.expiresAt, now)));

export async function findFile(env: Env, id: string, now = Date.now()): Promise<FileRow | undefined> {
	const [row] = await db(env)
		.select()
		.from(files)
		.where(and(eq(files.id, id), visible(now)))
		.limit(1);
	return row;
}

export interface FileListing {
	userId: number;
	/** The page starts after this file, in the listing's order. */
	after: FileRow | undefined;
	/** How many rows to read: the page size plus one, to learn whether there is more. */
	take: number;
	order: "asc" | "desc";
	purpose: string | undefined;
}

/** A user's files by creation time, ties broken by id, so that `after` continues exactly where a page ended. */
export function listFiles(env: Env, q: FileListing, now = Date.now()): Promise<FileRow[]> {
	const filters: (SQL | undefined)[] = [eq(files.userId, q.userId), visible(now)];
	if (q.purpose !== undefined) filters.push(eq(files.purpose, q.purpose));
	if (q.after) {
		const beyond = q.order === "desc" ? lt : gt;
		filters.push(or(beyond(files.createdAt, q.after.createdAt), and(eq(files.createdAt, q.after.createdAt), beyond(files.id, q.after.id))));
	}
	const by = q.order === "desc" ? desc : asc;
	return db(env)
		.select()
		.from(files)
		.where(and(...filters))
		.orderBy(by(files.createdAt), by(files.id))
		.limit(q.take);
}

/**
 * Marks the file deleted (it is gone for clients from then on), then takes it out of the vector stores it is in and
 * removes its object and its row.
 */
export async function deleteFile(env: Env, row: FileRow, now = Date.now()): Promise<void> {
	await db(env).update(files).set({ deletedAt: now }).where(eq(files.id, row.id));
	await finishDeletes(env, [row]);
}

async function finishDeletes(env: Env, rows: Pick<FileRow, "id" | "r2Key">[]): Promise<void> {
	if (rows.length === 0) return;
	for (const r of rows) await removeFileFromStores(env, r.id);
	// R2 deletes are idempotent: an object already gone is not an error.
	await env.FILES.delete(rows.map((r) => r.r2Key));
	await db(env)
		.delete(files)
		.where(
			inArray(
				files.id,
				rows.map((r) => r.id),
			),
		);
}

/** An `uploaded` row this old is an upload that crashed before its bytes were confirmed. */
const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;
/** Rows finished per round: D1 binds at most 100 parameters to a statement, and the delete binds each id. */
const PURGE_BATCH = 90;
/** Rounds per cron run; a larger backlog waits for the next run. */
const PURGE_ROUNDS = 10;

/**
 * The cron's part: files past their `expires_at` and uploads abandoned half-way are marked deleted, then every file
 * marked deleted (including those whose delete a crash interrupted) loses its object and its row.
 */
export async function purgeFiles(env: Env, now: number): Promise<number> {
	await db(env)
		.update(files)
		.set({ deletedAt: now })
		.where(and(isNull(files.deletedAt), or(lte(files.expiresAt, now), and(eq(files.status, "uploaded"), lt(files.createdAt, now - ABANDONED_UPLOAD_MS)))));
	let purged = 0;
	for (let round = 0; round < PURGE_ROUNDS; round++) {
		const rows = await db(env).select({ id: files.id, r2Key: files.r2Key }).from(files).where(isNotNull(files.deletedAt)).limit(PURGE_BATCH);
		await finishDeletes(env, rows);
		purged += rows.length;
		if (rows.length < PURGE_BATCH) break;
	}
	return purged;
}
