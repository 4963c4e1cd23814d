import { describe, expect, it } from "vitest";
import { alarmAt, apply, type Breakers, dueProbes, fresh, MAX_MODEL_RECORDS, resetAll, stateChanges, trial, viewOf } from "../../durable-objects/breaker-scope";
import { resolveConfig } from "../../durable-objects/breaker-state";
import type { AttemptOutcome } from "../../durable-objects/breaker-types";

const T = 1_700_000_000_000;
const cfg = resolveConfig({ consecutiveFailures: 3, cooldownMs: 1_000, maxCooldownMs: 5_000, probeIntervalMs: 0 });
const probing = { ...cfg, probeIntervalMs: 2_000 };

const ok = (at: number, model = "a"): AttemptOutcome => ({ kind: "success", at, model });
const fail = (at: number, model = "a"): AttemptOutcome => ({ kind: "failure", at, message: "500: boom", model });
const limited = (at: number, model = "a"): AttemptOutcome => ({ kind: "rate_limited", at, retryAfterMs: 7_000, message: "429", model });
const unreachable = (at: number, model = "a"): AttemptOutcome => ({ kind: "unreachable", at, message: "connection reset", model });
const fatal = (at: number, model = "a"): AttemptOutcome => ({ kind: "fatal", at, message: "401: bad key", model });

function run(outcomes: AttemptOutcome[], b: Breakers = fresh(T), c = cfg): Breakers {
	return outcomes.reduce((acc, o) => apply(acc, o, c, o.at), b);
}

const modelOpen = (model = "a", c = cfg) => run([fail(T, model), fail(T + 1, model), fail(T + 2, model)], fresh(T), c);

describe("breakers per model: what counts where", () => {
	it("a model's failures open that model only; to the channel they say its host answered", () => {
		const b = modelOpen();
		expect(b.models.get("a")).toMatchObject({ state: "open", openedBy: "failures", lastError: "500: boom" });
		expect(b.channel).toMatchObject({ state: "closed", consecutiveFailures: 0, lastError: null });
		expect(b.models.has("b")).toBe(false);
	});

	it("a model's 429 opens that model for the Retry-After, as a rate limit", () => {
		const b = run([limited(T)]);
		expect(b.models.get("a")).toMatchObject({ state: "open", openedBy: "rate_limit", retryAt: T + 7_000 });
		expect(b.channel.state).toBe("closed");
	});

	it("an unreachable host opens the channel, whichever model was asked for", () => {
		const b = run([unreachable(T, "a"), unreachable(T + 1, "b"), unreachable(T + 2, "c")]);
		expect(b.channel).toMatchObject({ state: "open", openedBy: "failures", lastError: "connection reset" });
		expect(b.models.size).toBe(0);
	});

	it("refused credentials disable the channel, not the model", () => {
		const b = run([fatal(T)]);
		expect(b.channel).toMatchObject({ state: "disabled", disabledReason: "401: bad key" });
		expect(b.models.size).toBe(0);
	});

	it("a success resets the model's count, and creates no record for a model that never failed", () => {
		const b = run([fail(T), fail(T + 1), ok(T + 2), fail(T + 3), fail(T + 4), ok(T + 5, "b")]);
		expect(b.models.get("a")).toMatchObject({ state: "closed", consecutiveFailures: 2 });
		expect(b.models.has("b")).toBe(false);
	});

	it("an outcome naming no model counts against the channel, as reports from before per-model breakers did", () => {
		const b = run([
			{ kind: "failure", at: T, message: "502" },
			{ kind: "failure", at: T + 1, message: "502" },
			{ kind: "failure", at: T + 2, message: "502" },
		]);
		expect(b.channel.state).toBe("open");
	});

	it("keeps a model named like an object's prototype as any other", () => {
		const b = modelOpen("__proto__");
		expect(b.models.get("__proto__")?.state).toBe("open");
		expect(viewOf(b, cfg, T + 3).models.map((m) => m.model)).toEqual(["__proto__"]);
	});
});

