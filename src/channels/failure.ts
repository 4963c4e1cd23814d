import { GatewayError } from "../errors/gateway-error";

/** Why one attempt at one channel failed. */
export type Failure =
	/** `codes`: the provider's own error code and type (e.g. `insufficient_quota`), read from the body. */
	| { kind: "status"; status: number; message: string; codes: readonly string[]; retryAfter: string | undefined }
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
	if (last.status === 429) return new GatewayError("rate_limited", message, { headers: retryAfterHeaders(last.retryAfter) });
	if (last.status === 503) return new GatewayError("upstream_unavailable", message);
	if (last.status === 504 || last.status === 408) return new GatewayError("upstream_timeout", message);
	return new GatewayError("upstream_error", message);
}

/** A Retry-After as the upstream gave it, and in milliseconds too (`retry-after-ms`, which the openai SDK prefers). */
function retryAfterHeaders(header: string | undefined): Record<string, string> {
	const ms = retryAfterMs(header, Date.now());
	return header === undefined ? {} : { "retry-after": header, ...(ms === undefined ? {} : { "retry-after-ms": String(Math.round(ms)) }) };
}

/** A Retry-After header (seconds, or an HTTP date) as milliseconds from `now`. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
	if (!header) return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(header);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
