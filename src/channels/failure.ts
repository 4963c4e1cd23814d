import { GatewayError } from "../errors/gateway-error";

/** Why one attempt at one channel failed. */
export type Failure =
	| { kind: "status"; status: number; message: string; retryAfter: string | undefined }
	| { kind: "timeout" }
	| { kind: "network"; message: string }
	/** A 2xx answer that could not be read as the channel's API answers (see UnreadableAnswer). */
	| { kind: "unreadable"; message: string };

/**
 * Statuses caused by the request itself: another channel would answer the same, so they go back to the
 * client as they are. Everything else non-2xx (401/403/404 from a misconfigured channel, 408, 429, 5xx)
 * is the channel's problem and worth another channel.
 */
const CLIENT_FAULT = [400, 413, 415, 422] as const;

export function isClientFault(status: number): status is (typeof CLIENT_FAULT)[number] {
	return (CLIENT_FAULT as readonly number[]).includes(status);
}

function describe(f: Failure): string {
	if (f.kind === "timeout") return "timed out waiting for the upstream";
	if (f.kind === "network") return `could not reach the upstream (${f.message})`;
	if (f.kind === "unreadable") return `the upstream's answer could not be read (${f.message})`;
	return `upstream answered ${f.status}${f.message ? `: ${f.message}` : ""}`;
}

/** The honest error once every attempt failed: a 429 stays a 429, the rest map to 502/503/504. */
export function exhausted(last: Failure | undefined, attempts: number, model: string, requestId: string): GatewayError {
	const summary = last
		? `${attempts} upstream attempt${attempts === 1 ? "" : "s"} for model '${model}' failed; last ${describe(last)}`
		: `No upstream attempt for model '${model}' could start before the deadline`;
	const message = `${summary} (request id ${requestId})`;
	if (!last || last.kind === "timeout") return new GatewayError("upstream_timeout", message);
	if (last.kind === "network" || last.kind === "unreadable") return new GatewayError("upstream_error", message);
	if (last.status === 429) {
		return new GatewayError("rate_limited", message, last.retryAfter ? { headers: { "retry-after": last.retryAfter } } : {});
	}
	if (last.status === 503) return new GatewayError("upstream_unavailable", message);
	if (last.status === 504 || last.status === 408) return new GatewayError("upstream_timeout", message);
	return new GatewayError("upstream_error", message);
}
