import type { AttemptOutcome, BreakerConfig, BreakerView } from "../../durable-objects/breaker-types";
import type { LiveChannel } from "./channels";
import type { Failure } from "./failure";
import { isClientFault } from "./failure";

/**
 * This isolate's view of each channel's breaker, refreshed by the answers to its own reports: the relay reads it
 * instead of asking the Durable Object on every request. Another isolate's view catches up when it next reports.
 */
const views = new Map<number, BreakerView>();

export type Usability = "yes" | "no" | "trial";

export function usability(channelId: number, now = Date.now()): Usability {
	const view = views.get(channelId);
	if (!view || view.state === "closed") return "yes";
	if (view.state === "disabled") return "no";
	// Open or half-open: once the cooldown is over, the breaker itself decides who makes the one trial.
	return view.retryAt !== null && now >= view.retryAt ? "trial" : "no";
}

/** When the earliest skipped channel may be tried again, for a Retry-After. */
export function earliestRetry(channels: readonly LiveChannel[]): number | undefined {
	let soonest: number | undefined;
	for (const ch of channels) {
		const at = views.get(ch.id)?.retryAt;
		if (at !== null && at !== undefined && (soonest === undefined || at < soonest)) soonest = at;
	}
	return soonest;
}

export function observe(channelId: number, view: BreakerView): void {
	views.set(channelId, view);
}

// An upstream's own words for "this account cannot pay": the channel needs an operator, not a retry.
const BILLING = /insufficient_quota|credit balance|billing|quota exceeded|payment required/i;

/**
 * What an attempt's failure means for its channel's health; undefined when it says nothing about the channel
 * (a request the upstream rejected as malformed would be rejected by any channel).
 */
export function outcomeOf(failure: Failure, at = Date.now()): AttemptOutcome | undefined {
	if (failure.kind === "timeout") return { kind: "failure", at, message: "timed out waiting for the upstream" };
	if (failure.kind === "network") return { kind: "failure", at, message: failure.message || "connection failed" };
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

/** A channel's own breaker settings (`settings.breaker`), validated loosely: unknown or bad fields are ignored. */
export function breakerConfig(channel: LiveChannel): Partial<BreakerConfig> {
	const raw = channel.settings.breaker;
	if (typeof raw !== "object" || raw === null) return {};
	const out: Partial<BreakerConfig> = {};
	for (const [k, v] of Object.entries(raw)) if (typeof v === "number" && Number.isFinite(v) && v >= 0) out[k as keyof BreakerConfig] = v;
	return out;
}

// Successes on a healthy channel are worth little one by one: they wait this long to travel together.
const LINGER_MS = 250;

interface Pending {
	channel: LiveChannel;
	outcomes: AttemptOutcome[];
}

const pending = new Map<number, Pending>();

async function send(env: Env, channel: LiveChannel, outcomes: AttemptOutcome[]): Promise<void> {
	try {
		observe(channel.id, await env.CHANNEL_BREAKER.getByName(String(channel.id)).report(channel.id, outcomes, breakerConfig(channel)));
	} catch (err) {
		// Health reporting must never fail a request that has already been answered.
		console.error(JSON.stringify({ level: "warn", channel_id: channel.id, error: `breaker report failed: ${String(err)}` }));
	}
}

/**
 * Sends a request's outcomes to each channel's breaker, after the response; the answers refresh this isolate's
 * view. A failure, or anything about a channel not known to be healthy, goes at once; successes on a healthy
 * channel are batched for LINGER_MS, so a busy isolate makes a few breaker calls a second, not one per request.
 * The promise settles when the reports this request opened are delivered (for waitUntil); outcomes that join
 * another request's report do not wait for it, since only the opener's context can (see usage-batcher.ts).
 */
export function report(env: Env, outcomes: readonly { channel: LiveChannel; outcome: AttemptOutcome }[]): Promise<void> {
	const sends: Promise<void>[] = [];
	for (const { channel, outcome } of outcomes) {
		const batch = pending.get(channel.id);
		if (batch) batch.outcomes.push(outcome);
		else sends.push(open(env, channel, outcome));
	}
	return Promise.all(sends).then(() => undefined);
}

function open(env: Env, channel: LiveChannel, outcome: AttemptOutcome): Promise<void> {
	const urgent = outcome.kind !== "success" || usability(channel.id) !== "yes" || views.get(channel.id)?.state !== "closed";
	const created: Pending = { channel, outcomes: [outcome] };
	pending.set(channel.id, created);
	return new Promise<void>((resolve) => setTimeout(resolve, urgent ? 0 : LINGER_MS)).then(() => {
		pending.delete(channel.id);
		return send(env, created.channel, created.outcomes);
	});
}

/** Asks the breaker for the one trial request after a cooldown. */
export async function claimTrial(env: Env, channelId: number): Promise<boolean> {
	try {
		return await env.CHANNEL_BREAKER.getByName(String(channelId)).trial();
	} catch {
		return false;
	}
}
