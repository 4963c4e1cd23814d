import type { ModelOutcome } from "../../durable-objects/breaker-types";
import { exhausted, type Failure, isClientFault } from "../channels/failure";
import { type LiveChannel, targetFor, upstreamModelFor } from "../channels/live";
import { outcomeOf } from "../channels/outcome";
import { readUpstreamError } from "../channels/upstream-error";
import type { Config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { upstreamMessage } from "../lib/sanitize";
import { errorReason, type Span } from "../observability/tracer";
import { providers } from "../providers/registry";
import { type Operation, type Provider, UnreadableAnswer, UnsendableRequest } from "../providers/types";
import { claimTrial, cooling, refreshIfStale, usability } from "./breakers";

export interface FailoverInput<A = unknown> {
	op: Operation;
	stream: boolean;
	/** The request in the wire format of a channel's provider. */
	bodyFor: (provider: Provider) => Record<string, unknown>;
	model: string;
	candidates: readonly LiveChannel[];
	config: Config;
	requestId: string;
	/** Aborts when the client goes away; the upstream request goes with it. */
	clientSignal: AbortSignal;
	clientHeaders: Headers;
	env: Env;
	/** Keeps work alive after the response: a skipped channel's stale breaker view is re-read there. */
	waitUntil: (work: Promise<unknown>) => void;
	/** Each attempt is a client span under it, and the upstream receives that span as its parent. */
	trace: Span;
	/** Attempts the request made before this failover (earlier models of an alias's chain), for the spans' numbering. */
	priorAttempts?: number;
	/** This failover continues a broken stream (relay/continuation.ts). */
	continuation?: boolean;
	/** Called before each attempt so a failed request still records the channel and attempts it reached. */
	onAttempt?: (channel: LiveChannel, attempt: number, upstreamModel: string) => void;
	/** Each attempt's meaning for its channel's health, for the breakers (reported after the response). */
	onOutcome?: (channel: LiveChannel, outcome: ModelOutcome) => void;
	/**
	 * Reads a 2xx answer before it counts as served, while another channel may still be tried: an answer that is not
	 * streamed is read and parsed here, a stream is only looked at. Throws UnreadableAnswer for an answer that is not
	 * what the channel's API sends; anything else it throws is the gateway's own failure, not the channel's.
	 */
	read: (response: Response, channel: LiveChannel) => Promise<A>;
}

export interface Dispatched<A = unknown> {
	response: Response;
	channel: LiveChannel;
	attempts: number;
	/** What `read` made of the answer. */
	answer: A;
}

type Outcome = { ok: Response } | { failure: Failure };

class TimedOut extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter, capped, never past the deadline. */
function backoffMs(attempt: number, remainingMs: number): number {
	const ceiling = Math.min(1_000, 50 * 2 ** (attempt - 1));
	return Math.min(remainingMs, Math.random() * ceiling);
}

/**
 * One call to one channel. Building it is the gateway's work: whatever throws there (a request this channel's
 * dialect cannot express, a key that does not decrypt, a body that does not serialize) goes up as it is, never
 * blamed on the channel. Only the call itself (the connection, the wait for headers) and the answer are the channel's.
 */
async function attemptOnce(input: FailoverInput, channel: LiveChannel, timeoutMs: number, span: Span): Promise<Outcome> {
	const provider = providers[channel.type];
	const body = input.bodyFor(provider);
	const target = await targetFor(channel, input.model, input.config);
	const timer = new AbortController();
	const handle = setTimeout(() => timer.abort(new TimedOut()), timeoutMs);
	try {
		const signal = AbortSignal.any([timer.signal, input.clientSignal]);
		const traceHeaders: Record<string, string> = { traceparent: span.traceparent };
		if (span.tracestate !== undefined) traceHeaders.tracestate = span.tracestate;
		const ctx = { op: input.op, stream: input.stream, signal, clientHeaders: input.clientHeaders, traceHeaders, env: input.env };
		const response = await provider.send(body, target, ctx);
		if (response.ok) return { ok: response };
		const { message, codes } = await readUpstreamError(response);
		return { failure: { kind: "status", status: response.status, message, codes, retryAfter: response.headers.get("retry-after") ?? undefined } };
	} catch (err) {
		if (input.clientSignal.aborted || err instanceof UnsendableRequest) throw err;
		if (err instanceof UnreadableAnswer) return { failure: { kind: "unreadable", message: err.message } };
		if (timer.signal.aborted) return { failure: { kind: "timeout" } };
		return { failure: { kind: "network", message: upstreamMessage(err instanceof Error ? err.message : String(err)) } };
	} finally {
		// Only the wait for headers is bounded here; a long stream is not cut by this timer.
		clearTimeout(handle);
	}
}

/** One attempt as a client span: which channel, provider and model, and why it was made (a failover, a continuation). */
function attemptSpan(input: FailoverInput, channel: LiveChannel, attempt: number, upstreamModel: string): Span {
	const number = (input.priorAttempts ?? 0) + attempt;
	return input.trace.start(`upstream ${input.op}`, {
		kind: "client",
		attributes: {
			"gateway.channel.id": channel.id,
			"gateway.provider": channel.type,
			"gen_ai.request.model": input.model,
			"gateway.upstream_model": upstreamModel,
			"gateway.attempt": number,
			"gateway.failover": number > 1,
			"gateway.continuation": input.continuation === true,
			"gateway.stream": input.stream,
		},
	});
}

/** An attempt and the reading of its answer, in its span: the upstream's status, and why it failed if it did. */
async function tracedAttempt<A>(
	input: FailoverInput<A>,
	channel: LiveChannel,
	timeoutMs: number,
	span: Span,
): Promise<{ response: Response; answer: A } | { failure: Failure }> {
	try {
		const attempt = await attemptOnce(input, channel, timeoutMs, span);
		const outcome = "ok" in attempt ? await readOk(input, attempt.ok, channel) : attempt;
		if ("response" in outcome) {
			span.set({ "http.response.status_code": outcome.response.status });
		} else {
			const { failure } = outcome;
			if (failure.kind === "status") span.set({ "http.response.status_code": failure.status });
			span.fail(failure.kind === "status" ? `status ${failure.status}` : failure.kind);
		}
		return outcome;
	} catch (err) {
		span.fail(errorReason(err));
		throw err;
	} finally {
		span.end();
	}
}

/** A 2xx answer as `read` makes it out; one it cannot read is the channel's failure, as a 5xx would be. */
async function readOk<A>(input: FailoverInput<A>, response: Response, channel: LiveChannel): Promise<{ response: Response; answer: A } | { failure: Failure }> {
	try {
		return { response, answer: await input.read(response, channel) };
	} catch (err) {
		if (err instanceof UnreadableAnswer && !input.clientSignal.aborted) return { failure: { kind: "unreadable", message: err.message } };
		throw err;
	}
}

/**
 * Tries the candidates in order until one answers 2xx with an answer `read` can read. Failures before any byte
 * reaches the client move on to the next channel not yet tried, within a bounded number of attempts and a total
 * deadline; a request the upstream rejects as malformed goes back to the client unchanged in status.
 */
export async function failover<A>(input: FailoverInput<A>, startedAt = Date.now()): Promise<Dispatched<A>> {
	const deadline = startedAt + input.config.deadlineMs;
	let last: Failure | undefined;
	let attempts = 0;
	let skipped = 0;
	for (const channel of input.candidates) {
		if (attempts >= input.config.maxAttempts) break;
		// A channel, or this model on it, whose breaker is open is skipped without an attempt; after its cooldown one request may try it.
		const usable = usability(channel.id, input.model);
		if (usable === "no") refreshIfStale(input.env, channel.id, input.waitUntil);
		if (usable === "no" || (usable === "trial" && !(await claimTrial(input.env, channel.id, input.model)))) {
			skipped++;
			continue;
		}
		if (attempts > 0) await sleep(backoffMs(attempts, deadline - Date.now()));
		const remaining = deadline - Date.now();
		if (remaining <= 0) break;
		attempts++;
		const upstreamModel = upstreamModelFor(channel, input.model);
		input.onAttempt?.(channel, attempts, upstreamModel);
		const outcome = await tracedAttempt(
			input,
			channel,
			Math.min(input.config.firstByteTimeoutMs, remaining),
			attemptSpan(input, channel, attempts, upstreamModel),
		);
		if ("answer" in outcome) {
			input.onOutcome?.(channel, { kind: "success", at: Date.now(), model: input.model });
			return { response: outcome.response, channel, attempts, answer: outcome.answer };
		}
		const failure = outcome.failure;
		const health = outcomeOf(failure, input.model);
		if (health) input.onOutcome?.(channel, health);
		if (failure.kind === "status" && isClientFault(failure.status)) {
			throw new GatewayError("invalid_request", failure.message || `The upstream rejected the request (${failure.status})`, { status: failure.status });
		}
		last = failure;
	}
	if (attempts === 0 && skipped > 0) throw unhealthy(input, skipped);
	throw exhausted(last, attempts, input.model, input.requestId);
}

/**
 * Every candidate's breaker is open: fail fast, and say when to come back. Candidates that are only cooling down
 * after the upstream's rate limits make it a 429 (the client is asked to slow down, as the upstream asked us);
 * any that is failing makes it a 503.
 */
function unhealthy(input: FailoverInput, skipped: number): GatewayError {
	const now = Date.now();
	const { retryAt, rateLimited } = cooling(input.candidates, input.model, now);
	const waitMs = retryAt === undefined ? undefined : Math.max(1_000, retryAt - now);
	const seconds = waitMs === undefined ? undefined : Math.ceil(waitMs / 1000);
	const headers: Record<string, string> = waitMs === undefined ? {} : { "retry-after": String(seconds), "retry-after-ms": String(waitMs) };
	const channels = `${skipped} channel${skipped === 1 ? "" : "s"} for model '${input.model}'`;
	const when = seconds ? `; retry in ${seconds} s` : "";
	if (rateLimited) {
		return new GatewayError("rate_limited", `All ${channels} are rate limited by the upstream${when} (request id ${input.requestId})`, { headers });
	}
	return new GatewayError("upstream_unavailable", `All ${channels} are unhealthy (circuit open)${when} (request id ${input.requestId})`, { headers });
}
