import type { AttemptOutcome } from "../../durable-objects/breaker-types";
import { exhausted, type Failure, isClientFault } from "../channels/failure";
import { type LiveChannel, targetFor, upstreamModelFor } from "../channels/live";
import { outcomeOf } from "../channels/outcome";
import type { Config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { upstreamMessage } from "../lib/sanitize";
import { providers } from "../providers/registry";
import type { Operation, Provider } from "../providers/types";
import { claimTrial, earliestRetry, usability } from "./breakers";

export interface FailoverInput {
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
	/** Called before each attempt so a failed request still records the channel and attempts it reached. */
	onAttempt?: (channel: LiveChannel, attempt: number, upstreamModel: string) => void;
	/** Each attempt's meaning for its channel's health, for the breakers (reported after the response). */
	onOutcome?: (channel: LiveChannel, outcome: AttemptOutcome) => void;
}

export interface Dispatched {
	response: Response;
	channel: LiveChannel;
	attempts: number;
}

type Outcome = { ok: Response } | { failure: Failure };

class TimedOut extends Error {}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter, capped, never past the deadline. */
function backoffMs(attempt: number, remainingMs: number): number {
	const ceiling = Math.min(1_000, 50 * 2 ** (attempt - 1));
	return Math.min(remainingMs, Math.random() * ceiling);
}

async function attemptOnce(input: FailoverInput, channel: LiveChannel, timeoutMs: number): Promise<Outcome> {
	const provider = providers[channel.type];
	// A request this channel's dialect cannot express is the client's to fix: it throws before any call.
	const body = input.bodyFor(provider);
	const timer = new AbortController();
	const handle = setTimeout(() => timer.abort(new TimedOut()), timeoutMs);
	try {
		const target = await targetFor(channel, input.model, input.config.encryptionKey);
		const signal = AbortSignal.any([timer.signal, input.clientSignal]);
		const ctx = { op: input.op, stream: input.stream, signal, clientHeaders: input.clientHeaders, env: input.env };
		const response = await provider.send(body, target, ctx);
		if (response.ok) return { ok: response };
		const message = upstreamMessage(await response.text());
		return { failure: { kind: "status", status: response.status, message, retryAfter: response.headers.get("retry-after") ?? undefined } };
	} catch (err) {
		if (input.clientSignal.aborted) throw err;
		// The gateway's own failure to build the request (a stack overflow serializing it, say) is no fault of the channel.
		if (err instanceof RangeError) throw err;
		if (timer.signal.aborted) return { failure: { kind: "timeout" } };
		return { failure: { kind: "network", message: upstreamMessage(err instanceof Error ? err.message : String(err)) } };
	} finally {
		// Only the wait for headers is bounded here; a long stream is not cut by this timer.
		clearTimeout(handle);
	}
}

/**
 * Tries the candidates in order until one answers 2xx. Failures before any byte reaches the client move on
 * to the next channel not yet tried, within a bounded number of attempts and a total deadline; a request
 * the upstream rejects as malformed goes back to the client unchanged in status.
 */
export async function failover(input: FailoverInput, startedAt = Date.now()): Promise<Dispatched> {
	const deadline = startedAt + input.config.deadlineMs;
	let last: Failure | undefined;
	let attempts = 0;
	let skipped = 0;
	for (const channel of input.candidates) {
		if (attempts >= input.config.maxAttempts) break;
		// A channel whose breaker is open is skipped without an attempt; after its cooldown one request may try it.
		const usable = usability(channel.id);
		if (usable === "no" || (usable === "trial" && !(await claimTrial(input.env, channel.id)))) {
			skipped++;
			continue;
		}
		if (attempts > 0) await sleep(backoffMs(attempts, deadline - Date.now()));
		const remaining = deadline - Date.now();
		if (remaining <= 0) break;
		attempts++;
		input.onAttempt?.(channel, attempts, upstreamModelFor(channel, input.model));
		const outcome = await attemptOnce(input, channel, Math.min(input.config.firstByteTimeoutMs, remaining));
		if ("ok" in outcome) {
			input.onOutcome?.(channel, { kind: "success", at: Date.now() });
			return { response: outcome.ok, channel, attempts };
		}
		const failure = outcome.failure;
		const health = outcomeOf(failure);
		if (health) input.onOutcome?.(channel, health);
		if (failure.kind === "status" && isClientFault(failure.status)) {
			throw new GatewayError("invalid_request", failure.message || `The upstream rejected the request (${failure.status})`, { status: failure.status });
		}
		last = failure;
	}
	if (attempts === 0 && skipped > 0) throw unhealthy(input, skipped);
	throw exhausted(last, attempts, input.model, input.requestId);
}

/** Every candidate's breaker is open: fail fast, and say when to come back. */
function unhealthy(input: FailoverInput, skipped: number): GatewayError {
	const retryAt = earliestRetry(input.candidates);
	const seconds = retryAt === undefined ? undefined : Math.max(1, Math.ceil((retryAt - Date.now()) / 1000));
	const message = `All ${skipped} channel${skipped === 1 ? "" : "s"} for model '${input.model}' are unhealthy (circuit open)${seconds ? `; retry in ${seconds} s` : ""} (request id ${input.requestId})`;
	return new GatewayError("upstream_unavailable", message, seconds ? { headers: { "retry-after": String(seconds) } } : {});
}
