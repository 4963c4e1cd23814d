import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { ChannelNotification } from "../queues/notify-message";
import { type LiveChannel, toLive } from "../src/channels/live";
import { outcomeOf } from "../src/channels/outcome";
import { testChannel } from "../src/channels/test-request";
import { db } from "../src/db/client";
import { channels } from "../src/db/schema";
import { config as appConfig } from "../src/env";
import { eventFor } from "./breaker-events";
import { grantTrial, initial, next, reconfigure, reset, resolveConfig, toView } from "./breaker-state";
import { load, type StoredBreaker, save } from "./breaker-storage";
import type { AttemptOutcome, BreakerConfig, BreakerView } from "./breaker-types";
import { breakerConfigInput, channelIdInput, outcomesInput } from "./rpc-inputs";

/**
 * One channel's circuit breaker (named by the channel id): the single, atomic truth of its health. The relay
 * reports every attempt's outcome and asks here for the one trial after a cooldown; while open, an alarm can
 * probe the channel so that it comes back without a user's request paying for the test.
 */
export class ChannelBreaker extends DurableObject<Env> {
	private stored: StoredBreaker = { channelId: null, config: resolveConfig(), breaker: initial(Date.now()) };

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		// No call may see the defaults above in place of the stored breaker.
		void ctx.blockConcurrencyWhile(async () => {
			const found = load(ctx.storage.kv);
			if (found) this.stored = found;
		});
	}

	/** Applies one request's outcomes for the channel in order; `config` is the channel's own (`settings.breaker`). */
	async report(id: number, reported: AttemptOutcome[], config?: Partial<BreakerConfig>): Promise<BreakerView> {
		const channelId = channelIdInput.parse(id);
		const outcomes = outcomesInput.parse(reported);
		const now = Date.now();
		const cfg = config ? resolveConfig(breakerConfigInput.parse(config)) : this.stored.config;
		let breaker = reconfigure(this.stored.breaker, cfg, now);
		for (const outcome of outcomes) breaker = next(breaker, outcome, cfg, now);
		return this.commit({ channelId, config: cfg, breaker }, now);
	}

	/** For the admin API when a channel's breaker settings change: probes start or stop without waiting for a report. */
	async configure(id: number, config: Partial<BreakerConfig>): Promise<BreakerView> {
		const now = Date.now();
		const cfg = resolveConfig(breakerConfigInput.parse(config));
		return this.commit({ channelId: channelIdInput.parse(id), config: cfg, breaker: reconfigure(this.stored.breaker, cfg, now) }, now);
	}

	/** True for the one request that may test an open channel once its cooldown is over (and for any, while closed). */
	async trial(): Promise<boolean> {
		const now = Date.now();
		const { rec, granted } = grantTrial(this.stored.breaker, this.stored.config, now);
		if (rec !== this.stored.breaker) await this.commit({ ...this.stored, breaker: rec }, now);
		return granted;
	}

	async view(): Promise<BreakerView> {
		return toView(this.stored.breaker, this.stored.config, Date.now());
	}

	async reset(): Promise<BreakerView> {
		const now = Date.now();
		return this.commit({ ...this.stored, breaker: reset(this.stored.breaker, now) }, now);
	}

	/** The active probe: takes the trial itself, sends the channel's smallest real request, and reports the result. */
	override async alarm(): Promise<void> {
		const { channelId } = this.stored;
		if (channelId === null || !probing(this.stored)) return this.syncAlarm();
		const channel = await enabledChannel(this.env, channelId);
		const model = channel ? [...channel.models][0] : undefined;
		const started = Date.now();
		// Another call may have changed the breaker while D1 answered.
		if (!probing(this.stored)) return this.syncAlarm();
		if (!channel || model === undefined) {
			// Deleted, disabled or modelless: nothing to probe; trials by the relay still reopen the channel.
			await this.commit({ ...this.stored, breaker: { ...this.stored.breaker, nextProbeAt: null } }, started);
			return;
		}
		const { rec, granted } = grantTrial(this.stored.breaker, this.stored.config, started);
		if (!granted) return this.syncAlarm();
		// Holding the trial (half-open) keeps the relay's own trial out while the probe is under way.
		await this.commit({ ...this.stored, breaker: rec }, started);
		const outcome = await probe(channel, model, this.env);
		const now = Date.now();
		await this.commit({ ...this.stored, breaker: next(this.stored.breaker, outcome, this.stored.config, now) }, now);
	}

	private async commit(stored: StoredBreaker, now: number): Promise<BreakerView> {
		const before = this.stored.breaker.state;
		this.stored = stored;
		save(this.ctx.storage.kv, stored);
		await this.syncAlarm();
		const view = toView(stored.breaker, stored.config, now);
		await this.notify(eventFor(before, view.state), view, now);
		return view;
	}

	/** Tells the operator through the notification queue (delivered, with retries, to ALERT_WEBHOOK_URL). */
	private async notify(type: ChannelNotification["type"] | undefined, view: BreakerView, now: number): Promise<void> {
		const channelId = this.stored.channelId;
		if (!type || channelId === null) return;
		const reason = view.state === "disabled" ? view.disabledReason : view.state === "open" ? view.lastError : null;
		const event: ChannelNotification = { id: crypto.randomUUID(), type, channel_id: channelId, state: view.state, reason, at: new Date(now).toISOString() };
		try {
			await this.env.NOTIFY_QUEUE.send(event);
		} catch (err) {
			// The state change stands; only its announcement is lost, and the health endpoint still shows it.
			console.error(JSON.stringify({ level: "warn", channel_id: channelId, error: `notification not queued: ${String(err)}` }));
		}
	}

	/** The alarm is always the breaker's `nextProbeAt`; while an alarm runs, getAlarm() is null until set again. */
	private async syncAlarm(): Promise<void> {
		const at = this.stored.breaker.nextProbeAt;
		if (at === (await this.ctx.storage.getAlarm())) return;
		if (at === null) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(at);
	}
}

function probing(stored: StoredBreaker): boolean {
	const { state, nextProbeAt } = stored.breaker;
	return nextProbeAt !== null && (state === "open" || state === "half_open");
}

async function enabledChannel(env: Env, id: number): Promise<LiveChannel | undefined> {
	const row = await db(env).select().from(channels).where(eq(channels.id, id)).get();
	return row && row.status === "enabled" ? toLive(row) : undefined;
}

/** The probe's answer read as the relay reads an attempt's; a refusal that says nothing about the channel still is no success. */
async function probe(channel: LiveChannel, model: string, env: Env): Promise<AttemptOutcome> {
	const result = await testChannel(channel, model, env, appConfig(env).encryptionKey);
	const at = Date.now();
	if (result.ok) return { kind: "success", at };
	const message = result.error ?? `probe answered ${result.status ?? "nothing"}`;
	const failure =
		result.status === null ? { kind: "network" as const, message } : { kind: "status" as const, status: result.status, message, retryAfter: undefined };
	return outcomeOf(failure, at) ?? { kind: "failure", at, message: `probe: ${message}` };
}
