import { z } from "zod";
import { channelTypes } from "../providers/registry";

const modelName = z.string().trim().min(1).max(200);

export const channelCreate = z.object({
	name: z.string().trim().min(1).max(100),
	type: z.enum(channelTypes),
	base_url: z.url({ protocol: /^https?$/ }).nullish(),
	key: z.string().min(1).max(4096).nullish(),
	models: z.array(modelName).min(1, "must list at least one model"),
	model_mapping: z.record(modelName, modelName).optional(),
	priority: z.number().int().min(-1000).max(1000).optional(),
	weight: z.number().int().min(0).max(10_000).optional(),
	groups: z.array(z.string().trim().min(1).max(100)).min(1).optional(),
	status: z.enum(["enabled", "disabled"]).optional(),
	settings: z.record(z.string(), z.unknown()).optional(),
});

export const channelPatch = channelCreate.partial();

export const channelView = z.object({
	id: z.number(),
	name: z.string(),
	type: z.string(),
	base_url: z.string().nullable(),
	/** A masked form of the upstream key, e.g. `sk-…a1b2`; the key itself is never returned. */
	key_masked: z.string().nullable(),
	models: z.array(z.string()),
	model_mapping: z.record(z.string(), z.string()),
	groups: z.array(z.string()),
	priority: z.number(),
	weight: z.number(),
	status: z.enum(["enabled", "disabled"]),
	settings: z.record(z.string(), z.unknown()),
	created_at: z.string(),
	updated_at: z.string(),
});

export const channelList = z.object({ data: z.array(channelView) });

/** Which of the channel's models to test; the first one by default. */
export const channelTestQuery = z.object({ model: modelName.optional() });

export const channelTestResult = z.object({
	ok: z.boolean(),
	model: z.string(),
	/** The URL called, credentials left out; null for a channel reached without one (`mock`, `workers-ai`). */
	url: z.string().nullable(),
	/** The upstream's HTTP status; null when no answer came (timeout, connection refused). */
	status: z.number().nullable(),
	latency_ms: z.number(),
	/** What went wrong, sanitized, when `ok` is false. */
	error: z.string().nullable(),
	/** The provider's own error code and type (e.g. `insufficient_quota`), as the breakers weigh them. */
	error_codes: z.array(z.string()),
	/** The start of the upstream's answer (at most 500 characters, secrets redacted); null when no answer came. */
	body: z.string().nullable(),
	/** The channel's models with no price on it (neither the model's own nor this channel's override), however the test went. */
	unpriced_models: z.array(z.string()),
	/** What a request for one of them gets: `refused` (403 `model_not_priced`), or `free` (served at no cost: ALLOW_UNPRICED_MODELS). */
	unpriced_policy: z.enum(["refused", "free"]),
});

export const channelTypeList = z.object({
	data: z.array(
		z.object({
			type: z.string(),
			wire: z.enum(["openai", "anthropic", "gemini"]),
			operations: z.array(z.enum(["chat", "embeddings"])),
			default_base_url: z.string().nullable(),
		}),
	),
});

const breakerState = z.enum(["closed", "open", "half_open", "disabled"]);
/** While open or half-open: a rate limit of the upstream (`rate_limit`: clients are answered 429) or failures (503). */
const openedBy = z.enum(["rate_limit", "failures"]).nullable();
const breakerWindow = z.object({
	requests: z.number(),
	failures: z.number(),
	error_rate: z.number(),
	length_ms: z.number().describe("The window's length: the counts are of the attempts of the last length_ms (settings.breaker.windowMs)"),
});

/** One breaker's state, the channel's own or one model's on it. */
const breakerRecord = z.object({
	state: breakerState,
	/** While open: when one trial request (half-open) may go through. */
	retry_at: z.string().nullable(),
	opened_by: openedBy,
	consecutive_failures: z.number(),
	window: breakerWindow,
	openings: z.number(),
	last_error: z.string().nullable(),
	last_error_at: z.string().nullable(),
	next_probe_at: z.string().nullable(),
	updated_at: z.string(),
});

/** One model's breaker on the channel: 429, 404 and 5xx answers for that model count here, not against the channel. */
export const modelHealth = breakerRecord.extend({ model: z.string() });

/** The channel's own breaker (its host: connections, timeouts; its credentials: disabled) and its models'. */
export const channelHealth = breakerRecord.extend({
	channel_id: z.number(),
	disabled_reason: z.string().nullable(),
	/** The models that have failed on this channel (at most 32, the least recently changed dropped first), by name. */
	models: z.array(modelHealth),
});
