import type { AttemptOutcome } from "../../durable-objects/breaker-types";
import { type Failure, isClientFault } from "./failure";

// An upstream's own words for "this account cannot pay": the channel needs an operator, not a retry.
const BILLING = /insufficient_quota|credit balance|billing|quota exceeded|payment required/i;

/**
 * What an attempt's failure means for its channel's health; undefined when it says nothing about the channel
 * (a request the upstream rejected as malformed would be rejected by any channel).
 */
export function outcomeOf(failure: Failure, at = Date.now()): AttemptOutcome | undefined {
	if (failure.kind === "timeout") return { kind: "failure", at, message: "timed out waiting for the upstream" };
	if (failure.kind === "network") return { kind: "failure", at, message: failure.message || "connection failed" };
	if (failure.kind === "unreadable") return { kind: "failure", at, message: `unreadable answer: ${failure.message}` };
	const { status, message } = failure;
	const text = `${status}${message ? `: ${message}` : ""}`;
	if (status === 401 || status === 403 || status === 402 || BILLING.test(message)) return { kind: "fatal", at, message: text };
	if (isClientFault(status)) return undefined;
	if (status === 429) return { kind: "rate_limited", at, retryAfterMs: retryAfterMs(failure.retryAfter, at), message: text };
	return { kind: "failure", at, message: text };
}

function retryAfterMs(header: string | undefined, now: number): number | undefined {
	if (!header) return undefined;
	const seconds = Number(header);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
	const date = Date.parse(header);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
