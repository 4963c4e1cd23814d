import { Hono } from "hono";
import type { z } from "zod";
import { createFromRequests } from "../batches/create";
import { geminiEndpoint } from "../batches/input-lines";
import { cancelBatch } from "../batches/lifecycle";
import { removeBatch } from "../batches/remove";
import { hasEnded, listBatches, outputObject, ownBatch } from "../batches/store";
import type { BatchRow } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { valid } from "../lib/validate";
import { bodyLimit } from "../middleware/body-limit";
import { callerAuth } from "../middleware/caller-auth";
import type { OperationDoc } from "../openapi/operation";
import type { CallerKey } from "../types/caller";
import {
	type geminiBatch,
	geminiBatchCancelParam,
	geminiBatchCreate,
	geminiBatchIdParam,
	geminiBatchList,
	geminiBatchListQuery,
	geminiBatchOperation,
} from "./gemini-batch-schemas";

type Batch = z.infer<typeof geminiBatch>;
type InlinedResponse = NonNullable<Batch["output"]>["inlinedResponses"]["inlinedResponses"][number];

const STATE: Record<BatchRow["status"], Batch["state"]> = {
	validating: "BATCH_STATE_PENDING",
	in_progress: "BATCH_STATE_RUNNING",
	cancelling: "BATCH_STATE_RUNNING",
	finalizing: "BATCH_STATE_RUNNING",
	completed: "BATCH_STATE_SUCCEEDED",
	failed: "BATCH_STATE_FAILED",
	cancelled: "BATCH_STATE_CANCELLED",
	expired: "BATCH_STATE_EXPIRED",
};

/** The model of a batch, from the endpoint its lines go to (`/v1beta/models/<model>:generateContent`). */
const modelOf = (row: BatchRow) => row.endpoint.slice("/v1beta/".length, -":generateContent".length);

const time = (ms: number) => new Date(ms).toISOString();

/** The batch's results file: one `InlinedResponse` a line, in input order (finish.ts writes it when the batch ends). */
async function inlinedResponses(env: Env, row: BatchRow): Promise<NonNullable<Batch["output"]> | undefined> {
	const object = await outputObject(env, row);
	if (!object) return undefined;
	const lines = (await object.text()).split("\n").filter((l) => l.trim() !== "");
	return { inlinedResponses: { inlinedResponses: lines.map((l) => JSON.parse(l) as InlinedResponse) } };
}

/** A batch as Google's long-running operation; with its responses once it has ended, when `withOutput`. */
async function operation(env: Env, row: BatchRow, withOutput: boolean): Promise<z.infer<typeof geminiBatchOperation>> {
	const ended = hasEnded(row);
	const endedAt = row.completedAt ?? row.expiredAt ?? row.cancelledAt ?? row.failedAt;
	const updatedAt = Math.max(row.createdAt, row.inProgressAt ?? 0, row.cancellingAt ?? 0, row.finalizingAt ?? 0, endedAt ?? 0);
	const settled = row.completed + row.failed + row.cancelledLines + row.expiredLines;
	const output = withOutput && ended ? await inlinedResponses(env, row) : undefined;
	const name = `batches/${row.id}`;
	const metadata: Batch = {
		"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
		name,
		model: modelOf(row),
		displayName: row.metadata?.display_name ?? "",
		state: STATE[row.status],
		createTime: time(row.createdAt),
		updateTime: time(updatedAt),
		...(endedAt !== null && { endTime: time(endedAt) }),
		batchStats: {
			requestCount: String(row.total),
			successfulRequestCount: String(row.completed),
			// Requests that were not run (cancelled, expired) did not succeed: Google counts them as failed.
			failedRequestCount: String(row.failed + row.cancelledLines + row.expiredLines),
			pendingRequestCount: String(ended ? 0 : row.total - settled),
		},
		...(output && { output }),
	};
	return { name, metadata, done: ended };
}

/** The caller's Gemini batch; another user's, or another API's, is a 404. */
const own = (env: Env, caller: CallerKey, id: string) => ownBatch(env, caller, id, "gemini", "name");

/**
 * Each request's line id: its metadata `key`, as Gemini names a result by it; keys need not be unique (nor given), so a
 * repeated or missing one, or one that looks like another's fallback, is `request-<place>`.
 */
function lineIds(keys: (string | undefined)[]): string[] {
	const counts = new Map<string, number>();
	for (const key of keys) if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
	return keys.map((key, i) =>
		key !== undefined && key.length > 0 && key.length <= 512 && counts.get(key) === 1 && !/^request-\d+$/.test(key) ? key : `request-${i + 1}`,
	);
}

/**
 * Gemini API's Batch Mode, mounted at /v1beta before the Gemini routes (its `:batchGenerateContent` would be an
 * unknown method there): inline requests are written as a JSONL input file (the user's, purpose `batch`) and each runs
 * as the model's generateContent, at the batch discount. A batch is shown as Google's long-running operation.
 */
