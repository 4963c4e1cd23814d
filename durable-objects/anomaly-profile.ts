import type { AnomalyKind, Observations } from "./anomaly-types";

/** The dimensions whose values a profile remembers having seen. */
export type Dimension = "family" | "country" | "network";

/** A key's rolling profile: totals, the current minute, and the usual requests per active minute. */
export interface Profile {
	/** The first observation's time; null until one came. */
	firstAt: number | null;
	requests: number;
	failures: number;
	/** Mean request body size, bytes (profiled for the dashboard and later rules; no event of its own). */
	meanBytes: number;
	/** The current minute (epoch minutes) and what it holds so far. */
	minute: number;
	minuteRequests: number;
	minuteFailures: number;
	/** Requests per active minute, an exponentially weighted mean over the minutes closed so far. */
	rateMean: number;
	activeMinutes: number;
	/** When each kind of anomaly was last reported: the same kind is reported at most once per DEDUPE_MS. */
	reported: Partial<Record<AnomalyKind, number>>;
}

export interface Finding {
	kind: AnomalyKind;
	/** For people (the audit entry, the webhook, the locked key's refusal): what was seen, no internals. */
	reason: string;
	detail: Record<string, unknown>;
}

export const DEDUPE_MS = 3_600_000;
/** Minutes closed before a rate is judged: a mean of fewer is no baseline. */
const BASELINE_MINUTES = 3;
/** Fewer requests in a minute than this is never a spike, whatever the mean. */
const SPIKE_FLOOR = 30;
/** A burst's failure rate is at least this, and at least FAILURE_FACTOR times the profile's. */
const BURST_RATE_FLOOR = 0.25;
const FAILURE_FACTOR = 4;
const RATE_WEIGHT = 0.1;

export const emptyProfile = (): Profile => ({
	firstAt: null,
	requests: 0,
	failures: 0,
	meanBytes: 0,
	minute: 0,
	minuteRequests: 0,
	minuteFailures: 0,
	rateMean: 0,
	activeMinutes: 0,
	reported: {},
});

const NEW_VALUE: Record<Dimension, { kind: AnomalyKind; what: string; show: (v: string) => string }> = {
	family: { kind: "new_model_family", what: "with a new model family", show: (v) => v },
	country: { kind: "new_country", what: "from a new country", show: (v) => v },
	network: { kind: "new_network", what: "from a new network", show: (v) => `AS${v}` },
};

const TALLIES: Record<Dimension, keyof Pick<Observations, "families" | "countries" | "networks">> = {
	family: "families",
	country: "countries",
	network: "networks",
};

/** The minute's counts closed into the mean when `minute` has moved past it. */
function rolled(p: Profile, minute: number): Profile {
	if (minute <= p.minute) return p;
	if (p.minuteRequests === 0) return { ...p, minute, minuteRequests: 0, minuteFailures: 0 };
	const rateMean = p.activeMinutes === 0 ? p.minuteRequests : p.rateMean + RATE_WEIGHT * (p.minuteRequests - p.rateMean);
	return { ...p, minute, minuteRequests: 0, minuteFailures: 0, rateMean, activeMinutes: p.activeMinutes + 1 };
}

/**
 * The profile with `obs` added, and the anomalies they show: values never seen before, a burst of failures, a
 * spike in rate. Nothing is judged while the profile is learning (fewer than the key's learning requests, or less
 * than its learning hours since the first), and a kind reported within DEDUPE_MS is not reported again.
 * `isNew` says whether a value was never seen (before this batch).
 */
export function assess(before: Profile, obs: Observations, isNew: (d: Dimension, value: string) => boolean): { profile: Profile; findings: Finding[] } {
	const s = obs.settings;
	const firstAt = before.firstAt ?? obs.at;
	// An empty profile has nothing to compare with, whatever the settings.
	const learning = before.requests === 0 || before.requests < s.learningRequests || obs.at - firstAt < s.learningHours * 3_600_000;
	const current = rolled({ ...before, firstAt }, Math.floor(obs.at / 60_000));
	const total = current.requests + obs.requests;
	const profile: Profile = {
		...current,
		requests: total,
		failures: current.failures + obs.failures,
		meanBytes: total === 0 ? 0 : (current.meanBytes * current.requests + obs.bytes) / total,
		minuteRequests: current.minuteRequests + obs.requests,
		minuteFailures: current.minuteFailures + obs.failures,
	};
	if (learning) return { profile, findings: [] };
	const findings: Finding[] = [];
	for (const dim of ["family", "country", "network"] as const) {
		const fresh = Object.keys(obs[TALLIES[dim]]).filter((v) => isNew(dim, v));
		if (fresh.length === 0) continue;
		const { kind, what, show } = NEW_VALUE[dim];
		findings.push({ kind, reason: `used ${what} (${fresh.map(show).join(", ")})`, detail: { [dim]: fresh } });
	}
	const usualFailureRate = current.requests === 0 ? 0 : current.failures / current.requests;
	const minuteFailureRate = profile.minuteFailures / Math.max(1, profile.minuteRequests);
	if (profile.minuteFailures >= s.failureBurst && minuteFailureRate >= Math.max(BURST_RATE_FLOOR, FAILURE_FACTOR * usualFailureRate)) {
		findings.push({
			kind: "failure_burst",
			reason: `a burst of failures (${profile.minuteFailures} of ${profile.minuteRequests} requests in a minute)`,
			detail: { failures: profile.minuteFailures, requests: profile.minuteRequests, usual_failure_rate: round(usualFailureRate) },
		});
	}
	if (current.activeMinutes >= BASELINE_MINUTES && profile.minuteRequests >= SPIKE_FLOOR && profile.minuteRequests >= s.rateFactor * current.rateMean) {
		findings.push({
			kind: "rate_spike",
			reason: `a request rate far above its usual (${profile.minuteRequests} a minute, usually ${round(current.rateMean)})`,
			detail: { per_minute: profile.minuteRequests, usual_per_minute: round(current.rateMean) },
		});
	}
	const due = findings.filter((f) => obs.at - (profile.reported[f.kind] ?? Number.NEGATIVE_INFINITY) >= DEDUPE_MS);
	const reported = { ...profile.reported };
	for (const f of due) reported[f.kind] = obs.at;
	return { profile: { ...profile, reported }, findings: due };
}

const round = (n: number) => Math.round(n * 100) / 100;
