import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { batchMessage } from "../../queues/batch-message";
import { ingestMessage } from "../../queues/ingest-message";
import type { JobQueue } from "../../queues/job-queues";
import { notification } from "../../queues/notify-message";
import { writeUsage } from "../../queues/usage-consumer";
import { type UsageRecord, usageEnvelope, usageRecord, withinBounds } from "../../queues/usage-message";
import type { Principal } from "../auth/principal";
import { startWorkers } from "../batches/queue";
import { db } from "../db/client";
import { deadJobs, queueControls } from "../db/schema";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { requeueFile } from "../knowledge/cleanup";
import { valid } from "../lib/validate";
import { describeIssues } from "../lib/zod-issue";
import type { OperationDoc } from "../openapi/operation";
import { deadJobList, deadJobQuery, deadJobView, queueList, queueParam, queueView } from "./job-schemas";
import { idParam } from "./shared/params";
import { queueOverview } from "./shared/queue-overview";

type DeadJob = typeof deadJobs.$inferSelect;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// dead_jobs has no column of its own for a discard: a discarded job's replayed_at holds minus the time of it, so
// that every reader that takes a set replayed_at for "handled" (the pending filter, replay's check) stays right.
const replayedAt = (row: DeadJob) => (row.replayedAt !== null && row.replayedAt > 0 ? new Date(row.replayedAt).toISOString() : null);
const discardedAt = (row: DeadJob) => (row.replayedAt !== null && row.replayedAt < 0 ? new Date(-row.replayedAt).toISOString() : null);

function view(row: DeadJob): z.infer<typeof deadJobView> {
	return {
		id: row.id,
		queue: row.queue,
		message_id: row.messageId,
		body: row.body,
		attempts: row.attempts,
		error: row.error,
		replayed_at: replayedAt(row),
		discarded_at: discardedAt(row),
		created_at: new Date(row.createdAt).toISOString(),
	};
}

/** How a dead message of each queue is processed again: by the same code its consumer runs. */
const replayers: Record<string, (env: Env, body: unknown) => Promise<void>> = {
	"edge-gateway-usage": async (env, body) => {
		const envelope = usageEnvelope.safeParse(body);
		if (!envelope.success) throw new GatewayError("invalid_request", "This message is not a valid usage message and cannot be replayed");
		const records: UsageRecord[] = [];
		for (const raw of envelope.data.records) {
			// A record dead-lettered for an over-long text field (a model name, a path) is stored with it cut to its bound.
			const parsed = usageRecord.safeParse(isObject(raw) ? withinBounds(raw) : raw);
			if (!parsed.success) {
				throw new GatewayError("invalid_request", `This usage record cannot be replayed: ${describeIssues(parsed.error.issues).message}`);
			}
			records.push(parsed.data);
		}
		await writeUsage(env, [records]);
	},
	// An ingestion puts its file back in line, with a new message.
	"edge-gateway-ingest": async (env, body) => {
		const parsed = ingestMessage.safeParse(body);
		if (!parsed.success) throw new GatewayError("invalid_request", "This message is not a valid ingestion message and cannot be replayed");
		await requeueFile(env, parsed.data.vector_store_id, parsed.data.file_id);
	},
	// A batch worker starts again: it claims whatever lines of its key are still claimable.
	"edge-gateway-batch": async (env, body) => {
		const parsed = batchMessage.safeParse(body);
		if (!parsed.success) throw new GatewayError("invalid_request", "This message is not a valid batch worker message and cannot be replayed");
		await startWorkers(env, parsed.data.token_id, 1);
	},
	// A notification goes back on its queue, to be delivered (and retried) as it would have been.
	"edge-gateway-notify": async (env, body) => {
		const parsed = notification.safeParse(body);
		if (!parsed.success) throw new GatewayError("invalid_request", "This message is not a valid notification and cannot be replayed");
		await env.NOTIFY_QUEUE.send(parsed.data);
	},
};

function handled(job: DeadJob): GatewayError {
	const discarded = discardedAt(job);
	return new GatewayError("conflict", `Dead job ${job.id} was already ${discarded ? `discarded at ${discarded}` : `replayed at ${replayedAt(job)}`}`);
}

/** Who paused a queue, as the Jobs view shows it. */
const pausedBy = (p: Principal) => (p.userId === null ? "operator token" : `user ${p.userId}`);

async function find(env: Env, id: number): Promise<DeadJob> {
	const [row] = await db(env).select().from(deadJobs).where(eq(deadJobs.id, id)).limit(1);
	if (!row) throw new GatewayError("not_found", `Dead job ${id} does not exist`);
	return row;
}

async function queueState(env: Env, queue: JobQueue) {
	const state = (await queueOverview(env)).find((q) => q.queue === queue);
	if (!state) throw new GatewayError("not_found", `Queue '${queue}' does not exist`);
	return state;
}

