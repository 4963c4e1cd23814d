import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { z } from "zod";
import type { Notification } from "../../queues/notify-message";
import worker from "../../src";
import type { deadJobView, queueList, queueView } from "../../src/routes/job-schemas";
import { admin, uid, upstreamLog } from "../support/gateway";
import { deliver, usageRecord } from "../support/usage-records";

type QueueView = z.infer<typeof queueView>;
type DeadJob = z.infer<typeof deadJobView>;

interface Sent {
	body: unknown;
	delaySeconds?: number;
}

/** A producer binding that keeps what is sent to it (or refuses it), in place of a real queue. */
function fakeQueue(fail = false) {
	const sent: Sent[] = [];
	const queue = {
		async send(body: unknown, options?: { delaySeconds?: number }) {
			if (fail) throw new Error("queue unavailable");
			sent.push({ body, ...options });
		},
		async sendBatch(messages: Iterable<Sent>) {
			if (fail) throw new Error("queue unavailable");
			sent.push(...messages);
		},
	};
	return { sent, queue: queue as unknown as Queue };
}

async function run(queue: string, messages: { id: string; body: unknown }[], bindings: Partial<Env>) {
	const batch = createMessageBatch(
		queue,
		messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: 1, body: m.body })),
	);
	const ctx = createExecutionContext();
	await worker.queue(batch, { ...env, ...bindings } as Env, ctx);
	return getQueueResult(batch, ctx);
}

async function queueOf(name: string): Promise<QueueView> {
	const res = await admin("GET", "/api/jobs");
	expect(res.status).toBe(200);
	const found = (await res.json<z.infer<typeof queueList>>()).data.find((q) => q.queue === name);
	if (!found) throw new Error(`no queue ${name}`);
	return found;
}

const rows = async (requestId: string) =>
	(await env.DB.prepare("SELECT count(*) AS n FROM usage_logs WHERE request_id = ?").bind(requestId).first<{ n: number }>())?.n;

afterEach(async () => {
	for (const q of ["usage", "notify", "ingest", "memory"]) await admin("POST", `/api/jobs/${q}/resume`);
});

describe("jobs: pause and resume", () => {
	it("defers a paused consumer's messages onto its queue, loses none, and processes them once resumed", async () => {
		const before = await queueOf("usage");
		const paused = await admin("POST", "/api/jobs/usage/pause");
		expect(paused.status).toBe(200);
		expect(await paused.json<QueueView>()).toMatchObject({ queue: "usage", queue_name: "edge-gateway-usage", paused: true, paused_by: "operator token" });

		const ids = [`r-${uid()}`, `r-${uid()}`];
		const bodies = ids.map((id) => ({ records: [usageRecord({ request_id: id })] }));
		const requeue = fakeQueue();
		const result = await run(
			"edge-gateway-usage",
			bodies.map((body, i) => ({ id: `m${i}`, body })),
			{ USAGE_QUEUE: requeue.queue },
		);
		// Sent back, then acknowledged: the retries of the message are not spent on waiting.
		expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
		expect(result.retryMessages).toEqual([]);
		expect(requeue.sent).toEqual(bodies.map((body) => ({ body, delaySeconds: 60 })));
		for (const id of ids) expect(await rows(id)).toBe(0);

		const during = await queueOf("usage");
		expect(during.paused).toBe(true);
		expect(during.last_hour.deferred - before.last_hour.deferred).toBe(2);
		expect(during.minutes.at(-1)?.deferred).toBeGreaterThanOrEqual(2);

		const resumed = await admin("POST", "/api/jobs/usage/resume");
		expect(await resumed.json<QueueView>()).toMatchObject({ queue: "usage", paused: false, paused_at: null });
		// The queue offers the deferred messages again after their delay: here, the same bodies at once.
		const again = await deliver(
			"edge-gateway-usage",
			requeue.sent.map((s, i) => ({ id: `again${i}`, body: s.body })),
		);
		expect(again.explicitAcks.sort()).toEqual(["again0", "again1"]);
		for (const id of ids) expect(await rows(id)).toBe(1);
		const after = await queueOf("usage");
		expect(after.paused).toBe(false);
		expect(after.last_hour.acked - during.last_hour.acked).toBe(2);
	});

	it("retries a paused batch it cannot put back, so that nothing is lost", async () => {
		await admin("POST", "/api/jobs/notify/pause");
		const body: Notification = { id: uid(), at: new Date().toISOString(), type: "channel.recovered", channel_id: 3, state: "closed", reason: null };
		const result = await run("edge-gateway-notify", [{ id: "n1", body }], { NOTIFY_QUEUE: fakeQueue(true).queue });
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages.map((m) => m.msgId)).toEqual(["n1"]);
	});

	it("pauses each queue on its own and refuses a queue it does not know", async () => {
		await admin("POST", "/api/jobs/ingest/pause");
		expect((await queueOf("ingest")).paused).toBe(true);
		expect((await queueOf("memory")).paused).toBe(false);
		expect((await admin("POST", "/api/jobs/nope/pause")).status).toBe(400);
	});
});

