// Usage records the queue would not take: retried, kept in D1's spool, and sent again by the cron or the isolate.
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import type { UsageRecord } from "../../queues/usage-message";
import worker from "../../src";
import { d1Spool } from "../../src/db/usage-spool";
import { UsageBatcher } from "../../src/relay/usage-batcher";
import type { reconcileReport } from "../../src/routes/billing-schemas";
import { admin, createKey, uid, usageRow } from "../support/gateway";
import { usageRecord } from "../support/usage-records";

type Reconciliation = z.infer<typeof reconcileReport>;

/** The usage queue behind a send that throws `failures` times before it reaches the real queue. */
function failingQueue(failures: number): Queue {
	let refused = 0;
	return {
		send: async (body: unknown, options?: QueueSendOptions) => {
			if (refused < failures) {
				refused++;
				throw new Error("Queue send failed: simulated outage");
			}
			return env.USAGE_QUEUE.send(body, options);
		},
		metrics: () => env.USAGE_QUEUE.metrics(),
		sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => env.USAGE_QUEUE.sendBatch(messages, options),
	};
}

async function paidRecords(n: number): Promise<UsageRecord[]> {
	const user = await env.DB.prepare("INSERT INTO users (name) VALUES (?) RETURNING id").bind(`spool-${uid()}`).first<{ id: number }>();
	if (!user) throw new Error("no user");
	const { id } = await createKey({ user_id: user.id });
	return Array.from({ length: n }, () => usageRecord({ request_id: `spool-${uid()}`, user_id: user.id, token_id: id, cost_nusd: 2_000, price_id: 1 }));
}

const spooled = async (requestId: string) =>
	(
		await env.DB.prepare("SELECT count(*) AS n FROM usage_spool, json_each(usage_spool.body, '$.records') WHERE value ->> 'request_id' = ?")
			.bind(requestId)
			.first<{ n: number }>()
	)?.n;

const reconcile = async () => (await admin("GET", "/api/billing/reconcile")).json<Reconciliation>();

describe("a usage message the queue refuses", () => {
	it("is kept in the spool after three tries, counted by reconcile, and sent by the cron to be stored and charged once", async () => {
		const records = await paidRecords(3);
		const before = await reconcile();
		const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
		const batcher = new UsageBatcher(failingQueue(Number.POSITIVE_INFINITY), d1Spool(env.DB), 1);
		await Promise.all(records.map((r) => batcher.send(r)));
		quiet.mockRestore();
		for (const r of records) expect(await spooled(r.request_id)).toBe(1);
		const pending = await reconcile();
		expect(pending.unrecorded_requests - before.unrecorded_requests).toBe(3);
		expect(Math.round((pending.drift_usd - before.drift_usd) * 1e9)).toBe(6_000);

		await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/10 * * * *" }), env);
		for (const r of records) {
			expect(await usageRow(r.request_id)).toMatchObject({ cost_nusd: 2_000, token_id: r.token_id });
			expect(await spooled(r.request_id)).toBe(0);
		}
		const charged = await env.DB.prepare("SELECT count(*) AS n FROM ledger_entries WHERE token_id = ?").bind(records[0]?.token_id).first<{ n: number }>();
		expect(charged?.n).toBe(3);
		const after = await reconcile();
		expect(after.unrecorded_requests).toBe(before.unrecorded_requests);
		expect(after.drift_usd).toBe(before.drift_usd);
	});

	it("goes through when the queue takes a retry, with nothing spooled", async () => {
		const [r] = await paidRecords(1);
		if (!r) throw new Error("no record");
		await new UsageBatcher(failingQueue(2), d1Spool(env.DB), 1).send(r);
		expect(await spooled(r.request_id)).toBe(0);
		expect(await usageRow(r.request_id)).toMatchObject({ cost_nusd: 2_000 });
	});

	it("is sent again by the isolate that spooled it, with its next message the queue takes, before any cron", async () => {
		const [first, second] = await paidRecords(2);
		if (!first || !second) throw new Error("no records");
		const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
		// Three refusals: the first message's three tries.
		const batcher = new UsageBatcher(failingQueue(3), d1Spool(env.DB), 1);
		await batcher.send(first);
		quiet.mockRestore();
		expect(await spooled(first.request_id)).toBe(1);
		await batcher.send(second);
		expect(await spooled(first.request_id)).toBe(0);
		expect(await usageRow(second.request_id)).toMatchObject({ cost_nusd: 2_000 });
		expect(await usageRow(first.request_id)).toMatchObject({ cost_nusd: 2_000 });
	});
});
