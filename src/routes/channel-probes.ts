import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { toUsd } from "../billing/money";
import { db } from "../db/client";
import { channelProbes } from "../db/schema";
import type { AppEnv } from "../env";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { findChannel } from "./shared/find";
import { pageLimit } from "./shared/pagination";
import { idParam } from "./shared/params";

export const probeQuery = z.object({ limit: pageLimit(50, 200) });

export const probeView = z.object({
	/** "models": the upstream's free models list; "completion": a one-token request, where the type has no list. */
	kind: z.enum(["models", "completion"]),
	ok: z.boolean(),
	/** The upstream's HTTP status; null when no answer came (timeout, connection refused). */
	status: z.number().nullable(),
	latency_ms: z.number(),
	/** What went wrong, sanitized. */
	error: z.string().nullable(),
	input_tokens: z.number(),
	output_tokens: z.number(),
	/** What the probe cost at the channel's price (a completion probe; a models list is free). */
	cost_usd: z.number(),
	created_at: z.string(),
});

export const probeList = z.object({ data: z.array(probeView) });

/** The channel's active health checks (src/rollups/channel-probes.ts), newest first (mounted under /api/channels). */
export const channelProbeRoutes = new Hono<AppEnv>().get("/:id/probes", valid("param", idParam), valid("query", probeQuery), async (c) => {
	const { id } = c.req.valid("param");
	await findChannel(c.env, id);
	const rows = await db(c.env)
		.select()
		.from(channelProbes)
		.where(eq(channelProbes.channelId, id))
		.orderBy(desc(channelProbes.createdAt), desc(channelProbes.id))
		.limit(c.req.valid("query").limit);
	const data = rows.map(
		(r): z.infer<typeof probeView> => ({
			kind: r.kind,
			ok: r.ok,
			status: r.status,
			latency_ms: r.latencyMs,
			error: r.error,
			input_tokens: r.inputTokens,
			output_tokens: r.outputTokens,
			cost_usd: toUsd(r.costNusd),
			created_at: new Date(r.createdAt).toISOString(),
		}),
	);
	return c.json({ data });
});

export const channelProbeDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/channels/{id}/probes",
		summary: "The channel's recent active health checks (cron probes), newest first: outcome, status, latency, error, cost",
		tag: "Channels",
		auth: "admin",
		query: probeQuery,
		response: probeList,
		errors: [404],
	},
];