describe("jobs: counts and dead jobs", () => {
	it("counts what each batch did: acknowledged and retried messages", async () => {
		const before = await queueOf("usage");
		const result = await deliver("edge-gateway-usage", [
			{ id: "ok", body: { records: [usageRecord()] } },
			{ id: "unreadable", body: { not: "usage" } },
		]);
		expect(result.explicitAcks).toEqual(["ok"]);
		const after = await queueOf("usage");
		expect(after.last_hour.acked - before.last_hour.acked).toBe(1);
		expect(after.last_hour.retried - before.last_hour.retried).toBe(1);
	});

	it("delivers a batch even when D1 can neither say whether it is paused nor record its counts", async () => {
		const tag = uid();
		const broken = { prepare: () => ({ bind: () => broken.prepare(), first: fail, run: fail, all: fail }), batch: fail };
		async function fail(): Promise<never> {
			throw new Error("D1 unavailable");
		}
		const body: Notification = { id: uid(), at: new Date().toISOString(), type: "channel.recovered", channel_id: 4, state: "closed", reason: null };
		const result = await run("edge-gateway-notify", [{ id: "n1", body }], {
			DB: broken as unknown as D1Database,
			ALERT_WEBHOOK_URL: `${inject("upstreamUrl")}/${tag}/webhook/hook`,
		});
		expect(result.explicitAcks).toEqual(["n1"]);
		expect((await upstreamLog(tag)).map((r) => r.body)).toEqual([body]);
	});

	it("files a dead-lettered message as dead for its queue and announces it without its body, once", async () => {
		const before = await queueOf("memory");
		const notify = fakeQueue();
		const messageId = `dead-${uid()}`;
		const secretContent = "my private conversation";
		const dead = { id: messageId, body: { messages: [{ role: "user", content: secretContent }] } };
		await run("edge-gateway-memory-dlq", [dead], { NOTIFY_QUEUE: notify.queue });
		// The queue redelivers the dead letter: filed and announced once only.
		await run("edge-gateway-memory-dlq", [dead], { NOTIFY_QUEUE: notify.queue });

		const after = await queueOf("memory");
		expect(after.last_hour.dead - before.last_hour.dead).toBe(1);
		expect(after.dead_pending - before.dead_pending).toBe(1);
		expect(notify.sent).toHaveLength(1);
		expect(notify.sent[0]?.body).toMatchObject({ type: "job.dead", queue: "memory", message_id: messageId, attempts: 1 });
		expect(JSON.stringify(notify.sent)).not.toContain(secretContent);
	});

	it("does not announce dead notifications (the webhook refused them)", async () => {
		const notify = fakeQueue();
		await run("edge-gateway-notify-dlq", [{ id: `dead-${uid()}`, body: { type: "channel.opened" } }], { NOTIFY_QUEUE: notify.queue });
		expect(notify.sent).toEqual([]);
	});

	it("discards a dead job: kept and marked, no longer pending, never replayed", async () => {
		const messageId = `dead-${uid()}`;
		await run("edge-gateway-ingest-dlq", [{ id: messageId, body: { vector_store_id: "vs_x", file_id: "file_x", generation: 1 } }], {
			NOTIFY_QUEUE: fakeQueue().queue,
		});
		const list = await (await admin("GET", "/api/jobs/dead?pending=true")).json<{ data: DeadJob[] }>();
		const job = list.data.find((j) => j.message_id === messageId);
		if (!job) throw new Error("the dead job was not filed");
		const pendingBefore = (await queueOf("ingest")).dead_pending;

		const discarded = await admin("POST", `/api/jobs/dead/${job.id}/discard`);
		expect(discarded.status).toBe(200);
		const view = await discarded.json<DeadJob>();
		expect(view.discarded_at).not.toBeNull();
		expect(view.replayed_at).toBeNull();
		expect((await queueOf("ingest")).dead_pending).toBe(pendingBefore - 1);
		const pending = await (await admin("GET", "/api/jobs/dead?pending=true")).json<{ data: DeadJob[] }>();
		expect(pending.data.some((j) => j.id === job.id)).toBe(false);
		expect(await (await admin("GET", `/api/jobs/dead/${job.id}`)).json<DeadJob>()).toMatchObject({ id: job.id, discarded_at: view.discarded_at });

		const replay = await admin("POST", `/api/jobs/dead/${job.id}/replay`);
		expect(replay.status).toBe(409);
		expect(await replay.text()).toContain("discarded");
		expect((await admin("POST", `/api/jobs/dead/${job.id}/discard`)).status).toBe(409);
		expect((await admin("POST", "/api/jobs/dead/999999999/discard")).status).toBe(404);
	});

	it("prunes counts older than a few days in the upkeep", async () => {
		const minute = Math.floor(Date.now() / 60_000);
		const insert = env.DB.prepare("INSERT INTO queue_stats (queue, minute, outcome, count) VALUES ('ingest', ?1, 'acked', 1)");
		await env.DB.batch([insert.bind(minute - 5 * 24 * 60), insert.bind(minute - 10)]);
		await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "*/10 * * * *" }), env);
		const kept = await env.DB.prepare("SELECT minute FROM queue_stats WHERE queue = 'ingest' AND minute IN (?1, ?2)")
			.bind(minute - 5 * 24 * 60, minute - 10)
			.all<{ minute: number }>();
		expect(kept.results.map((r) => r.minute)).toEqual([minute - 10]);
	});
});
