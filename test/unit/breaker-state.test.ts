import { describe, expect, it } from "vitest";
import {
	type BreakerRecord,
	disableByProbes,
	enableByProbes,
	grantTrial,
	initial,
	next,
	reconfigure,
	release,
	reset,
	resolveConfig,
	TRIAL_TIMEOUT_MS,
	toView,
} from "../../durable-objects/breaker-state";
import type { AttemptOutcome, BreakerConfig } from "../../durable-objects/breaker-types";

const T = 1_700_000_000_000;
const cfg = resolveConfig({
	consecutiveFailures: 3,
	errorRate: 0.5,
	windowMs: 60_000,
	minRequests: 10,
	cooldownMs: 1_000,
	maxCooldownMs: 5_000,
	probeIntervalMs: 0,
});

const ok = (at: number): AttemptOutcome => ({ kind: "success", at });
const fail = (at: number, message = "502: bad gateway"): AttemptOutcome => ({ kind: "failure", at, message });
const limited = (at: number, retryAfterMs?: number): AttemptOutcome => ({ kind: "rate_limited", at, retryAfterMs, message: "429" });
const fatal = (at: number): AttemptOutcome => ({ kind: "fatal", at, message: "401: invalid api key" });
const unreachable = (at: number): AttemptOutcome => ({ kind: "unreachable", at, message: "connection refused" });

/** Applies outcomes, each at its own `at` as the time of the report. */
function run(outcomes: AttemptOutcome[], rec = initial(T), c: BreakerConfig = cfg): BreakerRecord {
	return outcomes.reduce((r, o) => next(r, o, c, o.at), rec);
}

/** Open, then half-open with the trial granted at `at`. */
function halfOpen(at: number, c: BreakerConfig = cfg): BreakerRecord {
	const opened = run([fail(T), fail(T + 1), fail(T + 2)], initial(T), c);
	const { rec, granted } = grantTrial(opened, c, at);
	expect(granted).toBe(true);
	return rec;
}

describe("breaker state: closed", () => {
	it("opens on the Nth failure in a row, for the base cooldown", () => {
		const two = run([fail(T), fail(T + 1)]);
		expect(two.state).toBe("closed");
		const three = next(two, fail(T + 2), cfg, T + 2);
		expect(three).toMatchObject({
			state: "open",
			retryAt: T + 2 + 1_000,
			openings: 1,
			consecutiveFailures: 3,
			lastError: "502: bad gateway",
			lastErrorAt: T + 2,
		});
	});

	it("starts counting again after a success", () => {
		const rec = run([fail(T), fail(T + 1), ok(T + 2), fail(T + 3), fail(T + 4)]);
		expect(rec).toMatchObject({ state: "closed", consecutiveFailures: 2 });
	});

	it("opens on the error rate once the window holds minRequests, not before", () => {
		const c = { ...cfg, consecutiveFailures: 100 };
		// Nine attempts, six failed: a rate above one half, but too few to judge.
		const nine = run([fail(T), fail(T + 1), ok(T + 2), fail(T + 3), fail(T + 4), ok(T + 5), fail(T + 6), fail(T + 7), ok(T + 8)], initial(T), c);
		expect(nine.state).toBe("closed");
		expect(toView(nine, c, T + 8).window).toEqual({ requests: 9, failures: 6, errorRate: 6 / 9, lengthMs: c.windowMs });
		expect(next(nine, fail(T + 9), c, T + 9).state).toBe("open");
	});

	it("does not open at exactly the error rate", () => {
		const c = { ...cfg, consecutiveFailures: 100 };
		const outcomes = Array.from({ length: 10 }, (_, i) => (i % 2 ? ok(T + i) : fail(T + i)));
		expect(run(outcomes, initial(T), c).state).toBe("closed");
	});

	it("forgets attempts that have left the window", () => {
		const c = { ...cfg, consecutiveFailures: 100, minRequests: 4 };
		const old = run([fail(T), fail(T + 1), fail(T + 2)], initial(T), c);
		const later = T + 61_000;
		const rec = next(next(old, ok(later), c, later), fail(later + 1), c, later + 1);
		expect(rec.state).toBe("closed");
		expect(toView(rec, c, later + 1).window).toEqual({ requests: 2, failures: 1, errorRate: 0.5, lengthMs: c.windowMs });
	});

	it("keeps the window bounded whatever the traffic", () => {
		const outcomes = Array.from({ length: 5_000 }, (_, i) => ok(T + i * 100));
		expect(run(outcomes).buckets.length).toBeLessThanOrEqual(62);
	});
});

