import { describe, expect, it } from "vitest";
import { assess, DEDUPE_MS, type Dimension, emptyProfile, type Profile } from "../../durable-objects/anomaly-profile";
import { type AnomalySettings, anomalySettings, modelFamily, type Observations } from "../../durable-objects/anomaly-types";
import { BURST_GAP_MS, countFailures } from "../../durable-objects/auth-failures";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 10, 1);

const settings: AnomalySettings = { policy: "alert", learningRequests: 50, learningHours: 2, rateFactor: 10, failureBurst: 10 };

function batch(at: number, over: Partial<Observations> = {}): Observations {
	return {
		keyId: 1,
		userId: 1,
		settings,
		at,
		requests: 5,
		failures: 0,
		bytes: 5_000,
		families: { gpt: 5 },
		countries: { FR: 5 },
		networks: { "64500": 5 },
		...over,
	};
}

/** Feeds batches in order, remembering seen values as the governor does; returns the profile and every finding's kind. */
function run(batches: Observations[], start: Profile = emptyProfile()) {
	const seen = new Set<string>();
	let profile = start;
	const kinds: string[][] = [];
	for (const obs of batches) {
		const r = assess(profile, obs, (d: Dimension, v: string) => !seen.has(`${d}:${v}`));
		profile = r.profile;
		kinds.push(r.findings.map((f) => f.kind));
		for (const [d, t] of [
			["family", obs.families],
			["country", obs.countries],
			["network", obs.networks],
		] as const)
			for (const v of Object.keys(t)) seen.add(`${d}:${v}`);
	}
	return { profile, kinds };
}

/** Three hours of a steady 5 requests a minute, one failure in twenty-five. */
const steady = Array.from({ length: 180 }, (_, m) => batch(T0 + m * MINUTE, { failures: m % 5 === 0 ? 1 : 0 }));

describe("anomaly profile", () => {
	it("a steady mixed workload raises nothing, and learns its rate, sizes and failure rate", () => {
		const { profile, kinds } = run(steady);
		expect(kinds.flat()).toEqual([]);
		expect(profile).toMatchObject({ requests: 900, failures: 36, meanBytes: 1_000, rateMean: 5, reported: {} });
	});

	it("judges nothing during the learning period, in requests or in hours", () => {
		const stranger = (at: number) => batch(at, { countries: { DE: 1 }, requests: 1 });
		// 100 requests, but within the first two hours: still learning.
		expect(run([...steady.slice(0, 20), stranger(T0 + 30 * MINUTE)]).kinds.flat()).toEqual([]);
		// Hours enough, but too few requests.
		const sparse = [batch(T0, { requests: 1 }), batch(T0 + 3 * HOUR, { requests: 1 })];
		expect(run([...sparse, stranger(T0 + 4 * HOUR)]).kinds.flat()).toEqual([]);
		// Both: judged.
		expect(run([...steady, stranger(T0 + 4 * HOUR)]).kinds.at(-1)).toEqual(["new_country"]);
	});

	it("reports a new model family, country and network, each kind once per window", () => {
		const at = T0 + 3 * HOUR + MINUTE;
		const odd = batch(at, { families: { claude: 1 }, countries: { DE: 1 }, networks: { "64501": 1 }, requests: 1 });
		const { kinds } = run([
			...steady,
			odd,
			batch(at + MINUTE, { countries: { BR: 1 }, requests: 1 }),
			batch(at + DEDUPE_MS, { countries: { JP: 1 }, requests: 1 }),
		]);
		expect(kinds.slice(-3)).toEqual([["new_model_family", "new_country", "new_network"], [], ["new_country"]]);
	});

	it("reports a burst of failures, not a few failures nor a busy minute that fails as usual", () => {
		const at = T0 + 3 * HOUR + MINUTE;
		expect(run([...steady, batch(at, { failures: 9, requests: 12 })]).kinds.at(-1)).toEqual([]);
		expect(run([...steady, batch(at, { failures: 12, requests: 15 })]).kinds.at(-1)).toEqual(["failure_burst"]);
		// A key that always fails half its requests: 12 of 24 is its usual.
		const flaky = Array.from({ length: 180 }, (_, m) => batch(T0 + m * MINUTE, { failures: 3, requests: 6 }));
		expect(run([...flaky, batch(at, { failures: 12, requests: 24 })]).kinds.at(-1)).toEqual([]);
	});

	it("reports a rate far above the profile's, and not a rate a few times it", () => {
		const at = T0 + 3 * HOUR + MINUTE;
		// Sent by several isolates within the minute: the minute's total is judged.
		const spike = Array.from({ length: 10 }, (_, i) => batch(at + i * 1_000, { requests: 6, families: {}, countries: {}, networks: {} }));
		expect(run([...steady, ...spike]).kinds.flat()).toEqual(["rate_spike"]);
		const busier = Array.from({ length: 4 }, (_, i) => batch(at + i * 1_000, { requests: 6 }));
		expect(run([...steady, ...busier]).kinds.flat()).toEqual([]);
	});

	it("reads a key's settings, defaults and policy", () => {
		expect(anomalySettings(null, "off")).toBeNull();
		expect(anomalySettings({ policy: "off" }, "lock")).toBeNull();
		expect(anomalySettings(null, "alert")).toEqual({ policy: "alert", learningRequests: 200, learningHours: 24, rateFactor: 10, failureBurst: 20 });
		expect(anomalySettings({ policy: "lock", failure_burst: 3 }, "off")).toMatchObject({ policy: "lock", failureBurst: 3, learningRequests: 200 });
		// Unreadable settings are no settings: the gateway's policy applies.
		expect(anomalySettings({ policy: "maybe" }, "alert")).toMatchObject({ policy: "alert" });
	});

	it("names a model's family", () => {
		expect(["gpt-4o-mini", "gpt-4.1", "openai/gpt-4o", "claude-3-5-sonnet", "@cf/meta/llama-3.1-8b", "o1-mini", "42"].map(modelFamily)).toEqual([
			"gpt",
			"gpt",
			"gpt",
			"claude",
			"llama",
			"o",
			"42",
		]);
	});
});

describe("failed authentications of one address", () => {
	it("refuses past the limit until the minute ends, and reports each burst once", () => {
		let w = countFailures(undefined, 19, 20, T0);
		expect(w).toMatchObject({ crossed: false, window: { count: 19, blockedUntil: 0 } });
		w = countFailures(w.window, 1, 20, T0 + 1_000);
		expect(w).toMatchObject({ crossed: true, window: { count: 20, blockedUntil: T0 + MINUTE } });
		// The burst goes on in the next minutes: refused again, not reported again.
		w = countFailures(w.window, 25, 20, T0 + MINUTE + 1_000);
		expect(w).toMatchObject({ crossed: false, window: { count: 25, blockedUntil: T0 + 2 * MINUTE + 1_000 } });
		// Quiet for longer than the burst gap: a new burst is reported.
		w = countFailures(w.window, 20, 20, T0 + MINUTE + 2_000 + BURST_GAP_MS);
		expect(w.crossed).toBe(true);
	});
});
