import { z } from "zod";
import type { AttemptOutcome, BreakerConfig, BreakerView } from "../../durable-objects/breaker-types";
import type { LiveChannel } from "../channels/live";

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

const setting = z.number().finite().nonnegative().optional().catch(undefined);
const breakerSettings = z.object({
	consecutiveFailures: setting,
	errorRate: setting,
	windowMs: setting,
	minRequests: setting,
	cooldownMs: setting,
	maxCooldownMs: setting,
	rateLimitCooldownMs: setting,
	probeIntervalMs: setting,
});

/** A channel's own breaker settings (`settings.breaker`), validated loosely: unknown or bad fields are ignored. */
export function breakerConfig(channel: LiveChannel): Partial<BreakerConfig> {
	const parsed = breakerSettings.safeParse(channel.settings.breaker);
	if (!parsed.success) return {};
	return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
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
