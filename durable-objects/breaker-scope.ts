import { type BreakerRecord, grantTrial, initial, next, reconfigure, release, reset, toView } from "./breaker-state";
import type { AttemptOutcome, BreakerConfig, BreakerState, BreakerView } from "./breaker-types";

/**
 * A channel's breakers: its own, for what concerns the host (unreachable, refused credentials), and one per model
 * that has failed on it, for what concerns that model (429, 404, 5xx). Each is the same pure state machine
 * (breaker-state.ts); this file only says which outcome goes to which, as pure functions the Durable Object applies.
 */
export interface Breakers {
	channel: BreakerRecord;
	/** Keyed by the model name the client asked for; a Map, so that no model name can reach an object's prototype. */
	models: ReadonlyMap<string, BreakerRecord>;
}

/**
 * Model records kept per channel, the least recently changed dropped first: a channel listing hundreds of models
 * cannot make its breaker's record grow without bound. Only a model the channel lists ever reaches it (selection
 * picks channels by their models), and only once it has failed there.
 */
export const MAX_MODEL_RECORDS = 32;

/** Probes per alarm: each is a real, billed request, and the alarm comes again for the rest. */
const MAX_PROBES_PER_ALARM = 3;

export function fresh(now: number): Breakers {
	return { channel: initial(now), models: new Map() };
}

/** Applies one attempt's outcome to the records it concerns. */
export function apply(b: Breakers, outcome: AttemptOutcome, cfg: BreakerConfig, now: number): Breakers {
	const { model } = outcome;
	if (model === undefined || outcome.kind === "fatal") return { ...b, channel: next(b.channel, outcome, cfg, now) };
	const pair = b.models.get(model);
	if (outcome.kind === "success") {
		return { channel: next(b.channel, outcome, cfg, now), models: pair ? withModel(b.models, model, next(pair, outcome, cfg, now)) : b.models };
	}
	if (outcome.kind === "unreachable") {
		// Says nothing of the model; a trial the model was given ended without a verdict.
		return { channel: next(b.channel, outcome, cfg, now), models: pair ? withModel(b.models, model, release(pair, outcome.at, cfg, now)) : b.models };
	}
	// The host answered, about this model: the channel itself is reachable.
	const channel = next(b.channel, { kind: "success", at: outcome.at }, cfg, now);
	return { channel, models: bounded(withModel(b.models, model, next(pair ?? initial(now), outcome, cfg, now)), model) };
}

/**
 * The one trial after a cooldown for a request to `model` on this channel: granted when the channel and the model
 * both let it through, and then held on each that was not closed.
 */
export function trial(b: Breakers, model: string | undefined, cfg: BreakerConfig, now: number): { breakers: Breakers; granted: boolean } {
	const channel = grantTrial(b.channel, cfg, now);
	if (!channel.granted) return { breakers: b, granted: false };
	const pair = model === undefined ? undefined : b.models.get(model);
	const held = pair === undefined ? undefined : grantTrial(pair, cfg, now);
	if (held && !held.granted) return { breakers: b, granted: false };
	// Unchanged when both were closed: the caller writes nothing then.
	const models = model === undefined || held === undefined || held.rec === pair ? b.models : withModel(b.models, model, held.rec);
	return { breakers: channel.rec === b.channel && models === b.models ? b : { channel: channel.rec, models }, granted: true };
}

export function resetAll(b: Breakers, now: number): Breakers {
	return { channel: reset(b.channel, now), models: mapRecords(b.models, (r) => reset(r, now)) };
}

export function reconfigureAll(b: Breakers, cfg: BreakerConfig, now: number): Breakers {
	return { channel: reconfigure(b.channel, cfg, now), models: mapRecords(b.models, (r) => reconfigure(r, cfg, now)) };
}

export function forgetModel(b: Breakers, model: string): Breakers {
	const models = new Map(b.models);
	models.delete(model);
	return { ...b, models };
}

/** Probes that have nowhere to go (the channel was deleted or disabled) are dropped; trials by the relay remain. */
export function stopProbes(b: Breakers): Breakers {
	const stop = (r: BreakerRecord) => (r.nextProbeAt === null ? r : { ...r, nextProbeAt: null });
	return { channel: stop(b.channel), models: mapRecords(b.models, stop) };
}

