import { GatewayError } from "../errors/gateway-error";

export interface OwnedFile {
	id: string;
	filename: string;
	bytes: number;
}

/**
 * The uploaded files with these ids, all of them the user's: any other (missing, deleted, or another user's) is
 * the same 404, so that a file id tells nobody whether it exists.
 */
export async function ownedFiles(db: D1Database, ids: readonly string[], userId: number): Promise<Map<string, OwnedFile>> {
	const unique = [...new Set(ids)];
	const { results } = await db
		.prepare(
			"SELECT id, filename, bytes FROM files WHERE id IN (SELECT value FROM json_each(?1)) AND user_id = ?2 AND status = 'processed' AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > ?3)",
		)
		.bind(JSON.stringify(unique), userId, Date.now())
		.all<OwnedFile>();
	const found = new Map(results.map((f) => [f.id, f]));
	const missing = unique.find((id) => !found.has(id));
	if (missing !== undefined) throw new GatewayError("not_found", `No file with id '${missing}' found.`, { param: "file_id" });
	return found;
}