export const geminiBatchRoutes = new Hono<AppEnv>()
	.post("/models/:batchAction{[^/]+:batchGenerateContent}", callerAuth(), bodyLimit(), valid("json", geminiBatchCreate), async (c) => {
		const model = c.req.param("batchAction").slice(0, -":batchGenerateContent".length);
		const caller = c.get("caller");
		const { batch } = c.req.valid("json");
		const input = batch.inputConfig ?? batch.input_config;
		if (input && ("fileName" in input || "file_name" in input)) {
			throw new GatewayError("invalid_request", "Only inline requests are supported: send batch.input_config.requests, not a file_name.", {
				param: "batch.input_config.file_name",
			});
		}
		const requests = input?.requests?.requests;
		if (!requests) throw new GatewayError("invalid_request", "batch.input_config.requests is required.", { param: "batch.input_config" });
		const endpoint = geminiEndpoint(model);
		const customIds = lineIds(requests.map((r) => r.metadata?.key));
		const lines = requests.map(({ request, metadata }, i) => {
			// The batch's model is in the path; a request's own (the SDK sends `models/<model>`) is not sent on.
			const { model: _, ...body } = request;
			return JSON.stringify({ custom_id: customIds[i], method: "POST", url: endpoint, body, metadata });
		});
		const displayName = batch.displayName ?? batch.display_name;
		const row = await createFromRequests(c.env, caller, {
			dialect: "gemini",
			endpoint,
			filename: "batch_requests.jsonl",
			lines,
			metadata: displayName === undefined ? null : { display_name: displayName },
		});
		return c.json(await operation(c.env, row, false));
	})
	.get("/batches", callerAuth(), valid("query", geminiBatchListQuery), async (c) => {
		const q = c.req.valid("query");
		const caller = c.get("caller");
		const after = q.pageToken === undefined ? undefined : await ownBatch(c.env, caller, q.pageToken, "gemini", "pageToken");
		const rows = await listBatches(c.env, { userId: caller.userId, dialect: "gemini", after, take: q.pageSize + 1 });
		const page = rows.slice(0, q.pageSize);
		const last = page.at(-1);
		const body: z.infer<typeof geminiBatchList> = {
			operations: await Promise.all(page.map((r) => operation(c.env, r, false))),
			...(rows.length > q.pageSize && last && { nextPageToken: last.id }),
		};
		return c.json(body);
	})
	.post("/batches/:cancelAction{[^/]+:cancel}", callerAuth(), valid("param", geminiBatchCancelParam), async (c) => {
		const row = await own(c.env, c.get("caller"), c.req.valid("param").cancelAction.slice(0, -":cancel".length));
		await cancelBatch(c.env, row.id);
		return c.json({});
	})
	.get("/batches/:name", callerAuth(), valid("param", geminiBatchIdParam), async (c) => {
		return c.json(await operation(c.env, await own(c.env, c.get("caller"), c.req.valid("param").name), true));
	})
	.delete("/batches/:name", callerAuth(), valid("param", geminiBatchIdParam), async (c) => {
		const row = await own(c.env, c.get("caller"), c.req.valid("param").name);
		if (!hasEnded(row)) {
			throw new GatewayError("invalid_request", `Batch batches/${row.id} cannot be deleted while it is running; cancel it first.`, { param: "name" });
		}
		await removeBatch(c.env, row);
		return c.json({});
	});

const doc = (method: OperationDoc["method"], path: string, summary: string, extra: Partial<OperationDoc> = {}): OperationDoc => ({
	method,
	path: `/v1beta${path}`,
	summary,
	tag: "Batches",
	auth: "key",
	errors: [404],
	...extra,
});

export const geminiBatchDocs: OperationDoc[] = [
	doc(
		"post",
		"/models/{batchAction}",
		"Gemini API's Batch Mode: `{batchAction}` is `<model>:batchGenerateContent`; inline requests (`batch.input_config.requests`) run as the model's generateContent at the batch discount; answers the batch as a long-running operation",
		{ body: geminiBatchCreate, response: geminiBatchOperation, errors: [400, 403, 413] },
	),
	doc("get", "/batches", "List the calling key's user's Gemini batches, newest first (`pageSize`, `pageToken`)", {
		query: geminiBatchListQuery,
		response: geminiBatchList,
		errors: [],
	}),
	doc("get", "/batches/{name}", "A Gemini batch as a long-running operation; once ended, `metadata.output.inlinedResponses` in input order", {
		response: geminiBatchOperation,
	}),
	doc("post", "/batches/{cancelAction}", "Cancel a Gemini batch (`{cancelAction}` is `<name>:cancel`): requests not yet run are not run; answers `{}`"),
	doc("delete", "/batches/{name}", "Delete an ended Gemini batch and its files; answers `{}`", { errors: [400, 404] }),
];