describe("breaker state: trials", () => {
	const opened = run([fail(T), fail(T + 1), fail(T + 2)]);

	it("refuses a trial before the cooldown is over", () => {
		expect(grantTrial(opened, cfg, T + 500)).toEqual({ rec: opened, granted: false });
	});

	it("grants exactly one trial after it, and another only once that one is given up", () => {
		const first = grantTrial(opened, cfg, T + 2_000);
		expect(first.granted).toBe(true);
		expect(first.rec).toMatchObject({ state: "half_open", trialAt: T + 2_000, retryAt: T + 2_000 + TRIAL_TIMEOUT_MS });
		expect(grantTrial(first.rec, cfg, T + 2_001).granted).toBe(false);
		expect(grantTrial(first.rec, cfg, T + 2_000 + TRIAL_TIMEOUT_MS).granted).toBe(true);
	});

	it("grants every request while closed and none while disabled", () => {
		expect(grantTrial(initial(T), cfg, T).granted).toBe(true);
		expect(grantTrial(run([fatal(T)]), cfg, T + 1_000_000).granted).toBe(false);
	});

	it("closes on the trial's success, with counters and cooldown back to the start", () => {
		const rec = next(halfOpen(T + 5_000), ok(T + 5_100), cfg, T + 5_100);
		expect(rec).toMatchObject({ state: "closed", retryAt: null, consecutiveFailures: 0, openings: 0, buckets: [] });
	});

	it("reopens on the trial's failure with the cooldown doubled, up to the cap", () => {
		let rec = halfOpen(T + 5_000);
		const cooldowns: number[] = [];
		for (let i = 0; i < 4; i++) {
			const at = T + 10_000 * (i + 1);
			rec = next(rec, fail(at), cfg, at);
			expect(rec.state).toBe("open");
			cooldowns.push((rec.retryAt ?? 0) - at);
			rec = grantTrial(rec, cfg, at + 9_000).rec;
		}
		expect(cooldowns).toEqual([2_000, 4_000, 5_000, 5_000]);
		expect(rec.openings).toBe(5);
	});

	it("ignores a late success reported to an open breaker, and one from before the trial", () => {
		expect(next(opened, ok(T + 3), cfg, T + 500)).toMatchObject({ state: "open", retryAt: opened.retryAt });
		expect(next(halfOpen(T + 5_000), ok(T + 4_000), cfg, T + 5_100).state).toBe("half_open");
	});

	it("ignores failures from before the breaker closed", () => {
		const closed = next(halfOpen(T + 5_000), ok(T + 5_100), cfg, T + 5_100);
		expect(run([fail(T + 4_000), fail(T + 4_001), fail(T + 4_002)], closed).state).toBe("closed");
	});
});

describe("breaker state: rate limits", () => {
	it("opens for the upstream's Retry-After, without growing the cooldown", () => {
		expect(run([limited(T, 20_000)])).toMatchObject({ state: "open", retryAt: T + 20_000, openings: 0, lastError: "429" });
	});

	it("opens for the rate-limit cooldown when the upstream gives none", () => {
		expect(run([limited(T)])).toMatchObject({ state: "open", retryAt: T + cfg.rateLimitCooldownMs, openings: 0 });
	});

	it("lengthens an open breaker, never shortens it", () => {
		const opened = run([fail(T), fail(T + 1), fail(T + 2)]);
		expect(next(opened, limited(T + 3, 100), cfg, T + 3).retryAt).toBe(opened.retryAt);
		expect(next(opened, limited(T + 3, 60_000), cfg, T + 3).retryAt).toBe(T + 60_003);
	});

	it("sends a rate-limited trial back to open at the same cooldown", () => {
		const rec = next(halfOpen(T + 5_000), limited(T + 5_100, 1_000), cfg, T + 5_100);
		expect(rec).toMatchObject({ state: "open", retryAt: T + 6_100, openings: 1, openedBy: "rate_limit" });
	});

	it("say what opened the breaker, which the relay turns into 429 or 503", () => {
		expect(run([limited(T, 20_000)]).openedBy).toBe("rate_limit");
		const failing = run([fail(T), fail(T + 1), fail(T + 2)]);
		expect(failing.openedBy).toBe("failures");
		expect(grantTrial(failing, cfg, T + 5_000).rec).toMatchObject({ state: "half_open", openedBy: "failures" });
		// A 429 that keeps an open breaker shut longer is now what holds it.
		expect(next(failing, limited(T + 3, 60_000), cfg, T + 3).openedBy).toBe("rate_limit");
		expect(next(halfOpen(T + 5_000), ok(T + 5_100), cfg, T + 5_100).openedBy).toBeNull();
	});
});

