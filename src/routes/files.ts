import { Hono } from "hono";
import type { z } from "zod";
import { audit } from "../audit/record";
import { mayTouch } from "../auth/policy";
import { keyPrincipal } from "../auth/principal";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { deleteFile, type FileRow, findFile, listFiles, storeFile } from "../knowledge/files/store";
import { listObject } from "../knowledge/pages";
import { valid } from "../lib/validate";
import { describeIssues } from "../lib/zod-issue";
import { callerAuth } from "../middleware/caller-auth";
import type { OperationDoc } from "../openapi/operation";
import type { CallerKey } from "../types/caller";
import { BATCH_FILE_TTL_SECONDS, fileDeleted, fileIdParam, fileList, fileListQuery, fileObject, fileUploadFields } from "./file-schemas";
import { readUpload } from "./shared/multipart-upload";

const seconds = (ms: number) => Math.floor(ms / 1000);

function view(row: FileRow): z.infer<typeof fileObject> {
	return {
		id: row.id,
		object: "file",
		bytes: row.bytes,
		created_at: seconds(row.createdAt),
		filename: row.filename,
		purpose: row.purpose,
		status: row.status,
		...(row.expiresAt === null ? {} : { expires_at: seconds(row.expiresAt) }),
	};
}

const noSuchFile = (id: string, param = "file_id") => new GatewayError("not_found", `No such File object: ${id}`, { param });

/** The caller's file: another user's answers exactly as a file that does not exist, so that ids do not leak. */
async function ownFile(env: Env, caller: CallerKey, id: string, param?: string): Promise<FileRow> {
	const row = await findFile(env, id);
	if (!row || !mayTouch(keyPrincipal(caller), row.userId)) throw noSuchFile(id, param);
	return row;
}

/** OpenAI's Files API, mounted at /v1/files: bytes in R2, metadata in D1, each file its key's user's. */
export const fileRoutes = new Hono<AppEnv>()
	.use(callerAuth({ sessions: true }))
	.post("/", async (c) => {
		const { filesMaxBytes, filesQuotaBytesPerUser } = config(c.env);
		const { file, fields } = await readUpload(c, filesMaxBytes);
		const parsed = fileUploadFields.safeParse(fields);
		if (!parsed.success) {
			const { message, param } = describeIssues(parsed.error.issues);
			throw new GatewayError("invalid_request", message, { param });
		}
		const { purpose, "expires_after[seconds]": ttl } = parsed.data;
		const now = Date.now();
		const ttlSeconds = ttl ?? (purpose === "batch" ? BATCH_FILE_TTL_SECONDS : undefined);
		const row = await storeFile(
			c.env,
			{
				userId: c.get("caller").userId,
				filename: file.name || "upload",
				purpose,
				bytes: new Uint8Array(await file.arrayBuffer()),
				expiresAt: ttlSeconds === undefined ? null : now + ttlSeconds * 1000,
				quotaBytes: filesQuotaBytesPerUser,
			},
			now,
		);
		return c.json(view(row));
	})
	.get("/", valid("query", fileListQuery), async (c) => {
		const q = c.req.valid("query");
		const caller = c.get("caller");
		const after = q.after === undefined ? undefined : await ownFile(c.env, caller, q.after, "after");
		const rows = await listFiles(c.env, { userId: caller.userId, after, take: q.limit + 1, order: q.order, purpose: q.purpose });
		const body: z.infer<typeof fileList> = listObject(rows.slice(0, q.limit).map(view), rows.length > q.limit);
		return c.json(body);
	})
	.get("/:file_id", valid("param", fileIdParam), async (c) => c.json(view(await ownFile(c.env, c.get("caller"), c.req.valid("param").file_id))))
	.get("/:file_id/content", valid("param", fileIdParam), async (c) => {
		const row = await ownFile(c.env, c.get("caller"), c.req.valid("param").file_id);
		const object = await c.env.FILES.get(row.r2Key);
		// The row says the bytes were stored; their absence is the gateway's fault, not the client's.
		if (!object) throw new GatewayError("internal_error", `The content of ${row.id} could not be read`);
		return new Response(object.body, { headers: { "content-type": row.contentType, "content-length": String(object.size) } });
	})
	.delete("/:file_id", valid("param", fileIdParam), async (c) => {
		const row = await ownFile(c.env, c.get("caller"), c.req.valid("param").file_id);
		await deleteFile(c.env, row);
		audit(c, {
			action: "file.delete",
			objectType: "file",
			objectId: row.id,
			userId: row.userId,
			before: { filename: row.filename, purpose: row.purpose, bytes: row.bytes },
		});
		const body: z.infer<typeof fileDeleted> = { id: row.id, object: "file", deleted: true };
		return c.json(body);
	});

export const fileDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/files",
		summary: "Upload a file (multipart/form-data: `file`, `purpose`, optional `expires_after[anchor]`/`expires_after[seconds]`)",
		tag: "Files",
		auth: "keyOrSession",
		response: fileObject,
		errors: [403, 413],
	},
	{
		method: "get",
		path: "/v1/files",
		summary: "List the calling key's user's files",
		tag: "Files",
		auth: "keyOrSession",
		query: fileListQuery,
		response: fileList,
	},
	{ method: "get", path: "/v1/files/{file_id}", summary: "Retrieve a file", tag: "Files", auth: "keyOrSession", response: fileObject, errors: [404] },
	{
		method: "get",
		path: "/v1/files/{file_id}/content",
		summary: "Download a file's bytes (Content-Type as sniffed on upload)",
		tag: "Files",
		auth: "keyOrSession",
		errors: [404],
	},
	{ method: "delete", path: "/v1/files/{file_id}", summary: "Delete a file", tag: "Files", auth: "keyOrSession", response: fileDeleted, errors: [404] },
];
