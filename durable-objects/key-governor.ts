import { DurableObject } from "cloudflare:workers";
import type { Notification } from "../queues/notify-message";
import { logEvent } from "../src/observability/request-log";
import { assess } from "./anomaly-profile";
import { reportAnomalies, reportAuthFailures } from "./anomaly-report";
import { type ProfileStore, profileStore } from "./anomaly-storage";
import type { Observations, ObservationVerdict } from "./anomaly-types";
import { countFailures, loadFailures, saveFailures } from "./auth-failures";
import type { Held } from "./governor-budget";
import { ledgerSpend, recordedUsage } from "./governor-ledger";
import {
	advance,
	type BudgetEvent,
	dayOf,
	decide,
	dueAlerts,
	type GovernorState,
	type Hold,
	initialState,
	monthOf,
	release,
	settle,
	standings,
} from "./governor-state";
import { type HoldStore, holdStore, loadHolds, loadState, saveState } from "./governor-storage";
import type { Actual, Decision, GovernorView, Limits, ReserveRequest, Scope } from "./governor-types";
import { actualInput, authFailuresInput, limitsInput, observationsInput, requestIdInput, reserveInput, scopeInput } from "./rpc-inputs";

/**
 * The limits of one gateway key, user or group, or of the dashboard sign-in attempts of one email or address
 * (named `<kind>:<id>`): the single, atomic truth of its request and token rates, requests in flight, and spend. The relay reserves before sending a request and settles with
 * the real usage after it; a hold whose settlement never comes expires by alarm.
 */
export class KeyGovernor extends DurableObject<Env> {
	private state: GovernorState = initialState(Date.now());
	private holds = new Map<string, Hold>();
	private store: HoldStore;
	/** Settlements written since settled ids were last pruned. */
	private settles = 0;
	/** Holds and settlements applied in memory and not yet written: see `commit`. */
	private unsavedHolds = new Map<string, Hold>();
	private unsavedSettles = new Map<string, number>();
	private flushTimer: ReturnType<typeof setTimeout> | undefined;
	/** The alarm as last set, so that most calls need no storage operation for it; undefined until read. */
	private alarmAt: number | null | undefined;
	/** Whether `state` has been brought from the ledger yet (a new object, or limits changed by an admin). */
	private seeding: Promise<void> | undefined;
	/** A key's anomaly profile, opened on its first observation (a key without tracking never has one). */
	private profiles: ProfileStore | undefined;

	constructor(ctx: DurableObjectState, env: Env) {
		super(ctx, env);
		this.store = holdStore(ctx.storage.sql);
		void ctx.blockConcurrencyWhile(async () => {
			const found = loadState(ctx.storage.kv);
			if (found) {
				this.state = found;
				this.seeding = Promise.resolve();
			}
			this.holds = loadHolds(ctx.storage.sql);
		});
	}

	/** For /readyz: the namespace answers (called on an instance of its own, which holds nothing). */
	async ping(): Promise<true> {
		return true;
	}

	/** Admits the request and holds its estimate, or refuses it (nothing held). */
	async reserve(request: ReserveRequest): Promise<Decision> {
		const req = reserveInput.parse(request);
		await this.seeded(req.scope);
		const now = Date.now();
		if (this.holds.has(req.requestId) || this.isSettled(req.requestId)) return { ok: true, ...standings(this.state) };
		const current = advance(this.state, req.limits, now);
		const { state, decision, tokens, costNusd } = decide(current, this.held(), req);
		if (!decision.ok) {
			const refusedFor = decision.refusal.kind === "budget" ? decision.refusal.period : undefined;
			// Nothing is held, so nothing needs writing at once.
			await this.commit(state, now, { refusedFor });
			return decision;
		}
		const hold: Hold = { tokens, costNusd, expiresAt: now + req.ttlMs };
		this.holds.set(req.requestId, hold);
		this.unsavedHolds.set(req.requestId, hold);
		await this.commit(state, now);
		return decision;
	}

	/** The request's real usage replaces its hold. Settling twice (a retry) changes nothing. */
	async settle(id: string, used: Actual): Promise<void> {
		const requestId = requestIdInput.parse(id);
		const actual = actualInput.parse(used);
		await this.seeding;
		if (this.isSettled(requestId)) return;
		const now = Date.now();
		const hold = this.forget(requestId);
		this.unsavedSettles.set(requestId, now);
		await this.commit(settle(advance(this.state, this.state.limits, now), hold, actual), now);
	}

