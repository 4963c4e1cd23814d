import { DurableObject } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import type { ChannelNotification } from "../queues/notify-message";
import type { Failure } from "../src/channels/failure";
import { type LiveChannel, toLive } from "../src/channels/live";
import { outcomeOf } from "../src/channels/outcome";
import { testChannel } from "../src/channels/test-request";
import { db } from "../src/db/client";
import { channels } from "../src/db/schema";
import { config as appConfig } from "../src/env";
import { logEvent } from "../src/observability/request-log";
import { eventFor } from "./breaker-events";
import {
	alarmAt,
	apply,
	type Breakers,
	dueProbes,
	forgetModel,
	fresh,
	reconfigureAll,
	resetAll,
	stateChanges,
	stillDue,
	stopProbes,
	trial,
	viewOf,
} from "./breaker-scope";
import { disableByProbes, enableByProbes, resolveConfig } from "./breaker-state";
import { load, type StoredBreaker, save } from "./breaker-storage";
import type { AttemptOutcome, BreakerConfig, BreakerView } from "./breaker-types";
import { breakerConfigInput, channelIdInput, modelInput, outcomesInput, probeReason } from "./rpc-inputs";

/**
 * One channel's circuit breakers (named by the channel id): the single, atomic truth of its health, the channel's
 * own and that of each model that failed on it, so that a request's report stays one call. The relay reports every
 * attempt's outcome and asks here for the one trial after a cooldown; while open, an alarm can probe the channel (or
 * a model on it) so that it comes back without a user's request paying for the test.
 */
