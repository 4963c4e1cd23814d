import { Hono } from "hono";
import type { z } from "zod";
import { createFromRequests } from "../batches/create";
import { MESSAGES_ENDPOINT } from "../batches/input-lines";
import { cancelBatch } from "../batches/lifecycle";
import { removeBatch } from "../batches/remove";
import { hasEnded, listBatches, outputObject, ownBatch } from "../batches/store";
import type { BatchRow } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { iso } from "../lib/iso";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import type { OperationDoc } from "../openapi/operation";
import { messageBatch, messageBatchCreate, messageBatchDeleted, messageBatchIdParam, messageBatchList, messageBatchListQuery } from "./anthropic-batch-schemas";

function processingStatus(row: BatchRow): z.infer<typeof messageBatch>["processing_status"] {
	if (hasEnded(row)) return "ended";
	return row.status === "cancelling" ? "canceling" : "in_progress";
}

function view(row: BatchRow, origin: string): z.infer<typeof messageBatch> {
	const ended = processingStatus(row) === "ended";
	const settled = row.completed + row.failed + row.cancelledLines + row.expiredLines;
	return {
		id: row.id,
		type: "message_batch",
		processing_status: processingStatus(row),
		request_counts: {
			processing: ended ? 0 : row.total - settled,
			succeeded: row.completed,
			errored: row.failed,
			canceled: row.cancelledLines,
			expired: row.expiredLines,
		},
		ended_at: iso(row.completedAt ?? row.expiredAt ?? row.cancelledAt ?? row.failedAt),
		created_at: new Date(row.createdAt).toISOString(),
		expires_at: new Date(row.expiresAt).toISOString(),
		archived_at: null,
		cancel_initiated_at: iso(row.cancellingAt),
		results_url: ended && row.outputFileId !== null ? `${origin}/v1/messages/batches/${row.id}/results` : null,
	};
}

const origin = (url: string) => new URL(url).origin;

/**
 * Anthropic's Message Batches, mounted at /v1/messages/batches, on the same machinery as /v1/batches: the requests
 * are written as a JSONL input file (the user's, purpose `batch`) and each runs as a /v1/messages request of the key.
 */
export const anthropicBatchRoutes = new Hono<AppEnv>()
	.use(callerAuth())
	.post("/", bodyLimit(), valid("json", messageBatchCreate), async (c) => {
		const lines = c.req.valid("json").requests.map((r) => JSON.stringify({ custom_id: r.custom_id, method: "POST", url: MESSAGES_ENDPOINT, body: r.params }));
		const row = await createFromRequests(c.env, c.get("caller"), {
			dialect: "anthropic",
			endpoint: MESSAGES_ENDPOINT,
			filename: "message_batch_requests.jsonl",
			lines,
			metadata: null,
		});
		return c.json(view(row, origin(c.req.url)));
	})
	.get("/", valid("query", messageBatchListQuery), async (c) => {
		const q = c.req.valid("query");
		const caller = c.get("caller");
		const after = q.after_id === undefined ? undefined : await ownBatch(c.env, caller, q.after_id, "anthropic", "after_id");
		const before = q.before_id === undefined ? undefined : await ownBatch(c.env, caller, q.before_id, "anthropic", "before_id");
		const rows = await listBatches(c.env, { userId: caller.userId, dialect: "anthropic", after, before, take: q.limit + 1 });
		const more = rows.length > q.limit;
		// Read away from the cursor: the extra row is the newest when paging back (before_id), the oldest otherwise.
		const page = more ? (before ? rows.slice(1) : rows.slice(0, q.limit)) : rows;
		const data = page.map((r) => view(r, origin(c.req.url)));
		const body: z.infer<typeof messageBatchList> = { data, has_more: more, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
		return c.json(body);
	})
	.get("/:message_batch_id", valid("param", messageBatchIdParam), async (c) => {
		const row = await ownBatch(c.env, c.get("caller"), c.req.valid("param").message_batch_id, "anthropic", "message_batch_id");
		return c.json(view(row, origin(c.req.url)));
	})
	.post("/:message_batch_id/cancel", valid("param", messageBatchIdParam), async (c) => {
		const row = await ownBatch(c.env, c.get("caller"), c.req.valid("param").message_batch_id, "anthropic", "message_batch_id");
		await cancelBatch(c.env, row.id);
		return c.json(view(await ownBatch(c.env, c.get("caller"), row.id, "anthropic", "message_batch_id"), origin(c.req.url)));
	})
	.get("/:message_batch_id/results", valid("param", messageBatchIdParam), async (c) => {
		const row = await ownBatch(c.env, c.get("caller"), c.req.valid("param").message_batch_id, "anthropic", "message_batch_id");
		if (processingStatus(row) !== "ended") {
			throw new GatewayError("invalid_request", `Message batch ${row.id} is still processing; its results are ready once it has ended.`);
		}
		const object = await outputObject(c.env, row);
		if (!object) throw new GatewayError("not_found", `The results of message batch ${row.id} are no longer available.`);
		return new Response(object.body, { headers: { "content-type": "application/x-jsonl", "content-length": String(object.size) } });
	})
	.delete("/:message_batch_id", valid("param", messageBatchIdParam), async (c) => {
		const row = await ownBatch(c.env, c.get("caller"), c.req.valid("param").message_batch_id, "anthropic", "message_batch_id");
		if (processingStatus(row) !== "ended") {
			throw new GatewayError("invalid_request", `Message batch ${row.id} cannot be deleted while it is processing; cancel it first.`);
		}
		await removeBatch(c.env, row);
		const body: z.infer<typeof messageBatchDeleted> = { id: row.id, type: "message_batch_deleted" };
		return c.json(body);
	});

const doc = (method: OperationDoc["method"], path: string, summary: string, extra: Partial<OperationDoc> = {}): OperationDoc => ({
	method,
	path: `/v1/messages/batches${path}`,
	summary,
	tag: "Batches",
	auth: "key",
	errors: [404],
	...extra,
});

export const anthropicBatchDocs: OperationDoc[] = [
	doc("post", "", "Create a Message Batch (Anthropic's shape): its requests run as /v1/messages requests at the batch discount", {
		body: messageBatchCreate,
		response: messageBatch,
		errors: [403, 413],
	}),
	doc("get", "", "List the calling key's user's Message Batches, newest first", { query: messageBatchListQuery, response: messageBatchList, errors: [] }),
	doc("get", "/{message_batch_id}", "Retrieve a Message Batch", { response: messageBatch }),
	doc("post", "/{message_batch_id}/cancel", "Cancel a Message Batch", { response: messageBatch }),
	doc("get", "/{message_batch_id}/results", "A Message Batch's results, one JSON line per request (application/x-jsonl), once it has ended", {
		errors: [400, 404],
	}),
	doc("delete", "/{message_batch_id}", "Delete an ended Message Batch and its files", { response: messageBatchDeleted, errors: [400, 404] }),
];