/**
 * When the alarm should next fire: the channel's probe while the channel is open (its models wait for the host),
 * else the soonest of its models' probes; never for a disabled channel, which waits for an operator.
 */
export function alarmAt(b: Breakers): number | null {
	if (b.channel.state === "disabled") return null;
	if (b.channel.state !== "closed") return probing(b.channel) ? b.channel.nextProbeAt : null;
	let soonest: number | null = null;
	for (const r of b.models.values()) {
		if (probing(r) && r.nextProbeAt !== null && (soonest === null || r.nextProbeAt < soonest)) soonest = r.nextProbeAt;
	}
	return soonest;
}

/**
 * What an alarm at `now` probes: the channel itself (undefined) while it is open, else the models whose probe is due,
 * soonest first. An alarm run early (as tests do) probes what was due first.
 */
export function dueProbes(b: Breakers, now: number): (string | undefined)[] {
	const at = alarmAt(b);
	if (at === null) return [];
	if (b.channel.state !== "closed") return [undefined];
	const cutoff = Math.max(now, at);
	return [...b.models]
		.filter(([, r]) => probing(r) && r.nextProbeAt !== null && r.nextProbeAt <= cutoff)
		.sort(([, a], [, z]) => (a.nextProbeAt ?? 0) - (z.nextProbeAt ?? 0))
		.slice(0, MAX_PROBES_PER_ALARM)
		.map(([model]) => model);
}

/** Whether the record a probe of `model` (or of the channel) is for still waits for one. */
export function stillDue(b: Breakers, model: string | undefined): boolean {
	const rec = model === undefined ? b.channel : b.models.get(model);
	return rec !== undefined && probing(rec) && (model === undefined || b.channel.state === "closed");
}

export function viewOf(b: Breakers, cfg: BreakerConfig, now: number): BreakerView {
	const models = [...b.models].sort(([a], [z]) => (a < z ? -1 : a > z ? 1 : 0)).map(([model, r]) => ({ model, ...toView(r, cfg, now) }));
	return { ...toView(b.channel, cfg, now), models };
}

/** Every record whose state changed, for the operator's notifications; a model met for the first time was closed. */
export function stateChanges(before: Breakers, after: Breakers): { model: string | undefined; before: BreakerState; after: BreakerState }[] {
	const changes: { model: string | undefined; before: BreakerState; after: BreakerState }[] = [];
	if (before.channel.state !== after.channel.state) changes.push({ model: undefined, before: before.channel.state, after: after.channel.state });
	for (const [model, r] of after.models) {
		const was = before.models.get(model)?.state ?? "closed";
		if (was !== r.state) changes.push({ model, before: was, after: r.state });
	}
	return changes;
}

function probing(r: BreakerRecord): boolean {
	return r.nextProbeAt !== null && (r.state === "open" || r.state === "half_open");
}

function withModel(models: ReadonlyMap<string, BreakerRecord>, model: string, rec: BreakerRecord): ReadonlyMap<string, BreakerRecord> {
	return new Map(models).set(model, rec);
}

function mapRecords(models: ReadonlyMap<string, BreakerRecord>, f: (r: BreakerRecord) => BreakerRecord): ReadonlyMap<string, BreakerRecord> {
	return new Map([...models].map(([model, r]) => [model, f(r)]));
}

/** Drops the least recently changed records beyond the cap, closed ones first; never `keep`, the one just written. */
function bounded(models: ReadonlyMap<string, BreakerRecord>, keep: string): ReadonlyMap<string, BreakerRecord> {
	if (models.size <= MAX_MODEL_RECORDS) return models;
	const rank = (r: BreakerRecord) => (r.state === "closed" ? 0 : 1);
	const victims = [...models]
		.filter(([model]) => model !== keep)
		.sort(([, a], [, z]) => rank(a) - rank(z) || a.updatedAt - z.updatedAt)
		.slice(0, models.size - MAX_MODEL_RECORDS)
		.map(([model]) => model);
	const out = new Map(models);
	for (const model of victims) out.delete(model);
	return out;
}