describe("breaker state: host failures", () => {
	it("count as failures of the record they are reported to", () => {
		expect(run([unreachable(T), unreachable(T + 1), unreachable(T + 2)])).toMatchObject({
			state: "open",
			openedBy: "failures",
			lastError: "connection refused",
		});
	});

	it("release a trial that came to no verdict: open again, due at once, the cooldown not grown", () => {
		const half = halfOpen(T + 5_000);
		const released = release(half, T + 5_100, cfg, T + 5_100);
		expect(released).toMatchObject({ state: "open", retryAt: T + 5_100, trialAt: null, openings: 1 });
		expect(grantTrial(released, cfg, T + 5_100).granted).toBe(true);
	});

	it("leave alone a record that gave no trial, or one granted after them", () => {
		const opened = run([fail(T), fail(T + 1), fail(T + 2)]);
		expect(release(opened, T + 5_000, cfg, T + 5_000)).toBe(opened);
		const half = halfOpen(T + 5_000);
		expect(release(half, T + 4_000, cfg, T + 5_100)).toBe(half);
		expect(release(initial(T), T, cfg, T).state).toBe("closed");
	});
});

describe("breaker state: fatal errors", () => {
	it("disable the breaker from any state, until reset", () => {
		const fromClosed = run([fatal(T)]);
		const fromOpen = run([fail(T), fail(T + 1), fail(T + 2), fatal(T + 3)]);
		const fromHalfOpen = next(halfOpen(T + 5_000), fatal(T + 5_100), cfg, T + 5_100);
		for (const rec of [fromClosed, fromOpen, fromHalfOpen]) {
			expect(rec).toMatchObject({ state: "disabled", disabledReason: "401: invalid api key", retryAt: null, nextProbeAt: null });
			expect(run([ok(T + 10_000), ok(T + 10_001)], rec).state).toBe("disabled");
		}
		expect(reset(fromOpen, T + 20_000)).toMatchObject({ state: "closed", disabledReason: null, openings: 0, consecutiveFailures: 0 });
	});

	it("made before an operator's reset do not disable it again", () => {
		const again = reset(run([fatal(T)]), T + 1_000);
		expect(next(again, fatal(T + 500), cfg, T + 1_100).state).toBe("closed");
		expect(next(again, fatal(T + 1_050), cfg, T + 1_100).state).toBe("disabled");
	});
});

describe("breaker state: probes", () => {
	const probing = { ...cfg, probeIntervalMs: 3_000 };

	it("are due at the cooldown's end, and no sooner than the interval", () => {
		expect(run([fail(T), fail(T + 1), fail(T + 2)], initial(T), probing).nextProbeAt).toBe(T + 2 + 3_000);
		expect(run([limited(T, 10_000)], initial(T), probing).nextProbeAt).toBe(T + 10_000);
	});

	it("stand in for an unreported trial, and stop when the breaker closes or is disabled", () => {
		const half = halfOpen(T + 5_000, probing);
		expect(half.nextProbeAt).toBe(T + 5_000 + TRIAL_TIMEOUT_MS);
		expect(next(half, ok(T + 5_100), probing, T + 5_100).nextProbeAt).toBeNull();
		expect(next(half, fatal(T + 5_100), probing, T + 5_100).nextProbeAt).toBeNull();
	});

	it("are never scheduled with an interval of 0, and stop or start when the config changes", () => {
		const opened = run([fail(T), fail(T + 1), fail(T + 2)]);
		expect(opened.nextProbeAt).toBeNull();
		expect(reconfigure(opened, probing, T + 10).nextProbeAt).toBe(T + 3_010);
		expect(reconfigure(reconfigure(opened, probing, T + 10), cfg, T + 20).nextProbeAt).toBeNull();
	});
});

describe("breaker config", () => {
	it("falls back to the defaults for missing or nonsensical values", () => {
		const c = resolveConfig({ cooldownMs: -1, windowMs: Number.NaN, minRequests: 3, errorRate: undefined });
		expect(c).toMatchObject({ cooldownMs: 15_000, windowMs: 60_000, minRequests: 3, errorRate: 0.5 });
	});
});

describe("breaker state: the active health checks", () => {
	it("disable it until a probe succeeds, and undo only their own disabling", () => {
		const byProbes = disableByProbes(run([fail(T)]), "3 health probes failed in a row", T + 1_000);
		expect(byProbes).toMatchObject({ state: "disabled", disabledBy: "probes", disabledReason: "3 health probes failed in a row" });
		expect(run([ok(T + 2_000)], byProbes).state).toBe("disabled");
		expect(enableByProbes(byProbes, T + 3_000)).toMatchObject({ state: "closed", disabledReason: null, disabledBy: undefined, consecutiveFailures: 0 });

		// The upstream refused the key: a probe's success does not undo it, nor do the probes take it over.
		const byUpstream = run([fatal(T)]);
		expect(disableByProbes(byUpstream, "probes", T + 1_000)).toBe(byUpstream);
		expect(enableByProbes(byUpstream, T + 2_000)).toBe(byUpstream);
		// A closed breaker has nothing to enable.
		const closed = initial(T);
		expect(enableByProbes(closed, T + 1_000)).toBe(closed);
		// An operator's reset clears the mark, so a later refusal by the upstream is not the probes' to undo.
		const later = run([fatal(T + 5_000)], reset(byProbes, T + 4_000));
		expect(enableByProbes(later, T + 6_000)).toBe(later);
	});
});
