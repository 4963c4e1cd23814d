import { type AttemptOutcome, BREAKER_DEFAULTS, type BreakerConfig, type BreakerState, type OpenedBy, type RecordView } from "./breaker-types";

/**
 * A circuit breaker (a channel's, or one model's on a channel) as a pure state machine: every transition is a
 * function of the record, an outcome, the config and the time, so the Durable Object only loads, applies and persists.
 */
export interface BreakerRecord {
	state: BreakerState;
	/** When the state last changed (0: never). Reports of attempts made before it are stale. */
	changedAt: number;
	/** Open: when a trial may go through. Half-open: when an unreported trial is given up and another granted. */
	retryAt: number | null;
	/** Open or half-open: whether a rate limit or failures opened it. */
	openedBy: OpenedBy | null;
	/** When the current half-open trial was granted; only outcomes from then on can be the trial's. */
	trialAt: number | null;
	consecutiveFailures: number;
	/** [bucket start, requests, failures], oldest first, bounded by the window. */
	buckets: [number, number, number][];
	/** Openings since the breaker last closed: the cooldown doubles with each. */
	openings: number;
	lastError: string | null;
	lastErrorAt: number | null;
	disabledReason: string | null;
	/**
	 * "probes": the active health checks (the cron) disabled it, and their first success enables it again. Absent
	 * when the upstream refused the channel's credentials or account, which waits for an operator.
	 */
	disabledBy?: "probes";
	nextProbeAt: number | null;
	updatedAt: number;
}

/** A trial whose outcome never arrives (the relay's isolate died) must not keep the channel out for good. */
export const TRIAL_TIMEOUT_MS = 30_000;

// At most ~60 buckets whatever the window, so the stored record stays small.
const bucketMs = (cfg: BreakerConfig) => Math.max(1_000, Math.ceil(cfg.windowMs / 60));

export function initial(now: number): BreakerRecord {
	return {
		state: "closed",
		// 0 rather than now: the first report for a new breaker carries attempts made before it existed.
		changedAt: 0,
		retryAt: null,
		openedBy: null,
		trialAt: null,
		consecutiveFailures: 0,
		buckets: [],
		openings: 0,
		lastError: null,
		lastErrorAt: null,
		disabledReason: null,
		nextProbeAt: null,
		updatedAt: now,
	};
}

/** Defaults for what is missing; a value that is not a finite number ≥ 0 counts as missing. */
export function resolveConfig(partial: Partial<BreakerConfig> = {}): BreakerConfig {
	const out = { ...BREAKER_DEFAULTS };
	for (const key of Object.keys(out) as (keyof BreakerConfig)[]) {
		const v = partial[key];
		if (typeof v === "number" && Number.isFinite(v) && v >= 0) out[key] = v;
	}
	return out;
}

/** Applies one attempt's outcome. */
export function next(rec: BreakerRecord, outcome: AttemptOutcome, cfg: BreakerConfig, now: number): BreakerRecord {
	const r = noteError({ ...rec, updatedAt: now }, outcome);
	if (r.state === "disabled") return r;
	const stale = outcome.at < (r.state === "half_open" ? (r.trialAt ?? r.changedAt) : r.changedAt);
	if (outcome.kind === "fatal") return stale ? r : { ...r, ...settled("disabled", now), disabledReason: outcome.message };
	// An open breaker has no trial, so nothing reported to it is the trial's; a later 429 may only lengthen it.
	if (r.state === "open") return outcome.kind === "rate_limited" ? extend(r, outcome, cfg, now) : r;
	if (stale) return r;
	if (outcome.kind === "rate_limited") return open(r, outcome.at + (outcome.retryAfterMs ?? cfg.rateLimitCooldownMs), "rate_limit", cfg, now);
	if (r.state === "half_open") {
		return outcome.kind === "success" ? close(r, now) : reopen({ ...r, consecutiveFailures: r.consecutiveFailures + 1 }, outcome.at, cfg, now);
	}
	return outcome.kind === "success" ? { ...count(r, outcome.at, false, cfg, now), consecutiveFailures: 0 } : failInClosed(r, outcome.at, cfg, now);
}

