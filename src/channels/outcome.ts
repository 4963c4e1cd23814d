import type { ModelOutcome } from "../../durable-objects/breaker-types";
import { type Failure, isClientFault, retryAfterMs } from "./failure";

/**
 * Providers' error codes for "this account cannot pay" (OpenAI's `code`/`type`, Anthropic's `type`): the channel
 * needs an operator, not a retry. Read from the error's code fields only, never from its message, which may echo
 * the client's own request ("Unrecognized request argument supplied: billing").
 */
const ACCOUNT_CODES: ReadonlySet<string> = new Set(["insufficient_quota", "billing_hard_limit_reached", "billing_not_active", "billing_error"]);

/**
 * What an attempt's failure means for the health of its channel, or of `model` on it; undefined when it says
 * nothing about either (a request the upstream rejected as malformed would be rejected by any channel).
 * Who is at fault decides: the request (400, 413, 415, 422) counts against nothing; the host (no connection, no
 * headers in time) against the channel; the credentials or the account (401, 402, 403, a billing code) disable the
 * channel; any other answer (429, 404, 5xx) concerns the model.
 */
export function outcomeOf(failure: Failure, model: string, at = Date.now()): ModelOutcome | undefined {
	if (failure.kind === "timeout") return { kind: "unreachable", at, message: "timed out waiting for the upstream", model };
	if (failure.kind === "network") return { kind: "unreachable", at, message: failure.message || "connection failed", model };
	// The host answered; what it answered for this model could not be read.
	if (failure.kind === "unreadable") return { kind: "failure", at, message: `unreadable answer: ${failure.message}`, model };
	const { status, message, codes } = failure;
	const text = `${status}${message ? `: ${message}` : ""}`;
	if (status === 401 || status === 402 || status === 403) return { kind: "fatal", at, message: text, model };
	if (isClientFault(status)) return undefined;
	const account = codes.find((c) => ACCOUNT_CODES.has(c));
	if (account) return { kind: "fatal", at, message: `${status} ${account}${message ? `: ${message}` : ""}`, model };
	if (status === 429) return { kind: "rate_limited", at, retryAfterMs: retryAfterMs(failure.retryAfter, at), message: text, model };
	return { kind: "failure", at, message: text, model };
}
