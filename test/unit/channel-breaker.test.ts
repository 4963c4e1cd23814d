import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type AttemptOutcome, BREAKER_DEFAULTS, type BreakerConfig } from "../../durable-objects/breaker-types";
import type { ChannelBreaker } from "../../durable-objects/channel-breaker";
import { db } from "../../src/db/client";
import { channels } from "../../src/db/schema";
import { uid } from "../support/gateway";

// Long probe intervals: an alarm must only run when a test runs it, never by itself mid-test.
const cfg: Partial<BreakerConfig> = { consecutiveFailures: 3, cooldownMs: 1_000, maxCooldownMs: 3_000, probeIntervalMs: 0 };
const probing: Partial<BreakerConfig> = { ...cfg, probeIntervalMs: 600_000 };

const fail = (at = Date.now()): AttemptOutcome => ({ kind: "failure", at, message: "502: bad gateway" });
const ok = (at = Date.now()): AttemptOutcome => ({ kind: "success", at });

/** A breaker of its own for each test; the id is only a label where no probe reads the channel row. */
function breaker(channelId = Math.floor(Math.random() * 1e9)) {
	return { channelId, stub: env.CHANNEL_BREAKER.getByName(`${channelId}-${uid()}`) };
}

/** Opens the breaker with failures a minute old, so that its cooldown is already over. */
async function openedLongAgo(config: Partial<BreakerConfig>, channelId?: number) {
	const b = breaker(channelId);
	const at = Date.now() - 60_000;
	const view = await b.stub.report(b.channelId, [fail(at), fail(at + 1), fail(at + 2)], config);
	expect(view.state).toBe("open");
	return b;
}

const alarmOf = (stub: DurableObjectStub<ChannelBreaker>) => runInDurableObject(stub, (_, state) => state.storage.getAlarm());

async function channelRow(values: { type: string; baseUrl?: string }): Promise<number> {
	const [row] = await db(env)
		.insert(channels)
		.values({ name: `breaker-${uid()}`, models: [`model-${uid()}`], ...values })
		.returning({ id: channels.id });
	if (!row) throw new Error("channel insert returned nothing");
	return row.id;
}

