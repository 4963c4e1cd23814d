import type { RateStanding } from "../../durable-objects/governor-types";
import type { ErrorDialect } from "../errors/render";

/** A duration as OpenAI writes it in x-ratelimit-reset-*: "20ms", "1s", "6m0s", "1m30.5s". */
export function openAIDuration(ms: number): string {
	if (ms < 1_000) return `${Math.max(0, Math.ceil(ms))}ms`;
	const minutes = Math.floor(ms / 60_000);
	const seconds = Math.round((ms - minutes * 60_000) / 10) / 100;
	return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/**
 * The rate-limit headers each API's clients read: OpenAI's x-ratelimit-{limit,remaining,reset}-{requests,tokens}
 * (Gemini has none of its own and gets these), Anthropic's anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}
 * with the reset as an RFC 3339 time.
 */
export function rateLimitHeaders(
	dialect: ErrorDialect,
	requests: RateStanding | undefined,
	tokens: RateStanding | undefined,
	now: number,
): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const [kind, s] of [
		["requests", requests],
		["tokens", tokens],
	] as const) {
		if (!s) continue;
		if (dialect === "anthropic") {
			headers[`anthropic-ratelimit-${kind}-limit`] = String(s.limit);
			headers[`anthropic-ratelimit-${kind}-remaining`] = String(s.remaining);
			headers[`anthropic-ratelimit-${kind}-reset`] = new Date(now + s.resetMs).toISOString().replace(/\.\d{3}Z$/, "Z");
		} else {
			headers[`x-ratelimit-limit-${kind}`] = String(s.limit);
			headers[`x-ratelimit-remaining-${kind}`] = String(s.remaining);
			headers[`x-ratelimit-reset-${kind}`] = openAIDuration(s.resetMs);
		}
	}
	return headers;
}

/** Whole seconds, rounded up: a client that waits this long finds room. */
export const retryAfterHeader = (ms: number) => ({ "retry-after": String(Math.max(1, Math.ceil(ms / 1_000))) });
