import { Hono } from "hono";
import type { z } from "zod";
import { mayTouch } from "../auth/policy";
import { keyPrincipal } from "../auth/principal";
import { createBatch } from "../batches/create";
import { cancelBatch } from "../batches/lifecycle";
import { listBatches, ownBatch } from "../batches/store";
import type { BatchRow } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { findFile } from "../knowledge/files/store";
import { listObject } from "../knowledge/pages";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import type { OperationDoc } from "../openapi/operation";
import { batchCreate, batchIdParam, batchList, batchListQuery, batchObject } from "./batch-schemas";

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

function view(row: BatchRow): z.infer<typeof batchObject> {
	return {
		id: row.id,
		object: "batch",
		endpoint: row.endpoint,
		errors: { object: "list", data: (row.errors ?? []).map((e) => ({ code: e.code, message: e.message, line: e.line ?? null, param: e.param ?? null })) },
		input_file_id: row.inputFileId,
		completion_window: row.completionWindow,
		status: row.status,
		output_file_id: row.outputFileId,
		error_file_id: row.errorFileId,
		created_at: Math.floor(row.createdAt / 1000),
		in_progress_at: seconds(row.inProgressAt),
		expires_at: seconds(row.expiresAt),
		finalizing_at: seconds(row.finalizingAt),
		completed_at: seconds(row.completedAt),
		failed_at: seconds(row.failedAt),
		expired_at: seconds(row.expiredAt),
		cancelling_at: seconds(row.cancellingAt),
		cancelled_at: seconds(row.cancelledAt),
		request_counts: { total: row.total, completed: row.completed, failed: row.failed },
		metadata: row.metadata,
		...(row.model !== null && { model: row.model }),
		...(row.usage !== null && { usage: row.usage }),
	};
}

/** OpenAI's Batch API, mounted at /v1/batches: each batch its key's user's, its lines run by the batch queue. */
export const batchRoutes = new Hono<AppEnv>()
	.use(callerAuth())
	.post("/", bodyLimit(), valid("json", batchCreate), async (c) => {
		const input = c.req.valid("json");
		const caller = c.get("caller");
		const file = await findFile(c.env, input.input_file_id);
		if (!file || !mayTouch(keyPrincipal(caller), file.userId)) {
			throw new GatewayError("not_found", `No such File object: ${input.input_file_id}`, { param: "input_file_id" });
		}
		if (file.purpose !== "batch") {
			throw new GatewayError("invalid_request", `The input file's purpose must be 'batch', not '${file.purpose}'.`, { param: "input_file_id" });
		}
		const row = await createBatch(c.env, {
			userId: caller.userId,
			tokenId: caller.keyId,
			dialect: "openai",
			endpoint: input.endpoint,
			inputFileId: file.id,
			inputR2Key: file.r2Key,
			metadata: input.metadata ?? null,
			outputTtlSeconds: input.output_expires_after?.seconds,
		});
		return c.json(view(row));
	})
	.get("/", valid("query", batchListQuery), async (c) => {
		const q = c.req.valid("query");
		const caller = c.get("caller");
		const after = q.after === undefined ? undefined : await ownBatch(c.env, caller, q.after, "openai", "after");
		const rows = await listBatches(c.env, { userId: caller.userId, dialect: "openai", after, take: q.limit + 1 });
		const body: z.infer<typeof batchList> = listObject(rows.slice(0, q.limit).map(view), rows.length > q.limit);
		return c.json(body);
	})
	.get("/:batch_id", valid("param", batchIdParam), async (c) => c.json(view(await ownBatch(c.env, c.get("caller"), c.req.valid("param").batch_id, "openai"))))
	.post("/:batch_id/cancel", valid("param", batchIdParam), async (c) => {
		const row = await ownBatch(c.env, c.get("caller"), c.req.valid("param").batch_id, "openai");
		await cancelBatch(c.env, row.id);
		return c.json(view(await ownBatch(c.env, c.get("caller"), row.id, "openai")));
	});

export const batchDocs: OperationDoc[] = [
	{
		method: "post",
		path: "/v1/batches",
		summary: "Create a batch over an uploaded JSONL file (purpose `batch`); its lines run on the batch queue at the batch discount",
		tag: "Batches",
		auth: "key",
		body: batchCreate,
		response: batchObject,
		errors: [403, 404],
	},
	{
		method: "get",
		path: "/v1/batches",
		summary: "List the calling key's user's batches, newest first",
		tag: "Batches",
		auth: "key",
		query: batchListQuery,
		response: batchList,
	},
	{ method: "get", path: "/v1/batches/{batch_id}", summary: "Retrieve a batch", tag: "Batches", auth: "key", response: batchObject, errors: [404] },
	{
		method: "post",
		path: "/v1/batches/{batch_id}/cancel",
		summary: "Cancel a batch: pending lines are not run, running ones finish, then it ends `cancelled` with its files",
		tag: "Batches",
		auth: "key",
		response: batchObject,
		errors: [404],
	},
];