	/** A hold given back whole: another scope refused the request, which was never sent. */
	async cancel(id: string): Promise<void> {
		const requestId = requestIdInput.parse(id);
		await this.seeding;
		const hold = this.forget(requestId);
		if (!hold) return;
		const now = Date.now();
		this.store.settle(requestId, now);
		await this.commit(release(advance(this.state, this.state.limits, now), hold, true), now, { writeNow: true });
	}

	/** For the admin API when limits change: the spend is read again from the ledger, holds stay. */
	async configure(forScope: Scope, newLimits: Limits): Promise<GovernorView> {
		const scope = scopeInput.parse(forScope);
		const limits = limitsInput.parse(newLimits);
		this.seeding = this.seed(scope);
		await this.seeding;
		const now = Date.now();
		await this.commit(advance(this.state, limits, now), now, { writeNow: true });
		return this.view(scope, limits);
	}

	/** The standing under `limits` (those in D1 now), spend read from the ledger if this object is new. */
	async view(forScope: Scope, current: Limits): Promise<GovernorView> {
		const scope = scopeInput.parse(forScope);
		const limits = limitsInput.parse(current);
		await this.seeded(scope);
		const state = advance(this.state, limits, Date.now());
		const held = this.held();
		const { requests, tokens } = standings(state);
		return {
			scope: state.scope,
			limits: state.limits,
			in_flight: held.count,
			requests: requests ?? null,
			tokens: tokens ?? null,
			spent: { daily: state.spend.dayNusd, monthly: state.spend.monthNusd, total: state.spend.totalNusd },
			held_nusd: held.costNusd,
		};
	}

	/**
	 * What an isolate saw of this key since its last send (src/relay/anomaly-watch.ts): the profile takes it in, and
	 * what departs from the profile is reported, the key locked per its policy. Profile and dedupe are written before
	 * the first await, so that concurrent sends never report one anomaly twice.
	 */
	async observe(batch: Observations): Promise<ObservationVerdict> {
		const obs = observationsInput.parse(batch);
		this.profiles ??= profileStore(this.ctx.storage);
		const store = this.profiles;
		const { profile, findings } = assess(store.load(), obs, (dim, value) => !store.has(dim, value));
		store.save(profile);
		store.see("family", Object.keys(obs.families), obs.at);
		store.see("country", Object.keys(obs.countries), obs.at);
		store.see("network", Object.keys(obs.networks), obs.at);
		const locked = await reportAnomalies(this.env, obs, findings);
		return { reported: findings.map((f) => f.kind), locked };
	}

	/**
	 * `n` more failed authentications from the address this object is named for (`auth-failures:<address>`; called
	 * only for an address already failing). Returns until when the address is refused (0 or past: it is not).
	 */
	async authFailures(address: string, n: number, limit: number): Promise<number> {
		const input = authFailuresInput.parse({ address, n, limit });
		const { window, crossed } = countFailures(loadFailures(this.ctx.storage.kv), input.n, input.limit, Date.now());
		saveFailures(this.ctx.storage.kv, window);
		if (crossed) await reportAuthFailures(this.env, input.address, window.count, input.limit);
		return window.blockedUntil;
	}

	/**
	 * Holds past their time: a request whose usage reached D1 is charged what was recorded; any other is released
	 * (a late settlement still charges it, once). Either way its concurrency slot is free again.
	 */
	override async alarm(): Promise<void> {
		// A running alarm is no longer set.
		this.alarmAt = null;
		await this.seeding;
		const due = [...this.holds].filter(([, h]) => h.expiresAt <= Date.now());
		for (const [requestId, hold] of due) {
			const recorded = await recordedUsage(this.env.DB, requestId);
			// A settlement may have arrived while D1 answered.
			if (this.holds.get(requestId) !== hold) continue;
			const now = Date.now();
			this.forget(requestId);
			if (recorded) {
				this.store.settle(requestId, now);
				await this.commit(settle(advance(this.state, this.state.limits, now), hold, recorded), now, { writeNow: true });
			} else {
				this.store.drop(requestId);
				await this.commit(release(advance(this.state, this.state.limits, now), hold, false), now, { writeNow: true });
			}
		}
		this.store.prune(Date.now());
		await this.syncAlarm();
	}

	private held(): Held {
		let costNusd = 0;
		for (const h of this.holds.values()) costNusd += h.costNusd;
		return { count: this.holds.size, costNusd };
	}

