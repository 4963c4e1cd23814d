import { count, eq, isNull } from "drizzle-orm";
import { Hono } from "hono";
import type { BreakerState } from "../../durable-objects/breaker-types";
import { jobQueueOf } from "../../queues/job-queues";
import { db } from "../db/client";
import { channels, deadJobs, vectorStoreFiles } from "../db/schema";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { secretsEqual } from "../lib/crypto";
import { FAMILIES as F } from "../observability/metric-families";
import { type GaugeValue, renderMetrics } from "../observability/metrics";
import { flushMetrics, readTotals } from "../observability/metrics-flush";
import type { OperationDoc } from "../openapi/operation";
import { presentedKey } from "../relay/callers";

const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2, disabled: 3 };

/** Gauges are read where they live when scraped, not counted: dead jobs and files from D1, breakers from theirs. */
async function gauges(env: Env): Promise<GaugeValue[]> {
	const d = db(env);
	const [dead, files, rows] = await Promise.all([
		d.select({ queue: deadJobs.queue, n: count() }).from(deadJobs).where(isNull(deadJobs.replayedAt)).groupBy(deadJobs.queue),
		d.select({ status: vectorStoreFiles.status, n: count() }).from(vectorStoreFiles).groupBy(vectorStoreFiles.status),
		// A disabled channel serves nothing: its breaker is not worth a call per scrape.
		d.select({ id: channels.id }).from(channels).where(eq(channels.status, "enabled")),
	]);
	// A breaker that does not answer costs its own gauge, not the whole scrape.
	const settled = await Promise.allSettled(
		rows.map(({ id }) =>
			env.CHANNEL_BREAKER.getByName(String(id))
				.view()
				.then((view) => ({ id, view })),
		),
	);
	const views = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
	return [
		// By the short name the Jobs API and queue_messages_total use (usage, notify, ingest, memory).
		...dead.map((r) => ({ family: F.deadJobs, values: [jobQueueOf(r.queue) ?? r.queue], value: r.n })),
		...files.map((r) => ({ family: F.knowledgeFiles, values: [r.status], value: r.n })),
		...views.flatMap(({ id, view }) => [
			{ family: F.breakerState, values: [String(id), ""], value: BREAKER_VALUE[view.state] },
			...view.models.map((m) => ({ family: F.breakerState, values: [String(id), m.model], value: BREAKER_VALUE[m.state] })),
		]),
	];
}

/** The Prometheus endpoint: the admin token, or METRICS_TOKEN for a scraper that should hold nothing more. */
export const metricsRoutes = new Hono<AppEnv>().get("/", async (c) => {
	const presented = presentedKey(c.req.raw.headers);
	const { adminToken, metricsToken } = config(c.env);
	const allowed =
		presented !== undefined && ((await secretsEqual(presented, adminToken)) || (metricsToken !== undefined && (await secretsEqual(presented, metricsToken))));
	if (!allowed) throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <METRICS_TOKEN>' (or the admin token)");
	// This isolate's own counts first, so that a scrape sees every request this isolate answered before it.
	await flushMetrics(c.env);
	const [totals, current] = await Promise.all([readTotals(c.env), gauges(c.env)]);
	return c.body(renderMetrics(Object.values(F), totals, current), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
});

export const metricsDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/metrics",
		summary: "Prometheus metrics (text format 0.0.4), summed over every isolate: requests, model calls, tokens, cost, queues",
		tag: "Operations",
		auth: "admin",
		errors: [401],
	},
];