/** The relay's (or a probe's) request for the one trial after a cooldown. */
export function grantTrial(rec: BreakerRecord, cfg: BreakerConfig, now: number): { rec: BreakerRecord; granted: boolean } {
	if (rec.state === "closed") return { rec, granted: true };
	if (rec.state === "disabled" || rec.retryAt === null || now < rec.retryAt) return { rec, granted: false };
	const retryAt = now + TRIAL_TIMEOUT_MS;
	const nextProbeAt = cfg.probeIntervalMs > 0 ? retryAt : null;
	return { rec: { ...rec, state: "half_open", changedAt: now, trialAt: now, retryAt, nextProbeAt, updatedAt: now }, granted: true };
}

/**
 * A trial that came to no verdict on this record: the host failed before the model could answer. The record goes
 * back to open with its trial due at once, rather than holding the trial until it times out.
 */
export function release(rec: BreakerRecord, at: number, cfg: BreakerConfig, now: number): BreakerRecord {
	if (rec.state !== "half_open" || rec.trialAt === null || at < rec.trialAt) return rec;
	return { ...rec, state: "open", changedAt: now, trialAt: null, retryAt: at, nextProbeAt: probeAt(at, cfg, now), updatedAt: now };
}

/** An operator's reset: closed, counters and cooldown back to the start; the last error stays for the record. */
export function reset(rec: BreakerRecord, now: number): BreakerRecord {
	return close({ ...rec, disabledReason: null, disabledBy: undefined }, now);
}

/** A run of failed health probes: disabled until a probe succeeds; a channel already disabled keeps its reason. */
export function disableByProbes(rec: BreakerRecord, reason: string, now: number): BreakerRecord {
	if (rec.state === "disabled") return rec;
	return { ...rec, ...settled("disabled", now), disabledReason: reason, disabledBy: "probes", updatedAt: now };
}

/** A successful health probe ends only the probes' own disabling: the upstream's refusal waits for an operator. */
export function enableByProbes(rec: BreakerRecord, now: number): BreakerRecord {
	return rec.state === "disabled" && rec.disabledBy === "probes" ? reset(rec, now) : rec;
}

/** After a config change: probes turned off stop, probes turned on start for a breaker already open. */
export function reconfigure(rec: BreakerRecord, cfg: BreakerConfig, now: number): BreakerRecord {
	if (cfg.probeIntervalMs === 0) return rec.nextProbeAt === null ? rec : { ...rec, nextProbeAt: null };
	if (rec.nextProbeAt !== null || rec.retryAt === null) return rec;
	if (rec.state === "open") return { ...rec, nextProbeAt: probeAt(rec.retryAt, cfg, now) };
	return rec.state === "half_open" ? { ...rec, nextProbeAt: rec.retryAt } : rec;
}

export function toView(rec: BreakerRecord, cfg: BreakerConfig, now: number): RecordView {
	const { requests, failures } = windowCounts(rec, cfg, now);
	return {
		state: rec.state,
		retryAt: rec.retryAt,
		openedBy: rec.openedBy,
		consecutiveFailures: rec.consecutiveFailures,
		window: { requests, failures, errorRate: requests === 0 ? 0 : failures / requests, lengthMs: cfg.windowMs },
		openings: rec.openings,
		lastError: rec.lastError,
		lastErrorAt: rec.lastErrorAt,
		disabledReason: rec.disabledReason,
		nextProbeAt: rec.nextProbeAt,
		updatedAt: rec.updatedAt,
	};
}

function noteError(rec: BreakerRecord, outcome: AttemptOutcome): BreakerRecord {
	if (outcome.kind === "success" || (rec.lastErrorAt !== null && outcome.at < rec.lastErrorAt)) return rec;
	return { ...rec, lastError: outcome.message, lastErrorAt: outcome.at };
}

