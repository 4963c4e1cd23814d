import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Limits, ReserveRequest, Scope } from "../../durable-objects/governor-types";
import { NO_LIMITS } from "../../durable-objects/governor-types";
import type { KeyGovernor } from "../../durable-objects/key-governor";
import type { Notification } from "../../queues/notify-message";
import { createKey, uid } from "../support/gateway";
import { deliver, usageRecord } from "../support/usage-records";

/** A governor of its own for each test, for a scope no ledger entry names unless the test writes some. */
function governor(scope: Scope = { kind: "token", id: `9${Math.floor(Math.random() * 1e9)}` }) {
	return { scope, stub: env.KEY_GOVERNOR.getByName(`${scope.kind}:${scope.id}`) };
}

const limits = (l: Partial<Limits>): Limits => ({ ...NO_LIMITS, ...l });

function request(scope: Scope, l: Partial<Limits>, over: Partial<ReserveRequest> = {}): ReserveRequest {
	return { requestId: `r-${uid()}`, scope, limits: limits(l), tokens: 10, costNusd: 1_000, ttlMs: 600_000, ...over };
}

const alarmOf = (stub: DurableObjectStub<KeyGovernor>) => runInDurableObject(stub, (_, state) => state.storage.getAlarm());

describe("KeyGovernor", () => {
	it("settles a request once however often the settlement is retried", async () => {
		const { scope, stub } = governor();
		const l = { quotaNusd: 10_000, maxConcurrency: 5 };
		const r = request(scope, l);
		expect((await stub.reserve(r)).ok).toBe(true);
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 1, held_nusd: 1_000, spent: { total: 0 } });
		await Promise.all([stub.settle(r.requestId, { tokens: 5, costNusd: 700 }), stub.settle(r.requestId, { tokens: 5, costNusd: 700 })]);
		await stub.settle(r.requestId, { tokens: 5, costNusd: 700 });
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 0, held_nusd: 0, spent: { daily: 700, monthly: 700, total: 700 } });
		// A reservation retried under a settled id holds nothing new.
		expect((await stub.reserve(r)).ok).toBe(true);
		expect((await stub.view(scope, limits(l))).in_flight).toBe(0);
	});

	it("gives a cancelled hold back whole", async () => {
		const { scope, stub } = governor();
		const l = { rpm: 1, maxConcurrency: 1 };
		const r = request(scope, l);
		expect((await stub.reserve(r)).ok).toBe(true);
		expect((await stub.reserve(request(scope, l))).ok).toBe(false);
		await stub.cancel(r.requestId);
		expect((await stub.reserve(request(scope, l))).ok).toBe(true);
	});

	it("releases a hold whose settlement never came when its alarm fires, and still charges a late settlement once", async () => {
		const { scope, stub } = governor();
		const l = { quotaNusd: 5_000, maxConcurrency: 1 };
		const r = request(scope, l, { ttlMs: 50, costNusd: 2_000 });
		await stub.reserve(r);
		expect(await alarmOf(stub)).toBeGreaterThan(Date.now() - 1_000);
		expect((await stub.reserve(request(scope, l))).ok).toBe(false);
		await new Promise((resolve) => setTimeout(resolve, 60));
		// Alarms also fire on their own; this runs it if it has not yet.
		await runDurableObjectAlarm(stub);
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 0, held_nusd: 0, spent: { total: 0 } });
		expect(await alarmOf(stub)).toBeNull();
		await stub.settle(r.requestId, { tokens: 3, costNusd: 1_500 });
		await stub.settle(r.requestId, { tokens: 3, costNusd: 1_500 });
		expect((await stub.view(scope, limits(l))).spent.total).toBe(1_500);
	});

	it("charges an expired hold what its usage record in D1 says", async () => {
		const { key, id } = await createKey();
		expect(key).toBeTruthy();
		const scope: Scope = { kind: "token", id: String(id) };
		const { stub } = governor(scope);
		const l = { quotaNusd: 1_000_000 };
		const r = request(scope, l, { ttlMs: 50, costNusd: 9_000 });
		await stub.reserve(r);
		// The usage record was written (by the queue), but the settlement was lost with its isolate.
		const record = usageRecord({ request_id: r.requestId, token_id: id, cost_nusd: 4_321, prompt_tokens: 10, completion_tokens: 5 });
		expect((await deliver("edge-gateway-usage", [{ id: uid(), body: { records: [record] } }])).explicitAcks).toHaveLength(1);
		await new Promise((resolve) => setTimeout(resolve, 60));
		await runDurableObjectAlarm(stub);
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 0, held_nusd: 0, spent: { total: 4_321 } });
		// The settlement turning up after all changes nothing.
		await stub.settle(r.requestId, { tokens: 15, costNusd: 4_321 });
		expect((await stub.view(scope, limits(l))).spent.total).toBe(4_321);
	});

	it("starts from the ledger's spend when created, and reads it again when its limits change", async () => {
		const { id } = await createKey();
		const records = [usageRecord({ token_id: id, cost_nusd: 1_000 }), usageRecord({ token_id: id, cost_nusd: 2_000 })];
		await deliver("edge-gateway-usage", [{ id: uid(), body: { records } }]);
		const scope: Scope = { kind: "token", id: String(id) };
		const { stub } = governor(scope);
		expect((await stub.view(scope, limits({ quotaNusd: 10_000 }))).spent).toEqual({ daily: 3_000, monthly: 3_000, total: 3_000 });
		await deliver("edge-gateway-usage", [{ id: uid(), body: { records: [usageRecord({ token_id: id, cost_nusd: 500 })] } }]);
		expect((await stub.configure(scope, limits({ quotaNusd: 20_000 }))).spent.total).toBe(3_500);
	});

	it("keeps its counters, holds and settled ids through an eviction", async () => {
		const { scope, stub } = governor();
		const l = { rpm: 2, maxConcurrency: 10, quotaNusd: 100_000 };
		const a = request(scope, l);
		await stub.reserve(a);
		await stub.reserve(request(scope, l));
		await stub.settle(a.requestId, { tokens: 1, costNusd: 800 });
		// Settlements are written within 100 ms; an idle object is evicted only after seconds.
		await new Promise((resolve) => setTimeout(resolve, 150));
		await evictDurableObject(stub);
		expect((await stub.reserve(request(scope, l))).ok).toBe(false);
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 1, held_nusd: 1_000, spent: { total: 800 } });
		await stub.settle(a.requestId, { tokens: 1, costNusd: 800 });
		expect((await stub.view(scope, limits(l))).spent.total).toBe(800);
	});

	it("dying before a write loses no charge: a written hold comes back and settles again, once; an unwritten one is charged by its settlement", async () => {
		const { scope, stub } = governor();
		const l = { quotaNusd: 100_000 };
		const written = request(scope, l);
		await stub.reserve(written);
		await new Promise((resolve) => setTimeout(resolve, 150));
		await stub.settle(written.requestId, { tokens: 1, costNusd: 600 });
		const unwritten = request(scope, l);
		await stub.reserve(unwritten);
		await evictDurableObject(stub);
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 1, held_nusd: 1_000, spent: { total: 0 } });
		for (let i = 0; i < 2; i++) {
			await stub.settle(written.requestId, { tokens: 1, costNusd: 600 });
			await stub.settle(unwritten.requestId, { tokens: 1, costNusd: 300 });
		}
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 0, held_nusd: 0, spent: { total: 900 } });
	});

	it("queues a budget alert at 80% and one when a request is refused for the budget", async () => {
		const { scope, stub } = governor({ kind: "group", id: `g-${uid()}` });
		const sent: Notification[] = [];
		await runInDurableObject(stub, (instance) => {
			// The object's env, with a queue that records what it is given.
			Object.assign(instance, { env: { ...env, NOTIFY_QUEUE: { send: async (m: Notification) => void sent.push(m) } } });
		});
		const l = { budgetDailyNusd: 10_000 };
		const r = request(scope, l, { costNusd: 8_000 });
		await stub.reserve(r);
		await stub.settle(r.requestId, { tokens: 1, costNusd: 8_000 });
		expect((await stub.reserve(request(scope, l, { costNusd: 3_000 }))).ok).toBe(false);
		expect(sent).toEqual([
			expect.objectContaining({
				type: "budget.threshold",
				scope: "group",
				scope_id: scope.id,
				period: "daily",
				percent: 80,
				limit_usd: 0.00001,
				spent_usd: 0.000008,
			}),
			expect.objectContaining({ type: "budget.exhausted", scope: "group", scope_id: scope.id, period: "daily", percent: 80 }),
		]);
	});

	it("grants the output its budget pays for with the reservation, holds that, and the hold survives an eviction", async () => {
		const { scope, stub } = governor();
		const l = { quotaNusd: 200_000_000 };
		// $1,000 per million tokens: 20 prompt tokens and 1,024 output tokens asked, over a $0.20 quota.
		const output = { tokens: 1_024, minimum: 16, baseNusd: 20_000_000, nusdPerToken: 1_000_000 };
		const r = request(scope, l, { tokens: 1_044, costNusd: 1_044_000_000, output });
		expect(await stub.reserve(r)).toMatchObject({ ok: true, outputTokens: 180 });
		expect(await stub.view(scope, limits(l))).toMatchObject({ in_flight: 1, held_nusd: 200_000_000 });
		// Holds are written within 100 ms; an idle object is evicted only after seconds.
		await new Promise((resolve) => setTimeout(resolve, 150));
		await evictDurableObject(stub);
		expect(await stub.reserve(request(scope, l, { tokens: 1_044, costNusd: 1_044_000_000, output }))).toMatchObject({ ok: false, refusal: { kind: "budget" } });
		await stub.settle(r.requestId, { tokens: 38, costNusd: 38_000_000 });
		expect(await stub.reserve(request(scope, l, { tokens: 1_044, costNusd: 1_044_000_000, output }))).toMatchObject({ ok: true, outputTokens: 142 });
	});
});