	private seeded(scope: Scope): Promise<void> {
		this.seeding ??= this.seed(scope);
		return this.seeding;
	}

	private async seed(scope: Scope): Promise<void> {
		const now = Date.now();
		// The periods' keys ("2026-11-22", "2026-11") parse as their first millisecond, UTC.
		const spent = await ledgerSpend(this.env.DB, scope, Date.parse(dayOf(now)), Date.parse(monthOf(now)));
		const base = advance(this.state, this.state.limits, now);
		this.state = { ...base, scope, spend: { ...base.spend, dayNusd: spent.day, monthNusd: spent.month, totalNusd: spent.total } };
		saveState(this.ctx.storage.kv, this.state);
	}

	/** A hold taken out of memory (settled, cancelled or expired), and out of the next write if not yet written. */
	private forget(requestId: string): Hold | undefined {
		const hold = this.holds.get(requestId);
		this.holds.delete(requestId);
		this.unsavedHolds.delete(requestId);
		return hold;
	}

	private flush(): void {
		if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
		this.flushTimer = undefined;
		for (const [requestId, hold] of this.unsavedHolds) this.store.hold(requestId, hold);
		this.unsavedHolds.clear();
		for (const [requestId, at] of this.unsavedSettles) this.store.settle(requestId, at);
		this.settles += this.unsavedSettles.size;
		this.unsavedSettles.clear();
		saveState(this.ctx.storage.kv, this.state);
		// Settled ids are kept for two days; pruning now and then keeps that cheap.
		if (this.settles >= 500) {
			this.settles = 0;
			this.store.prune(Date.now());
		}
	}

	private isSettled(requestId: string): boolean {
		return this.unsavedSettles.has(requestId) || this.store.isSettled(requestId);
	}

	/**
	 * Makes `state` current. Changes are written behind, within 100 ms, in one storage transaction for all the
	 * calls in between (at once for an admin's change, a cancellation or an expiry): a transaction per request
	 * was the governor's largest cost in `npm run bench`. Idle eviction waits seconds, so it loses nothing.
	 * Should the object die inside those 100 ms (a deploy, a failed machine), it restarts from the last write:
	 * holds taken since are forgotten (their requests' settlements still charge the spend), and settlements
	 * made since are made again by the relay's retry or by the hold's expiry, which charges the usage record.
	 */
	private async commit(state: GovernorState, now: number, options: { refusedFor?: BudgetEvent["period"]; writeNow?: boolean } = {}): Promise<void> {
		const { state: alerted, events } = dueAlerts(state, options.refusedFor);
		this.state = alerted;
		if (options.writeNow) this.flush();
		else this.flushTimer ??= setTimeout(() => this.flush(), 100);
		await this.syncAlarm();
		for (const event of events) await this.notify(event, now);
	}

	/**
	 * An alarm at or before the earliest hold's expiry. It is moved only earlier, never later or away: holds all
	 * last the same time, so a new one never needs an earlier alarm, and an alarm that finds nothing due costs
	 * less than a storage write on every request.
	 */
	private async syncAlarm(): Promise<void> {
		let at: number | null = null;
		for (const h of this.holds.values()) if (at === null || h.expiresAt < at) at = h.expiresAt;
		if (at === null) return;
		if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
		if (this.alarmAt !== null && this.alarmAt <= at) return;
		this.alarmAt = at;
		await this.ctx.storage.setAlarm(at);
	}

	/** Through the notification queue (delivered, with retries, to ALERT_WEBHOOK_URL). */
	private async notify(event: BudgetEvent, now: number): Promise<void> {
		const scope = this.state.scope;
		if (!scope || scope.kind === "login") return;
		const message: Notification = {
			id: crypto.randomUUID(),
			type: event.type,
			scope: scope.kind,
			scope_id: scope.id,
			period: event.period,
			percent: event.percent,
			limit_usd: event.limitNusd / 1e9,
			spent_usd: event.spentNusd / 1e9,
			at: new Date(now).toISOString(),
		};
		logEvent(message.type, message);
		try {
			await this.env.NOTIFY_QUEUE.send(message);
		} catch (err) {
			// The limit holds either way; only its announcement is lost.
			console.error(JSON.stringify({ level: "warn", scope: `${scope.kind}:${scope.id}`, error: `budget alert not queued: ${String(err)}` }));
		}
	}
}