/**
 * The queues and their consumers (pause and resume, recent counts), and the messages that exhausted their retries
 * (operator only; see queues/run-consumer.ts and queues/dead-letters.ts).
 */
export const jobRoutes = new Hono<AppEnv>()
	.get("/", async (c) => c.json({ data: await queueOverview(c.env) }))
	// Consumers read the state once per batch: a batch already running finishes as it began.
	.post("/:queue/pause", valid("param", queueParam), async (c) => {
		const { queue } = c.req.valid("param");
		await db(c.env)
			.insert(queueControls)
			.values({ queue, pausedAt: Date.now(), pausedBy: pausedBy(c.get("principal")) })
			.onConflictDoUpdate({
				target: queueControls.queue,
				set: { pausedAt: sql`coalesce(${queueControls.pausedAt}, excluded.paused_at)`, pausedBy: sql`coalesce(${queueControls.pausedBy}, excluded.paused_by)` },
			});
		return c.json(await queueState(c.env, queue));
	})
	.post("/:queue/resume", valid("param", queueParam), async (c) => {
		const { queue } = c.req.valid("param");
		await db(c.env).update(queueControls).set({ pausedAt: null, pausedBy: null }).where(eq(queueControls.queue, queue));
		return c.json(await queueState(c.env, queue));
	})
	.get("/dead", valid("query", deadJobQuery), async (c) => {
		const pending = c.req.valid("query").pending === "true";
		const rows = await db(c.env)
			.select()
			.from(deadJobs)
			.where(pending ? isNull(deadJobs.replayedAt) : undefined)
			.orderBy(desc(deadJobs.id))
			.limit(500);
		return c.json({ data: rows.map(view) });
	})
	.get("/dead/:id", valid("param", idParam), async (c) => c.json(view(await find(c.env, c.req.valid("param").id))))
	.post("/dead/:id/replay", valid("param", idParam), async (c) => {
		const job = await find(c.env, c.req.valid("param").id);
		if (job.replayedAt !== null) throw handled(job);
		const replay = replayers[job.queue];
		if (!replay) throw new GatewayError("invalid_request", `Messages of queue '${job.queue}' cannot be replayed`);
		// Writes are idempotent (request ids, ledger idempotency keys): a replay after a partial success is safe.
		await replay(c.env, job.body).catch((err: unknown) => {
			if (err instanceof GatewayError) throw err;
			// The database's reason (a constraint, say) is the operator's to see: it names no secret.
			throw new GatewayError("conflict", `The message still fails: ${err instanceof Error ? err.message : String(err)}`);
		});
		const [row] = await db(c.env)
			.update(deadJobs)
			.set({ replayedAt: Date.now() })
			.where(and(eq(deadJobs.id, job.id), isNull(deadJobs.replayedAt)))
			.returning();
		return c.json(view(row ?? job));
	})
	// Kept, marked, rather than deleted: what died and why stays on record.
	.post("/dead/:id/discard", valid("param", idParam), async (c) => {
		const job = await find(c.env, c.req.valid("param").id);
		if (job.replayedAt !== null) throw handled(job);
		const [row] = await db(c.env)
			.update(deadJobs)
			.set({ replayedAt: -Date.now() })
			.where(and(eq(deadJobs.id, job.id), isNull(deadJobs.replayedAt)))
			.returning();
		if (!row) throw handled(await find(c.env, job.id));
		return c.json(view(row));
	});

export const jobDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/jobs",
		summary: "Each queue (usage, notify, ingest, memory, batch): paused or not, its last hour per outcome and minute, its pending dead jobs",
		tag: "Jobs",
		auth: "admin",
		response: queueList,
	},
	{
		method: "post",
		path: "/api/jobs/{queue}/pause",
		summary: "Pause a queue's consumer: its messages wait on the queue (put back with a delay), none is lost",
		tag: "Jobs",
		auth: "admin",
		response: queueView,
	},
	{ method: "post", path: "/api/jobs/{queue}/resume", summary: "Resume a paused queue's consumer", tag: "Jobs", auth: "admin", response: queueView },
	{
		method: "get",
		path: "/api/jobs/dead",
		summary: "Queue messages that exhausted their retries",
		tag: "Jobs",
		auth: "admin",
		query: deadJobQuery,
		response: deadJobList,
	},
	{ method: "get", path: "/api/jobs/dead/{id}", summary: "One dead message", tag: "Jobs", auth: "admin", response: deadJobView, errors: [404] },
	{
		method: "post",
		path: "/api/jobs/dead/{id}/replay",
		summary: "Process a dead message again, as its consumer would (idempotent)",
		tag: "Jobs",
		auth: "admin",
		response: deadJobView,
		errors: [404, 409],
	},
	{
		method: "post",
		path: "/api/jobs/dead/{id}/discard",
		summary: "Give a dead message up: it stays listed as discarded and is never replayed",
		tag: "Jobs",
		auth: "admin",
		response: deadJobView,
		errors: [404, 409],
	},
];
