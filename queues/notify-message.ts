import { z } from "zod";

const common = {
	/** Unique per event: a receiver can drop the duplicates that retries may deliver. */
	id: z.string().min(1).max(64),
	at: z.string(),
};

/** A channel's breaker, or the breaker of one model on it (`model`), changed state in a way an operator should hear of. */
const channelEvent = z.object({
	...common,
	type: z.enum(["channel.opened", "channel.recovered", "channel.disabled"]),
	channel_id: z.number().int(),
	/** Only the model's breaker changed; the channel serves its other models. Absent for the channel's own. */
	model: z.string().max(200).optional(),
	state: z.enum(["closed", "open", "half_open", "disabled"]),
	reason: z.string().max(500).nullable(),
});

/** A key's, user's or group's spend crossed 80% or 100% of a budget, or a request was refused because it is spent. */
const budgetEvent = z.object({
	...common,
	type: z.enum(["budget.threshold", "budget.exhausted"]),
	scope: z.enum(["token", "user", "group"]),
	scope_id: z.string().max(200),
	period: z.enum(["daily", "monthly", "total"]),
	percent: z.number().int().nonnegative(),
	limit_usd: z.number(),
	spent_usd: z.number(),
});

/** An alert rule's threshold was passed over its window (src/rollups/alerts.ts), for the whole gateway or one subject. */
const alertEvent = z.object({
	...common,
	type: z.literal("alert.fired"),
	rule_id: z.number().int(),
	rule: z.string().max(200),
	metric: z.enum(["error_rate", "p95_latency_ms", "p95_ttfb_ms", "spend_usd"]),
	scope: z.enum(["all", "model", "channel", "key"]),
	/** The model, channel id or key id measured; "" for the whole gateway. */
	subject: z.string().max(200),
	value: z.number(),
	threshold: z.number(),
	window_minutes: z.number().int(),
	requests: z.number().int(),
});

/** A queue message exhausted its retries and was filed in dead_jobs. Its body is left out: it may hold user content. */
const jobEvent = z.object({
	...common,
	type: z.literal("job.dead"),
	queue: z.string().max(100),
	dead_job_id: z.number().int(),
	message_id: z.string().max(200),
	attempts: z.number().int(),
	error: z.string().max(500).nullable(),
});

/**
 * Something about a key its owner and the operator should hear of: anomaly detection saw unusual use
 * (`security.anomaly`) and, per policy, locked it (`security.locked`, also a reported leak); an address failed to
 * authenticate again and again (`security.auth_failures`, no key); a key expires soon (`key.expiring`) or was rotated
 * by the cron before it did (`key.rotated`).
 */
const keyEvent = z.object({
	...common,
	type: z.enum(["security.anomaly", "security.locked", "security.auth_failures", "key.expiring", "key.rotated"]),
	key_id: z.number().int().nullable(),
	user_id: z.number().int().nullable(),
	reason: z.string().max(500),
	/** What was seen (a new country, a rate), never a secret. */
	detail: z.record(z.string(), z.unknown()).optional(),
});

/** An operator notification, as the producers send it and the webhook receives it (the body of the POST). */
export const notification = z.discriminatedUnion("type", [channelEvent, budgetEvent, alertEvent, jobEvent, keyEvent]);

export type Notification = z.infer<typeof notification>;
export type ChannelNotification = z.infer<typeof channelEvent>;
export type AlertNotification = z.infer<typeof alertEvent>;
export type KeyNotification = z.infer<typeof keyEvent>;
