import type { z } from "zod";
import { JOB_QUEUES, jobQueues } from "../../../queues/job-queues";
import type { queueView } from "../job-schemas";

type QueueView = z.infer<typeof queueView>;
type Outcome = "acked" | "retried" | "deferred" | "dead";

const HOUR_MINUTES = 60;
const zero = () => ({ acked: 0, retried: 0, deferred: 0, dead: 0 });
const isOutcome = (o: string): o is Outcome => o === "acked" || o === "retried" || o === "deferred" || o === "dead";

/** Every queue's state and last hour, read in one D1 batch. */
export async function queueOverview(env: Env, now = Date.now()): Promise<QueueView[]> {
	const since = Math.floor(now / 60_000) - HOUR_MINUTES + 1;
	const [controls, stats, dead] = await env.DB.batch<Record<string, unknown>>([
		env.DB.prepare("SELECT queue, paused_at, paused_by FROM queue_controls"),
		env.DB.prepare("SELECT queue, minute, outcome, count FROM queue_stats WHERE minute >= ?1 ORDER BY minute").bind(since),
		env.DB.prepare("SELECT queue, COUNT(*) AS n FROM dead_jobs WHERE replayed_at IS NULL GROUP BY queue"),
	]);
	const views = JOB_QUEUES.map(
		(q): QueueView => ({
			queue: q,
			queue_name: jobQueues[q].queue,
			paused: false,
			paused_at: null,
			paused_by: null,
			last_hour: zero(),
			minutes: [],
			dead_pending: 0,
		}),
	);
	// queue_controls and queue_stats use the API's names; dead_jobs the Cloudflare queues'.
	const viewOf = (name: unknown) => views.find((v) => v.queue === name || v.queue_name === name);
	for (const row of controls?.results ?? []) {
		const view = viewOf(row.queue);
		if (!view || typeof row.paused_at !== "number") continue;
		view.paused = true;
		view.paused_at = new Date(row.paused_at).toISOString();
		view.paused_by = typeof row.paused_by === "string" ? row.paused_by : null;
	}
	for (const row of stats?.results ?? []) {
		const view = viewOf(row.queue);
		const outcome = String(row.outcome);
		if (!view || !isOutcome(outcome)) continue;
		const minute = new Date(Number(row.minute) * 60_000).toISOString();
		let point = view.minutes.at(-1);
		if (point?.minute !== minute) {
			point = { minute, ...zero() };
			view.minutes.push(point);
		}
		point[outcome] += Number(row.count);
		view.last_hour[outcome] += Number(row.count);
	}
	for (const row of dead?.results ?? []) {
		const view = viewOf(row.queue);
		if (view) view.dead_pending += Number(row.n);
	}
	return views;
}
