import { Hono } from "hono";
import type { z } from "zod";
import type { BreakerView, RecordView } from "../../durable-objects/breaker-types";
import { audit } from "../audit/record";
import type { AppEnv } from "../env";
import { iso } from "../lib/iso";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { observe } from "../relay/breakers";
import { channelHealth, type modelHealth } from "./channel-schemas";
import { findChannel } from "./shared/find";
import { idParam } from "./shared/params";

function recordView(v: RecordView) {
	return {
		state: v.state,
		retry_at: iso(v.retryAt),
		opened_by: v.openedBy,
		consecutive_failures: v.consecutiveFailures,
		window: { requests: v.window.requests, failures: v.window.failures, error_rate: v.window.errorRate, length_ms: v.window.lengthMs },
		openings: v.openings,
		last_error: v.lastError,
		last_error_at: iso(v.lastErrorAt),
		next_probe_at: iso(v.nextProbeAt),
		updated_at: new Date(v.updatedAt).toISOString(),
	};
}

function healthView(channelId: number, v: BreakerView): z.infer<typeof channelHealth> {
	return {
		channel_id: channelId,
		...recordView(v),
		disabled_reason: v.disabledReason,
		models: v.models.map((m): z.infer<typeof modelHealth> => ({ model: m.model, ...recordView(m) })),
	};
}

/** A channel's circuit breaker, for the operator (mounted under /api/channels). */
export const channelHealthRoutes = new Hono<AppEnv>()
	.get("/:id/health", valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		await findChannel(c.env, id);
		const view = await c.env.CHANNEL_BREAKER.getByName(String(id)).view();
		observe(id, view);
		return c.json(healthView(id, view));
	})
	.post("/:id/health/reset", valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		await findChannel(c.env, id);
		const view = await c.env.CHANNEL_BREAKER.getByName(String(id)).reset();
		observe(id, view);
		audit(c, { action: "channel.breaker_reset", objectType: "channel", objectId: id });
		return c.json(healthView(id, view));
	});

export const channelHealthDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/channels/{id}/health",
		summary: "The channel's circuit breaker and those of its models: state, window stats, last error, next probe",
		tag: "Channels",
		auth: "admin",
		response: channelHealth,
		errors: [404],
	},
	{
		method: "post",
		path: "/api/channels/{id}/health/reset",
		summary: "Close the channel's breaker and its models' (re-enables a channel disabled for auth or billing)",
		tag: "Channels",
		auth: "admin",
		response: channelHealth,
		errors: [404],
	},
];
