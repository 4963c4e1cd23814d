import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../env";
import { GatewayError } from "./gateway-error";
import { renderError } from "./render";

/** The client-facing error for a known failure; undefined for a bug. */
export function knownError(err: unknown): GatewayError | undefined {
	if (err instanceof GatewayError) return err;
	// Hono raises these for bodies it cannot read (malformed JSON in a validator).
	if (err instanceof HTTPException && err.status < 500) {
		const message = err.message || "The request could not be read";
		return new GatewayError(/json/i.test(message) ? "invalid_json" : "invalid_request", message, { status: err.status });
	}
	return undefined;
}

function toGatewayError(err: unknown, requestId: string): GatewayError {
	const known = knownError(err);
	if (known) return known;
	// Anything else is our bug: log it for the operator, tell the client only the request id.
	console.error(JSON.stringify({ level: "error", request_id: requestId, error: String(err) }));
	return new GatewayError("internal_error", `Internal error; quote request id ${requestId} when reporting it`);
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
	const requestId = c.get("requestId") ?? "unknown";
	const e = toGatewayError(err, requestId);
	for (const [name, value] of Object.entries(e.headers)) c.header(name, value);
	const render = renderError[c.get("dialect") ?? "openai"];
	return c.json(render({ status: e.status, code: e.code, message: e.message, param: e.param }), e.status);
};
