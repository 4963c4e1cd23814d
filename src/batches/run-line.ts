import type { BatchRow } from "../db/schema";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { callerForKey } from "../relay/callers";
import type { ClaimedLine, LineResult } from "./claims";
import { inputLine } from "./input-lines";
import { markInternal } from "./internal-call";

/** The gateway's own fetch handler (the Hono app's), handed down by the Worker's entry: a line is a request to it. */
export type GatewayFetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** A batch as its worker runs it: the row and where its input file is in R2 (null once the file was deleted). */
export interface RunningBatch {
	row: BatchRow;
	inputR2Key: string | null;
}

const lineError = (code: string, message: string): LineResult => ({ status: "failed", statusCode: null, error: { code, message } });

/** The line's request as the input file has it, read back by its byte range. */
async function readLine(env: Env, batch: RunningBatch, claim: ClaimedLine) {
	const object = batch.inputR2Key === null ? null : await env.FILES.get(batch.inputR2Key, { range: { offset: claim.offset, length: claim.length } });
	if (!object) return null;
	return inputLine.parse(JSON.parse(new TextDecoder().decode(await object.arrayBuffer())));
}

/**
 * Runs one line: a request to the gateway itself, in-process, as the batch's key (re-read now: a key revoked or
 * disabled since fails its remaining lines with the reason), under the line's fixed request id and the batch's
 * discount. A 2xx answer is a success; any other answer is a failure that keeps its status and body.
 */
export async function runLine(env: Env, ctx: ExecutionContext, gatewayFetch: GatewayFetch, batch: RunningBatch, claim: ClaimedLine): Promise<LineResult> {
	const request = await readLine(env, batch, claim).catch(() => undefined);
	if (request === undefined) return lineError("invalid_request", "This line could not be read back from the input file.");
	if (request === null) return lineError("input_file_deleted", "The batch's input file was deleted before this request ran.");
	if (request.body.stream === true) return lineError("invalid_request", "A batch request cannot stream: leave 'stream' out or false.");
	let caller: Awaited<ReturnType<typeof callerForKey>>;
	try {
		caller = await callerForKey(env, batch.row.tokenId, undefined);
	} catch (err) {
		if (err instanceof GatewayError) return lineError(err.code === "not_found" ? "invalid_api_key" : err.code, err.message);
		throw err;
	}
	// A run after a passing failure is a request of its own: the failed run's usage row keeps the line's first id.
	const requestId = `${batch.row.id}-${claim.line}${claim.retries > 0 ? `-r${claim.retries}` : ""}`;
	const call = new Request(`https://batch.internal${batch.row.endpoint}`, {
		method: "POST",
		body: JSON.stringify(request.body),
		headers: { "content-type": "application/json" },
	});
	markInternal(call, { caller, requestId, batch: { id: batch.row.id, discount: config(env).batchDiscount } });
	const res = await gatewayFetch(call, env, ctx);
	const text = await res.text();
	let body: unknown = text;
	try {
		body = JSON.parse(text);
	} catch {
		// Not JSON (none of the batch endpoints answer otherwise): kept as the text it was.
	}
	const retryAfter = Number(res.headers.get("retry-after"));
	return {
		status: res.ok ? "succeeded" : "failed",
		statusCode: res.status,
		requestId: res.headers.get("x-request-id") ?? requestId,
		body,
		retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
	};
}