export class ChannelBreaker extends DurableObject<Env> {
	private stored: StoredBreaker = { channelId: null, config: resolveConfig(), breakers: fresh(Date.now()) };

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
		let breakers = reconfigureAll(this.stored.breakers, cfg, now);
		for (const outcome of outcomes) breakers = apply(breakers, outcome, cfg, now);
		return this.commit({ channelId, config: cfg, breakers }, now);
	}

	/** For the admin API when a channel's breaker settings change: probes start or stop without waiting for a report. */
	async configure(id: number, config: Partial<BreakerConfig>): Promise<BreakerView> {
		const now = Date.now();
		const cfg = resolveConfig(breakerConfigInput.parse(config));
		return this.commit({ channelId: channelIdInput.parse(id), config: cfg, breakers: reconfigureAll(this.stored.breakers, cfg, now) }, now);
	}

	/**
	 * True for the one request that may test an open channel, or an open model on it, once its cooldown is over
	 * (and for any, while both are closed).
	 */
	async trial(model?: string): Promise<boolean> {
		const now = Date.now();
		const { breakers, granted } = trial(this.stored.breakers, model === undefined ? undefined : modelInput.parse(model), this.stored.config, now);
		if (breakers !== this.stored.breakers) await this.commit({ ...this.stored, breakers }, now);
		return granted;
	}

	async view(): Promise<BreakerView> {
		return viewOf(this.stored.breakers, this.stored.config, Date.now());
	}

	/**
	 * The active health checks' verdicts (src/rollups/channel-probes.ts): a run of failed probes disables the
	 * channel, and a success enables it again only if the probes had disabled it. `changed` says whether the state
	 * moved; the cron announces it, with what its probes saw, so the breaker does not announce it twice.
	 */
	async disableByProbes(id: number, reason: string): Promise<{ changed: boolean; view: BreakerView }> {
		const now = Date.now();
		const before = this.stored.breakers;
		const channel = disableByProbes(before.channel, probeReason.parse(reason), now);
		const view = await this.commit({ ...this.stored, channelId: channelIdInput.parse(id), breakers: { ...before, channel } }, now, false);
		return { changed: channel !== before.channel, view };
	}

	async enableByProbes(): Promise<{ changed: boolean; view: BreakerView }> {
		const now = Date.now();
		const before = this.stored.breakers;
		const channel = enableByProbes(before.channel, now);
		if (channel === before.channel) return { changed: false, view: viewOf(before, this.stored.config, now) };
		// As an operator's reset does: the models' breakers start afresh with the channel.
		const view = await this.commit({ ...this.stored, breakers: resetAll(before, now) }, now, false);
		return { changed: true, view };
	}

	/** For /readyz: the namespace answers (called on an instance of its own, which guards no channel). */
	async ping(): Promise<true> {
		return true;
	}

	/** Closes the channel and every model on it. */
	async reset(): Promise<BreakerView> {
		const now = Date.now();
		return this.commit({ ...this.stored, breakers: resetAll(this.stored.breakers, now) }, now);
	}

	/** The active probes: the channel while it is open, else its open models; each takes the trial itself and reports its result. */
	override async alarm(): Promise<void> {
		const { channelId } = this.stored;
		const due = dueProbes(this.stored.breakers, Date.now());
		if (channelId === null || due.length === 0) return this.syncAlarm();
		const channel = await enabledChannel(this.env, channelId);
		if (!channel) {
			// Deleted or disabled: nothing to probe; trials by the relay still reopen the channel.
			await this.commit({ ...this.stored, breakers: stopProbes(this.stored.breakers) }, Date.now());
			return;
		}
		for (const model of due) await this.probe(channel, model);
		await this.syncAlarm();
	}

	/** One probe: of the channel (with its first model) when `model` is undefined, else of that model on it. */
	private async probe(channel: LiveChannel, model: string | undefined): Promise<void> {
		const started = Date.now();
		// Another call may have changed the breaker while D1 or an earlier probe answered.
		if (!stillDue(this.stored.breakers, model)) return;
		if (model !== undefined && !channel.models.has(model)) {
			// The channel no longer serves it: nothing to probe, and nothing worth keeping.
			await this.commit({ ...this.stored, breakers: forgetModel(this.stored.breakers, model) }, started);
			return;
		}
		const asked = model ?? [...channel.models][0];
		if (asked === undefined) {
			await this.commit({ ...this.stored, breakers: stopProbes(this.stored.breakers) }, started);
			return;
		}
		const { breakers, granted } = trial(this.stored.breakers, model, this.stored.config, started);
		if (!granted) return;
		// Holding the trial (half-open) keeps the relay's own trial out while the probe is under way.
		await this.commit({ ...this.stored, breakers }, started);
		const outcome = await probeOutcome(channel, asked, this.env);
		const now = Date.now();
		await this.commit({ ...this.stored, breakers: apply(this.stored.breakers, outcome, this.stored.config, now) }, now);
	}

	private async commit(stored: StoredBreaker, now: number, announce = true): Promise<BreakerView> {
		const before = this.stored.breakers;
		this.stored = stored;
		save(this.ctx.storage.kv, stored);
		await this.syncAlarm();
		const view = viewOf(stored.breakers, stored.config, now);
		if (announce) await this.notify(before, stored.breakers, view, now);
		return view;
	}

	/** Tells the operator through the notification queue (delivered, with retries, to ALERT_WEBHOOK_URL). */
	private async notify(before: Breakers, after: Breakers, view: BreakerView, now: number): Promise<void> {
		const channelId = this.stored.channelId;
		if (channelId === null) return;
		for (const change of stateChanges(before, after)) {
			const type = eventFor(change.before, change.after);
			if (!type) continue;
			const record = change.model === undefined ? view : view.models.find((m) => m.model === change.model);
			const reason = !record ? null : record.state === "disabled" ? record.disabledReason : record.state === "open" ? record.lastError : null;
			const event: ChannelNotification = {
				id: crypto.randomUUID(),
				type,
				channel_id: channelId,
				...(change.model === undefined ? {} : { model: change.model }),
				state: change.after,
				reason,
				at: new Date(now).toISOString(),
			};
			logEvent(event.type, event, event.type === "channel.recovered" ? "info" : "warn");
			try {
				await this.env.NOTIFY_QUEUE.send(event);
			} catch (err) {
				// The state change stands; only its announcement is lost, and the health endpoint still shows it.
				console.error(JSON.stringify({ level: "warn", channel_id: channelId, error: `notification not queued: ${String(err)}` }));
			}
		}
	}

	/** The alarm is always the next probe's time (breaker-scope.ts alarmAt); while an alarm runs, getAlarm() is null until set again. */
	private async syncAlarm(): Promise<void> {
		const at = alarmAt(this.stored.breakers);
		if (at === (await this.ctx.storage.getAlarm())) return;
		if (at === null) await this.ctx.storage.deleteAlarm();
		else await this.ctx.storage.setAlarm(at);
	}
}

async function enabledChannel(env: Env, id: number): Promise<LiveChannel | undefined> {
	const row = await db(env).select().from(channels).where(eq(channels.id, id)).get();
	return row && row.status === "enabled" ? toLive(row) : undefined;
}

/** The probe's answer read as the relay reads an attempt's; a refusal that says nothing about the channel still is no success. */
async function probeOutcome(channel: LiveChannel, model: string, env: Env): Promise<AttemptOutcome> {
	const result = await testChannel(channel, model, env, appConfig(env));
	const at = Date.now();
	if (result.ok) return { kind: "success", at, model };
	const message = result.error ?? `probe answered ${result.status ?? "nothing"}`;
	const failure: Failure =
		result.status === null
			? { kind: "network", message }
			: { kind: "status", status: result.status, message, codes: result.error_codes, retryAfter: undefined };
	return outcomeOf(failure, model, at) ?? { kind: "failure", at, message: `probe: ${message}`, model };
}