describe("ChannelBreaker", () => {
	it("opens after N consecutive failures, and a success in between starts the count again", async () => {
		const { channelId, stub } = breaker();
		expect((await stub.report(channelId, [fail(), fail(), ok(), fail(), fail()], cfg)).state).toBe("closed");
		const view = await stub.report(channelId, [fail()], cfg);
		expect(view).toMatchObject({ state: "open", consecutiveFailures: 3, openings: 1, lastError: "502: bad gateway" });
		expect(view.retryAt).toBeGreaterThan(Date.now());
		expect(await stub.trial()).toBe(false);
	});

	it("opens on the error rate once the window holds minRequests, not before", async () => {
		const { channelId, stub } = breaker();
		const rate = { ...cfg, consecutiveFailures: 100, minRequests: 6, errorRate: 0.5 };
		const view = await stub.report(channelId, [fail(), fail(), ok(), fail(), fail()], rate);
		expect(view).toMatchObject({ state: "closed", window: { requests: 5, failures: 4, errorRate: 0.8 } });
		expect((await stub.report(channelId, [fail()], rate)).state).toBe("open");
	});

	it("grants a single trial in half-open, however many ask at once", async () => {
		const { stub } = await openedLongAgo(cfg);
		const answers = await Promise.all(Array.from({ length: 5 }, () => stub.trial()));
		expect(answers.filter(Boolean)).toHaveLength(1);
		expect((await stub.view()).state).toBe("half_open");
	});

	it("closes on the trial's success", async () => {
		const { channelId, stub } = await openedLongAgo(cfg);
		expect(await stub.trial()).toBe(true);
		expect(await stub.report(channelId, [ok()], cfg)).toMatchObject({ state: "closed", openings: 0, consecutiveFailures: 0, retryAt: null });
		expect(await stub.trial()).toBe(true);
	});

	it("reopens on the trial's failure with the cooldown doubled, up to the cap", async () => {
		// Cooldowns of milliseconds, so that each next trial comes at once; a report of a time before the trial would be stale.
		const fast = { ...cfg, cooldownMs: 10, maxCooldownMs: 30 };
		const { channelId, stub } = await openedLongAgo(fast);
		const cooldowns: number[] = [];
		for (let i = 0; i < 3; i++) {
			while (!(await stub.trial())) await scheduler.wait(5);
			const at = Date.now();
			const view = await stub.report(channelId, [fail(at)], fast);
			expect(view.state).toBe("open");
			cooldowns.push((view.retryAt ?? 0) - at);
		}
		expect(cooldowns).toEqual([20, 30, 30]);
		expect((await stub.view()).openings).toBe(4);
	});

	it("does not let a late success close an open breaker", async () => {
		const { channelId, stub } = breaker();
		const at = Date.now();
		await stub.report(channelId, [fail(at), fail(at), fail(at)], cfg);
		expect((await stub.report(channelId, [ok(at - 5)], cfg)).state).toBe("open");
	});

	it("opens on a 429 for its Retry-After, or for the rate-limit cooldown, without growing the cooldown", async () => {
		const a = breaker();
		const at = Date.now();
		const withHeader = await a.stub.report(a.channelId, [{ kind: "rate_limited", at, retryAfterMs: 42_000, message: "429" }], cfg);
		expect(withHeader).toMatchObject({ state: "open", retryAt: at + 42_000, openings: 0, lastError: "429" });

		const b = breaker();
		const without = await b.stub.report(b.channelId, [{ kind: "rate_limited", at, retryAfterMs: undefined, message: "429" }], {
			...cfg,
			rateLimitCooldownMs: 7_000,
		});
		expect(without).toMatchObject({ state: "open", retryAt: at + 7_000, openings: 0 });
	});

	it("is disabled by a fatal error, and only reset() enables it again", async () => {
		const { channelId, stub } = breaker();
		const view = await stub.report(channelId, [{ kind: "fatal", at: Date.now(), message: "401: invalid api key" }], cfg);
		expect(view).toMatchObject({ state: "disabled", disabledReason: "401: invalid api key", retryAt: null });
		expect(await stub.trial()).toBe(false);
		expect((await stub.report(channelId, [ok(), ok()], cfg)).state).toBe("disabled");
		expect(await stub.reset()).toMatchObject({ state: "closed", disabledReason: null, lastError: "401: invalid api key" });
		expect(await stub.trial()).toBe(true);
	});

	it("keeps its state across an eviction", async () => {
		const { channelId, stub } = breaker();
		const before = await stub.report(channelId, [fail(), fail(), fail()], probing);
		const instance = await runInDurableObject(stub, (i) => i);
		await evictDurableObject(stub);
		expect(await stub.view()).toEqual(before);
		// A new instance answered: the state came from storage, not from memory.
		expect(await runInDurableObject(stub, (i) => i === instance)).toBe(false);
		expect(await alarmOf(stub)).toBe(before.nextProbeAt);
	});
});

describe("ChannelBreaker probes", () => {
	it("close the breaker when the probe succeeds", async () => {
		const { stub } = await openedLongAgo(probing, await channelRow({ type: "mock" }));
		const { nextProbeAt } = await stub.view();
		expect(nextProbeAt).not.toBeNull();
		expect(await alarmOf(stub)).toBe(nextProbeAt);

		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await stub.view()).toMatchObject({ state: "closed", openings: 0, nextProbeAt: null });
		expect(await alarmOf(stub)).toBeNull();
	});

	it("reopen it with the cooldown doubled and come again when the probe fails", async () => {
		const { stub } = await openedLongAgo(probing, await channelRow({ type: "openai", baseUrl: "http://127.0.0.1:9/v1" }));
		const started = Date.now();
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		const view = await stub.view();
		expect(view).toMatchObject({ state: "open", openings: 2 });
		expect(view.retryAt).toBeGreaterThanOrEqual(started + 2_000);
		expect(view.lastError).not.toBe("502: bad gateway");
		expect(view.nextProbeAt).toBeGreaterThanOrEqual(started + 600_000);
		expect(await alarmOf(stub)).toBe(view.nextProbeAt);
	});

	it("are never scheduled with probeIntervalMs 0", async () => {
		const { stub } = await openedLongAgo(cfg, await channelRow({ type: "mock" }));
		expect((await stub.view()).nextProbeAt).toBeNull();
		expect(await alarmOf(stub)).toBeNull();
		expect(await runDurableObjectAlarm(stub)).toBe(false);
	});

	it("stop when probes are turned off", async () => {
		const { channelId, stub } = await openedLongAgo(probing, await channelRow({ type: "mock" }));
		expect(await stub.configure(channelId, cfg)).toMatchObject({ state: "open", nextProbeAt: null });
		expect(await runDurableObjectAlarm(stub)).toBe(false);
	});
});

