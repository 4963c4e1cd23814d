import { describe, expect, it } from "vitest";
import type { BreakerState, BreakerView } from "../../durable-objects/breaker-types";
import { observe, refreshIfStale, usability } from "../../src/relay/breakers";

const view = (state: BreakerState): BreakerView => ({
	state,
	retryAt: null,
	openedBy: null,
	consecutiveFailures: 0,
	window: { requests: 0, failures: 0, errorRate: 0, lengthMs: 60_000 },
	openings: 0,
	lastError: null,
	lastErrorAt: null,
	disabledReason: state === "disabled" ? "probes: 3 failed in a row" : null,
	nextProbeAt: null,
	updatedAt: 0,
	models: [],
});

/** An env whose breaker object answers `answer`, counting the reads. */
function breakerEnv(answer: BreakerView) {
	const reads = { n: 0 };
	const env = {
		CHANNEL_BREAKER: {
			getByName: () => ({
				view: async () => {
					reads.n++;
					return answer;
				},
			}),
		},
	} as unknown as Env;
	return { env, reads };
}

describe("an isolate's view of a channel it skips", () => {
	it("is read again from the breaker once stale, so a channel enabled elsewhere comes back", async () => {
		const id = 900_001;
		observe(id, view("disabled"), 0);
		expect(usability(id, "m", 1_000)).toBe("no");
		const { env, reads } = breakerEnv(view("closed"));
		const pending: Promise<unknown>[] = [];
		// Fresh: no read, however many requests skip it.
		refreshIfStale(env, id, (p) => pending.push(p), 10_000);
		expect(reads.n).toBe(0);
		// Stale: one read, after which the next request may use the channel.
		refreshIfStale(env, id, (p) => pending.push(p), 31_000);
		refreshIfStale(env, id, (p) => pending.push(p), 31_500);
		await Promise.all(pending);
		expect(reads.n).toBe(1);
		expect(usability(id, "m", 32_000)).toBe("yes");
	});

	it("keeps the channel skipped when the breaker still says so, and reads it again only after another while", async () => {
		const id = 900_002;
		observe(id, view("disabled"), 0);
		const { env, reads } = breakerEnv(view("disabled"));
		const pending: Promise<unknown>[] = [];
		refreshIfStale(env, id, (p) => pending.push(p), 40_000);
		await Promise.all(pending);
		expect(usability(id, "m", 41_000)).toBe("no");
		refreshIfStale(env, id, (p) => pending.push(p), 50_000);
		expect(reads.n).toBe(1);
	});
});
