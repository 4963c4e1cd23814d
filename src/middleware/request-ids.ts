import type { MiddlewareHandler } from "hono";
import { internalCall } from "../batches/internal-call";
import type { AppEnv } from "../env";

/** A correlation id as it may be stored, shown and echoed: printable ASCII without spaces, at most 128 characters. */
const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The client's own id for a request, if it sent a usable one: `x-client-request-id`, as OpenAI's API takes it,
 * or else `x-request-id`, which clients of this gateway sent before. Anything else is ignored, not refused: a
 * correlation id is the client's convenience, never a reason to fail its request.
 */
export function clientRequestId(headers: Headers): string | undefined {
	const sent = headers.get("x-client-request-id") ?? headers.get("x-request-id");
	return sent !== null && CLIENT_ID.test(sent) ? sent : undefined;
}

/**
 * Gives every request an id of the gateway's own making, in `x-request-id` as OpenAI's API answers, and echoes the
 * client's correlation id in `x-client-request-id`. Only the gateway's id keys anything (the usage row, the ledger
 * debit, the governors' holds): an id a client chooses would let it repeat one request's admission and charge. A
 * batch line's call to the gateway (src/batches) has its fixed id, which is how a line run twice is billed once.
 */
export function requestIds(): MiddlewareHandler<AppEnv> {
	return async function requestIds(c, next) {
		const id = internalCall(c.req.raw)?.requestId ?? crypto.randomUUID();
		const clientId = clientRequestId(c.req.raw.headers);
		c.set("requestId", id);
		c.set("clientRequestId", clientId);
		c.header("x-request-id", id);
		if (clientId !== undefined) c.header("x-client-request-id", clientId);
		await next();
	};
}
