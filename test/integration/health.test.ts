import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src";
import type { Readiness } from "../../src/routes/shared/readiness";

/** Looks like a credential, so a test can see it never reaches the answer. */
const SECRET = "sk-live-readyz-0123456789abcdef";
const fail = () => Promise.reject(new Error(`binding down: ${SECRET}`));
const throws = () => {
	throw new Error(`binding down: ${SECRET}`);
};

/** Each binding /readyz checks, broken: its calls throw or reject. */
const BROKEN: Record<string, unknown> = {
	DB: { prepare: throws },
	CHANNEL_BREAKER: { getByName: throws },
	KEY_GOVERNOR: { getByName: () => ({ ping: fail }) },
	LOCAL_VECTOR_INDEX: { getByName: throws },
	METRICS_AGGREGATOR: { getByName: () => ({ ping: fail }) },
	USAGE_QUEUE: { send: fail },
	FILES: { head: fail },
};

async function get(path: string, bindings: Record<string, unknown> = {}) {
	const ctx = createExecutionContext();
	const res = await worker.fetch(new Request(`http://gateway.test${path}`), { ...env, ...bindings } as unknown as Env, ctx);
	await waitOnExecutionContext(ctx);
	return res;
}

describe("health", () => {
	it("/healthz answers 200 without touching a binding, and needs no credential", async () => {
		const res = await get("/healthz", BROKEN);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "ok" });
	});

	it("/readyz answers 200 with every check when every binding answers", async () => {
		const res = await get("/readyz");
		expect(res.status).toBe(200);
		const body = (await res.json()) as Readiness;
		expect(body.status).toBe("ok");
		expect(Object.keys(body.checks).sort()).toEqual([
			"CHANNEL_BREAKER",
			"DB",
			"FILES",
			"KEY_GOVERNOR",
			"LOCAL_VECTOR_INDEX",
			"METRICS_AGGREGATOR",
			"USAGE_QUEUE",
		]);
		for (const check of Object.values(body.checks)) {
			expect(check.ok).toBe(true);
			expect(check.latency_ms).toBeGreaterThanOrEqual(0);
		}
	});

	for (const [name, broken] of Object.entries(BROKEN)) {
		it(`/readyz answers 503 naming ${name} when it fails, and says nothing of why`, async () => {
			const res = await get("/readyz", { [name]: broken });
			expect(res.status).toBe(503);
			const text = await res.text();
			expect(text).not.toContain(SECRET);
			expect(text).not.toContain("binding down");
			const body = JSON.parse(text) as Readiness;
			expect(body.status).toBe("unavailable");
			expect(body.checks[name]).toMatchObject({ ok: false, error: "failed" });
			const failing = Object.entries(body.checks).filter(([, c]) => !c.ok);
			expect(failing.map(([n]) => n)).toEqual([name]);
		});
	}

	it("/readyz checks each Vectorize index in production, and fails when none is bound", async () => {
		const none = await get("/readyz", { VECTOR_INDEX: "vectorize" });
		expect(none.status).toBe(503);
		expect(((await none.json()) as Readiness).checks.VECTORIZE).toMatchObject({ ok: false });

		const index = { describe: async () => ({ dimensions: 8 }), query: fail, upsert: fail, getByIds: fail };
		const bound = await get("/readyz", { VECTOR_INDEX: "vectorize", VECTORIZE_8: index });
		expect(bound.status).toBe(200);
		expect(((await bound.json()) as Readiness).checks.VECTORIZE_8).toMatchObject({ ok: true });

		const down = await get("/readyz", { VECTOR_INDEX: "vectorize", VECTORIZE_8: { ...index, describe: fail } });
		expect(down.status).toBe(503);
		expect(((await down.json()) as Readiness).checks.VECTORIZE_8).toMatchObject({ ok: false, error: "failed" });
	});

	it("the usage consumer acknowledges /readyz's message and writes nothing, not even to the Jobs view's counts", async () => {
		const before = await env.DB.prepare("SELECT count(*) AS n FROM usage_logs").first<{ n: number }>();
		const counted = () => env.DB.prepare("SELECT coalesce(sum(count), 0) AS n FROM queue_stats WHERE queue = 'usage'").first<{ n: number }>();
		const countedBefore = await counted();
		const batch = createMessageBatch("edge-gateway-usage", [{ id: "r1", timestamp: new Date(), attempts: 1, body: { readyz: true } }]);
		const ctx = createExecutionContext();
		await worker.queue(batch, env, ctx);
		const result = await getQueueResult(batch, ctx);
		expect(result.explicitAcks).toEqual(["r1"]);
		expect(result.retryMessages).toEqual([]);
		expect(await env.DB.prepare("SELECT count(*) AS n FROM usage_logs").first<{ n: number }>()).toEqual(before);
		expect(await counted()).toEqual(countedBefore);
	});
});
