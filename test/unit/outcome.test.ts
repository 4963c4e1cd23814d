import { describe, expect, it } from "vitest";
import type { Failure } from "../../src/channels/failure";
import { outcomeOf } from "../../src/channels/outcome";
import { errorCodes, readUpstreamError } from "../../src/channels/upstream-error";
import { jsonPost, UnsendableRequest } from "../../src/providers/types";

const T = 1_700_000_000_000;
const status = (code: number, message = "", codes: string[] = [], retryAfter?: string): Failure => ({
	kind: "status",
	status: code,
	message,
	codes,
	retryAfter,
});

describe("an attempt's failure, by who is at fault", () => {
	it.each([
		["a 400 naming billing in its message", status(400, "Unrecognized request argument supplied: billing"), undefined],
		["a 400 about the credit balance, in words only", status(400, "Your credit balance is too low"), undefined],
		["a 400 that even says insufficient_quota in its code", status(400, "x", ["insufficient_quota"]), undefined],
		["a 413", status(413, "too large"), undefined],
		["a 415", status(415), undefined],
		["a 422 (content policy, say)", status(422, "content_policy_violation", ["content_policy_violation"]), undefined],
		["a 401", status(401, "Incorrect API key"), "fatal"],
		["a 403", status(403, "forbidden"), "fatal"],
		["a 402", status(402, "Insufficient Balance"), "fatal"],
		["a 429 with OpenAI's insufficient_quota code", status(429, "You exceeded your current quota", ["insufficient_quota", "insufficient_quota"]), "fatal"],
		["a 429 with billing_hard_limit_reached", status(429, "limit", ["billing_hard_limit_reached"]), "fatal"],
		["Anthropic's billing_error type, whatever the status", status(429, "card declined", ["billing_error"]), "fatal"],
		["a plain 429", status(429, "Rate limit reached; billing is fine", ["rate_limit_exceeded", "requests"]), "rate_limited"],
		["a 404 for an unknown model", status(404, "The model does not exist", ["model_not_found"]), "failure"],
		["a 500", status(500, "boom"), "failure"],
		["a 503", status(503, "overloaded"), "failure"],
		["a timeout", { kind: "timeout" } as Failure, "unreachable"],
		["a refused connection", { kind: "network", message: "connection refused" } as Failure, "unreachable"],
	])("%s", (_name, failure, kind) => {
		const outcome = outcomeOf(failure, "gpt-x", T);
		expect(outcome?.kind).toBe(kind);
		if (outcome) expect(outcome.model).toBe("gpt-x");
	});

	it("keeps the upstream's Retry-After on a 429, in seconds or as a date", () => {
		expect(outcomeOf(status(429, "slow down", [], "7"), "m", T)).toMatchObject({ kind: "rate_limited", retryAfterMs: 7_000 });
		const date = new Date(T + 12_000).toUTCString();
		expect(outcomeOf(status(429, "slow down", [], date), "m", T)).toMatchObject({ retryAfterMs: 12_000 });
	});
});

describe("an upstream's error body", () => {
	it.each([
		[
			"OpenAI's",
			'{"error":{"message":"m","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}',
			["insufficient_quota", "insufficient_quota"],
		],
		["OpenAI's with a null code", '{"error":{"message":"m","type":"invalid_request_error","code":null}}', ["invalid_request_error"]],
		["Anthropic's", '{"type":"error","error":{"type":"billing_error","message":"m"}}', ["billing_error"]],
		["Gemini's (a numeric code, no type)", '{"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED"}}', []],
		["not JSON", "<html>502 Bad Gateway</html>", []],
		["a code too long to be one", `{"error":{"code":"${"x".repeat(200)}"}}`, []],
	])("%s gives its codes", (_name, text, codes) => {
		expect(errorCodes(text)).toEqual(codes);
	});

	it("is read only as far as an error needs, and its message is sanitized", async () => {
		const huge = `{"error":{"message":"Incorrect API key provided: sk-live-abcdefghijklmnop","code":"invalid_api_key"}}${" ".repeat(1_000_000)}`;
		const read = await readUpstreamError(new Response(huge, { status: 401 }));
		expect(read).toEqual({ message: "Incorrect API key provided: [redacted]", codes: ["invalid_api_key"] });
		const page = await readUpstreamError(new Response(`<html>${"<p>down</p>".repeat(100_000)}</html>`, { status: 502 }));
		expect(page.message.length).toBeLessThanOrEqual(301);
		const small = await readUpstreamError(new Response('{"error":{"message":"m","code":"insufficient_quota"}}', { status: 429 }));
		expect(small).toEqual({ message: "m", codes: ["insufficient_quota"] });
	});
});

describe("building the upstream call", () => {
	it("fails as the gateway's own fault, before any request, when the body does not serialize", async () => {
		const cyclic: Record<string, unknown> = {};
		cyclic.self = cyclic;
		// An address nothing listens on: a call that went out would fail as a network error instead.
		const sent = jsonPost("http://127.0.0.1:9/v1/chat/completions", {}, cyclic, { signal: AbortSignal.timeout(1_000), traceHeaders: {} });
		await expect(sent).rejects.toBeInstanceOf(UnsendableRequest);
	});
});
