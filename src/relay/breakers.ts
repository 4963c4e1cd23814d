import { z } from "zod";
import type { AttemptOutcome, BreakerConfig, BreakerView, ModelOutcome, RecordView } from "../../durable-objects/breaker-types";
import type { LiveChannel } from "../channels/live";

/**
 * This isolate's view of each channel's breakers (its own and its models'), refreshed by the answers to its own
 * reports: the relay reads it instead of asking the Durable Object on every request. Another isolate's view catches
 * up when it next reports.
 */
interface Cached {
	channel: RecordView;
	models: ReadonlyMap<string, RecordView>;
	/** When this isolate last read it (a report's answer, or a refresh). */
	at: number;
}

const views = new Map<number, Cached>();

/**
 * A view that keeps a channel from this isolate (disabled, or open with no retry due) is read again from its breaker
 * once it is this old, in the background: a breaker closed by someone else (a probe's success, an operator's reset)
 * would otherwise never be heard of here, since a channel this isolate skips gets no report that could answer.
 */
const STALE_MS = 30_000;
/** When each channel's view was last refreshed that way: one read per channel per STALE_MS, however busy the isolate. */
const refreshedAt = new Map<number, number>();

export type Usability = "yes" | "no" | "trial";

function usabilityOf(view: RecordView | undefined, now: number): Usability {
	if (!view || view.state === "closed") return "yes";
	if (view.state === "disabled") return "no";
	// Open or half-open: once the cooldown is over, the breaker itself decides who makes the one trial.
	return view.retryAt !== null && now >= view.retryAt ? "trial" : "no";
}

/** Whether a request for `model` may go to the channel: both the channel and the model on it must let it through. */
export function usability(channelId: number, model: string, now = Date.now()): Usability {
	const cached = views.get(channelId);
	if (!cached) return "yes";
	const channel = usabilityOf(cached.channel, now);
	if (channel === "no") return "no";
	const pair = usabilityOf(cached.models.get(model), now);
	if (pair === "no") return "no";
	return channel === "trial" || pair === "trial" ? "trial" : "yes";
}

/** Why no candidate could be tried: when the soonest comes back, and whether every one is only slowed down by rate limits. */
export interface Cooling {
	retryAt: number | undefined;
	rateLimited: boolean;
}

/** For the answer when every candidate for `model` was skipped; each is back when all that holds it (channel, model) is. */
export function cooling(channels: readonly LiveChannel[], model: string, now = Date.now()): Cooling {
	let soonest: number | undefined;
	let rateLimited = true;
	for (const ch of channels) {
		const cached = views.get(ch.id);
		const holding = [cached?.channel, cached?.models.get(model)].filter((v): v is RecordView => v !== undefined && usabilityOf(v, now) !== "yes");
		if (holding.some((v) => v.openedBy !== "rate_limit")) rateLimited = false;
		const back = holding.reduce<number | null>((latest, v) => (latest === null || v.retryAt === null ? null : Math.max(latest, v.retryAt)), 0);
		if (back !== null && (soonest === undefined || back < soonest)) soonest = back;
	}
	return { retryAt: soonest, rateLimited };
}

export function observe(channelId: number, view: BreakerView, now = Date.now()): void {
	views.set(channelId, { channel: view, models: new Map(view.models.map((m) => [m.model, m])), at: now });
}

/**
 * Re-reads a skipped channel's breakers when this isolate's view of them is stale (STALE_MS), after the request has
 * moved on: the skip stands for this request; the next one sees what the breaker says now. Costs one Durable Object
 * call per unhealthy channel per STALE_MS, and nothing while every channel is healthy.
 */
export function refreshIfStale(env: Env, channelId: number, waitUntil: (p: Promise<unknown>) => void, now = Date.now()): void {
	const cached = views.get(channelId);
	if (!cached || now - cached.at < STALE_MS || now - (refreshedAt.get(channelId) ?? 0) < STALE_MS) return;
	refreshedAt.set(channelId, now);
	waitUntil(
		env.CHANNEL_BREAKER.getByName(String(channelId))
			.view()
			.then((view) => observe(channelId, view))
			.catch(() => {
				// Unreachable just now: the view stands, and is tried again after STALE_MS.
			}),
	);
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
export function report(env: Env, outcomes: readonly { channel: LiveChannel; outcome: ModelOutcome }[]): Promise<void> {
	const sends: Promise<void>[] = [];
	for (const { channel, outcome } of outcomes) {
		const batch = pending.get(channel.id);
		if (batch) batch.outcomes.push(outcome);
		else sends.push(open(env, channel, outcome));
	}
	return Promise.all(sends).then(() => undefined);
}

function open(env: Env, channel: LiveChannel, outcome: ModelOutcome): Promise<void> {
	const urgent = outcome.kind !== "success" || !healthy(channel.id, outcome.model);
	const created: Pending = { channel, outcomes: [outcome] };
	pending.set(channel.id, created);
	return new Promise<void>((resolve) => setTimeout(resolve, urgent ? 0 : LINGER_MS)).then(() => {
		pending.delete(channel.id);
		return send(env, created.channel, created.outcomes);
	});
}

/** Known here to be closed, for the channel and the model: a success there is no news worth a call of its own. */
function healthy(channelId: number, model: string): boolean {
	const cached = views.get(channelId);
	if (cached?.channel.state !== "closed") return false;
	const pair = cached.models.get(model);
	return pair === undefined || pair.state === "closed";
}

/** Asks the breaker for the one trial request after a cooldown, for `model` on the channel. */
export async function claimTrial(env: Env, channelId: number, model: string): Promise<boolean> {
	try {
		return await env.CHANNEL_BREAKER.getByName(String(channelId)).trial(model);
	} catch {
		return false;
	}
}

/** The failure rate of the recent window, the worse of the channel's own and the model's on it; 0 when not known here. */
export function errorRate(channelId: number, model: string): number {
	const cached = views.get(channelId);
	if (!cached) return 0;
	return Math.max(cached.channel.window.errorRate, cached.models.get(model)?.window.errorRate ?? 0);
}