describe("breakers per model: trials", () => {
	it("grant the model's one trial after its cooldown, and hold it", () => {
		const b = modelOpen();
		expect(trial(b, "a", cfg, T + 500).granted).toBe(false);
		const first = trial(b, "a", cfg, T + 2_000);
		expect(first.granted).toBe(true);
		expect(first.breakers.models.get("a")?.state).toBe("half_open");
		expect(trial(first.breakers, "a", cfg, T + 2_001).granted).toBe(false);
		// Another model on the channel is not held back by it.
		expect(trial(first.breakers, "b", cfg, T + 2_001).granted).toBe(true);
	});

	it("need the channel to let the request through too, and change nothing when either refuses", () => {
		const b = run([unreachable(T), unreachable(T + 1), unreachable(T + 2), fail(T + 3, "b")], modelOpen("b"));
		const refused = trial(b, "b", cfg, T + 500);
		expect(refused).toEqual({ breakers: b, granted: false });
		const both = trial(b, "b", cfg, T + 10_000);
		expect(both.granted).toBe(true);
		expect(both.breakers.channel.state).toBe("half_open");
		expect(both.breakers.models.get("b")?.state).toBe("half_open");
	});

	it("change nothing while the channel and the model are closed", () => {
		const b = run([fail(T)]);
		for (const model of ["a", "b", undefined]) {
			const { breakers, granted } = trial(b, model, cfg, T + 1);
			expect(granted).toBe(true);
			expect(breakers).toBe(b);
		}
	});

	it("close the model on the trial's success", () => {
		const { breakers } = trial(modelOpen(), "a", cfg, T + 2_000);
		expect(run([ok(T + 2_100)], breakers).models.get("a")).toMatchObject({ state: "closed", openings: 0 });
	});

	it("give the model's trial back when the host failed before the model could answer", () => {
		const { breakers } = trial(modelOpen(), "a", cfg, T + 2_000);
		const after = run([unreachable(T + 2_100)], breakers);
		expect(after.models.get("a")).toMatchObject({ state: "open", retryAt: T + 2_100, openings: 1 });
		expect(after.channel.consecutiveFailures).toBe(1);
	});
});

describe("breakers per model: bounds, probes, reset, views", () => {
	it("keep at most MAX_MODEL_RECORDS models, dropping the least recently changed closed ones first", () => {
		let b = modelOpen("open-one");
		for (let i = 0; i < MAX_MODEL_RECORDS + 5; i++) b = apply(b, fail(T + 10 + i, `m${i}`), cfg, T + 10 + i);
		expect(b.models.size).toBe(MAX_MODEL_RECORDS);
		expect(b.models.get("open-one")?.state).toBe("open");
		expect(b.models.has(`m${MAX_MODEL_RECORDS + 4}`)).toBe(true);
		expect(b.models.has("m0")).toBe(false);
	});

	it("probe the channel while it is open, else the models whose probe is due, soonest first", () => {
		const models = run([fail(T + 10, "b"), fail(T + 11, "b"), fail(T + 12, "b")], modelOpen("a", probing), probing);
		expect(alarmAt(models)).toBe(models.models.get("a")?.nextProbeAt);
		expect(dueProbes(models, T)).toEqual(["a"]);
		expect(dueProbes(models, T + 10_000)).toEqual(["a", "b"]);

		const hostDown = run([unreachable(T + 20), unreachable(T + 21), unreachable(T + 22)], models, probing);
		expect(alarmAt(hostDown)).toBe(hostDown.channel.nextProbeAt);
		expect(dueProbes(hostDown, T + 10_000)).toEqual([undefined]);

		expect(alarmAt(run([fatal(T + 30)], models, probing))).toBeNull();
		expect(alarmAt(modelOpen())).toBeNull();
	});

	it("reset closes the channel and every model", () => {
		const b = resetAll(run([unreachable(T), unreachable(T + 1), unreachable(T + 2)], modelOpen()), T + 100);
		expect(b.channel.state).toBe("closed");
		expect(b.models.get("a")).toMatchObject({ state: "closed", lastError: "500: boom" });
	});

	it("list each change of state for the notifications, a new model's from closed", () => {
		const before = run([fail(T), fail(T + 1)]);
		expect(stateChanges(before, run([fail(T + 2)], before))).toEqual([{ model: "a", before: "closed", after: "open" }]);
		expect(stateChanges(fresh(T), run([fatal(T)]))).toEqual([{ model: undefined, before: "closed", after: "disabled" }]);
	});

	it("show the channel and its models, by name", () => {
		const view = viewOf(run([fail(T + 5, "b")], modelOpen()), cfg, T + 10);
		expect(view).toMatchObject({
			state: "closed",
			models: [
				{ model: "a", state: "open" },
				{ model: "b", state: "closed", consecutiveFailures: 1 },
			],
		});
	});
});
