import { z } from "zod";
import { anomalyOverrides } from "../../durable-objects/anomaly-types";
import { cacheInput, cacheView } from "./cache-schemas";
import { ipAllow, scopes, scopesView, tags } from "./key-access-schemas";
import { limitFields, limitsView } from "./limit-schemas";

const models = z.array(z.string().trim().min(1).max(200)).nullish();
const expiresAt = z.iso.datetime({ offset: true }).nullish();
/**
 * Chat that remembers: "read" puts the end user's memories (named by a request's `memory.user_id`, or its dialect's
 * own user field) in the prompt; "read_write" also keeps each turn for extraction; "off" neither. Takes effect
 * without a restart.
 */
const memoryMode = z.enum(["off", "read", "read_write"]);
/** Anomaly detection for this key (README, "Anomaly detection"); omitted or null: ANOMALY_POLICY with the defaults. */
const anomaly = anomalyOverrides.nullish();

export const keyCreate = z.object({
	name: z.string().trim().min(1).max(100),
	/** Models the key may use; omitted or null means every model its group can reach. */
	models,
	/** ISO 8601 date-time; omitted or null means the key never expires. */
	expires_at: expiresAt,
	/** The owner; defaults to the admin user. */
	user_id: z.number().int().positive().optional(),
	memory_mode: memoryMode.default("off"),
	/** A stream that breaks mid-way is continued on another channel of the model; false: it ends with its error event. */
	stream_continuation: z.boolean().default(true),
	anomaly,
	cache: cacheInput,
	/** The API surfaces the key may call, within its user's; omitted or null: all of its user's. */
	scopes,
	tags,
	ip_allow: ipAllow,
	/** Renewed by the cron before it expires instead of only reminding (README, "Expiry reminders"). */
	auto_rotate: z.boolean().default(false),
	...limitFields,
});

export const keyPatch = z.object({
	name: z.string().trim().min(1).max(100).optional(),
	models,
	expires_at: expiresAt,
	/** "active" also unlocks a locked key (its owner or the operator). */
	status: z.enum(["active", "disabled"]).optional(),
	memory_mode: memoryMode.optional(),
	stream_continuation: z.boolean().optional(),
	anomaly,
	cache: cacheInput,
	scopes,
	tags,
	ip_allow: ipAllow,
	auto_rotate: z.boolean().optional(),
	/** Lines of the key's batches run at once (/v1/batches); the operator's to set; null: BATCH_CONCURRENCY. */
	batch_concurrency: z.number().int().min(1).max(1000).nullish(),
	...limitFields,
});

export const keyListQuery = z.object({ tag: z.string().trim().min(1).max(50).optional() });

export const keyRotate = z.object({
	/** How long the old secret keeps working; default KEY_ROTATION_GRACE_HOURS; 0: it stops at once. */
	grace_hours: z
		.number()
		.min(0)
		.max(24 * 90)
		.optional(),
});

export const keyView = z.object({
	id: z.number(),
	user_id: z.number(),
	name: z.string(),
	/** The first characters of the key, to tell keys apart; the key itself is shown only once, at creation. */
	key_prefix: z.string(),
	status: z.enum(["active", "disabled", "locked"]),
	models: z.array(z.string()).nullable(),
	expires_at: z.string().nullable(),
	memory_mode: memoryMode,
	stream_continuation: z.boolean(),
	/** An app key's app (it works only at /dify/v1; POST /api/apps/{id}/keys makes one); null for an ordinary key. */
	app_id: z.string().nullable(),
	/** The key's own anomaly settings; null: ANOMALY_POLICY with the defaults. */
	anomaly: anomalyOverrides.nullable(),
	cache: cacheView,
	/** Why the key is locked (status "locked"); null while it is not. */
	locked_reason: z.string().nullable(),
	locked_at: z.string().nullable(),
	created_at: z.string(),
	last_used_at: z.string().nullable(),
	/** Spent in total (usage less refunds), USD. */
	spent_usd: z.number(),
	/** Requests served with this key. */
	request_count: z.number(),
	/** The key's own scopes; null: all of its user's. */
	scopes: scopesView,
	tags: z.array(z.string()),
	ip_allow: z.array(z.string()).nullable(),
	auto_rotate: z.boolean(),
	/** Lines of the key's batches run at once, as the operator set it; null: BATCH_CONCURRENCY. */
	batch_concurrency: z.number().nullable(),
	/** The replaced secret's prefix while it still works after a rotation, and until when; null otherwise. */
	previous_key_prefix: z.string().nullable(),
	previous_key_expires_at: z.string().nullable(),
	/** It expires within KEY_EXPIRY_REMINDER_DAYS. */
	expiring_soon: z.boolean(),
	...limitsView.shape,
	/**
	 * The limits the operator set on this key, with the operator's values: its user may tighten these (or set them
	 * back up to these values), never loosen or clear them. Limits not named here are the user's own.
	 */
	operator_limits: z.object({
		rpm: z.number().optional(),
		tpm: z.number().optional(),
		max_concurrency: z.number().optional(),
		budget_daily_usd: z.number().optional(),
		budget_monthly_usd: z.number().optional(),
		quota_usd: z.number().optional(),
		models: z.array(z.string()).optional(),
		expires_at: z.string().optional(),
	}),
});

export const keyCreated = keyView.extend({ key: z.string().describe("The full key (sk-gw_...). Shown only in this response.") });

export const keyList = z.object({ data: z.array(keyView) });