/** Fields every change of state resets. */
function settled(state: BreakerState, now: number) {
	return { state, changedAt: now, retryAt: null, openedBy: null, trialAt: null, nextProbeAt: null };
}

function close(rec: BreakerRecord, now: number): BreakerRecord {
	return { ...rec, ...settled("closed", now), consecutiveFailures: 0, buckets: [], openings: 0, updatedAt: now };
}

/** Opens until `retryAt` without growing the cooldown (a 429 says "slow down", not "broken"). */
function open(rec: BreakerRecord, retryAt: number, openedBy: OpenedBy, cfg: BreakerConfig, now: number): BreakerRecord {
	return { ...rec, ...settled("open", now), retryAt, openedBy, nextProbeAt: probeAt(retryAt, cfg, now) };
}

/** Opens for the next cooldown: the base first, doubled on each reopening, capped. */
function reopen(rec: BreakerRecord, at: number, cfg: BreakerConfig, now: number): BreakerRecord {
	const openings = rec.openings + 1;
	const cooldown = Math.min(cfg.cooldownMs * 2 ** (openings - 1), cfg.maxCooldownMs);
	return { ...open(rec, at + cooldown, "failures", cfg, now), openings };
}

function extend(rec: BreakerRecord, outcome: Extract<AttemptOutcome, { kind: "rate_limited" }>, cfg: BreakerConfig, now: number): BreakerRecord {
	const until = outcome.at + (outcome.retryAfterMs ?? cfg.rateLimitCooldownMs);
	if (rec.retryAt !== null && until <= rec.retryAt) return rec;
	// The upstream's last word is now "slow down", and it is what keeps the record open.
	return { ...rec, retryAt: until, openedBy: "rate_limit", nextProbeAt: rec.nextProbeAt === null ? null : probeAt(until, cfg, now) };
}

/** Probes wait for the cooldown, and come no more often than the interval: each one costs a real request. */
function probeAt(retryAt: number, cfg: BreakerConfig, now: number): number | null {
	return cfg.probeIntervalMs > 0 ? Math.max(retryAt, now + cfg.probeIntervalMs) : null;
}

function failInClosed(rec: BreakerRecord, at: number, cfg: BreakerConfig, now: number): BreakerRecord {
	const r = { ...count(rec, at, true, cfg, now), consecutiveFailures: rec.consecutiveFailures + 1 };
	const { requests, failures } = windowCounts(r, cfg, now);
	const tripped = r.consecutiveFailures >= cfg.consecutiveFailures || (requests >= cfg.minRequests && failures / requests > cfg.errorRate);
	return tripped ? reopen(r, at, cfg, now) : r;
}

/** Adds an attempt to its window bucket and drops buckets that have left the window. */
function count(rec: BreakerRecord, at: number, failed: boolean, cfg: BreakerConfig, now: number): BreakerRecord {
	const size = bucketMs(cfg);
	// A clock ahead of ours must not park attempts in the future, where the window would never drop them.
	const t = Math.min(at, now);
	const start = t - (t % size);
	const buckets = rec.buckets.filter(([s]) => s + size > now - cfg.windowMs).map((b): [number, number, number] => [...b]);
	if (start + size > now - cfg.windowMs) {
		const hit = buckets.find(([s]) => s === start);
		if (hit) {
			hit[1] += 1;
			hit[2] += failed ? 1 : 0;
		} else {
			buckets.push([start, 1, failed ? 1 : 0]);
			buckets.sort((a, b) => a[0] - b[0]);
		}
	}
	return { ...rec, buckets };
}

function windowCounts(rec: BreakerRecord, cfg: BreakerConfig, now: number): { requests: number; failures: number } {
	const size = bucketMs(cfg);
	let requests = 0;
	let failures = 0;
	for (const [s, n, f] of rec.buckets) {
		if (s + size <= now - cfg.windowMs) continue;
		requests += n;
		failures += f;
	}
	return { requests, failures };
}