describe("ChannelBreaker per model", () => {
	const failOf = (model: string, at = Date.now()): AttemptOutcome => ({ kind: "failure", at, message: "500: boom", model });

	it("opens one model on the channel, keeps serving the others, and shows both in its view", async () => {
		const { channelId, stub } = breaker();
		const view = await stub.report(channelId, [failOf("a"), failOf("a"), failOf("a"), { kind: "success", at: Date.now(), model: "b" }], cfg);
		expect(view).toMatchObject({
			state: "closed",
			consecutiveFailures: 0,
			models: [{ model: "a", state: "open", openedBy: "failures", lastError: "500: boom" }],
		});
		expect(await stub.trial("a")).toBe(false);
		expect(await stub.trial("b")).toBe(true);
		expect(await stub.trial()).toBe(true);
	});

	it("grants a single trial for an open model, and the reset closes every model", async () => {
		const { channelId, stub } = breaker();
		const at = Date.now() - 60_000;
		await stub.report(channelId, [failOf("a", at), failOf("a", at + 1), failOf("a", at + 2)], cfg);
		const answers = await Promise.all(Array.from({ length: 5 }, () => stub.trial("a")));
		expect(answers.filter(Boolean)).toHaveLength(1);
		expect((await stub.reset()).models).toEqual([expect.objectContaining({ model: "a", state: "closed" })]);
	});

	it("reads a breaker stored before per-model breakers as the channel's own", async () => {
		const { stub } = breaker();
		const at = Date.now();
		const v1 = {
			v: 1,
			channelId: 7,
			config: { ...BREAKER_DEFAULTS, ...cfg },
			breaker: {
				state: "open",
				changedAt: at,
				retryAt: at + 60_000,
				trialAt: null,
				consecutiveFailures: 5,
				buckets: [],
				openings: 1,
				lastError: "502",
				lastErrorAt: at,
				disabledReason: null,
				nextProbeAt: null,
				updatedAt: at,
			},
		};
		await runInDurableObject(stub, (_, state) => state.storage.kv.put("breaker", v1));
		await evictDurableObject(stub);
		expect(await stub.view()).toMatchObject({ state: "open", openedBy: "failures", retryAt: at + 60_000, lastError: "502", models: [] });
	});

	it("probes an open model with that model, and closes it when the probe succeeds", async () => {
		const model = `model-${uid()}`;
		const [row] = await db(env)
			.insert(channels)
			.values({ name: `breaker-${uid()}`, models: ["other", model], type: "mock" })
			.returning({ id: channels.id });
		const channelId = row?.id ?? 0;
		const { stub } = breaker(channelId);
		const at = Date.now() - 60_000;
		const opened = await stub.report(channelId, [failOf(model, at), failOf(model, at + 1), failOf(model, at + 2)], probing);
		const probeAt = opened.models[0]?.nextProbeAt;
		expect(probeAt).not.toBeNull();
		expect(await alarmOf(stub)).toBe(probeAt);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect(await stub.view()).toMatchObject({ state: "closed", models: [{ model, state: "closed", nextProbeAt: null }] });
		expect(await alarmOf(stub)).toBeNull();
	});

	it("forgets an open model its channel no longer lists, instead of probing it", async () => {
		const channelId = await channelRow({ type: "mock" });
		const { stub } = breaker(channelId);
		const at = Date.now() - 60_000;
		await stub.report(channelId, [failOf("gone", at), failOf("gone", at + 1), failOf("gone", at + 2)], probing);
		expect(await runDurableObjectAlarm(stub)).toBe(true);
		expect((await stub.view()).models).toEqual([]);
		expect(await alarmOf(stub)).toBeNull();
	});
});
