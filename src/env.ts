import { z } from "zod";
import type { Principal } from "./auth/principal";
import type { ErrorDialect } from "./errors/render";
import type { Span } from "./observability/tracer";
import type { CallerKey } from "./types/caller";

/**
 * What the middleware sets on a request. The relay routes' usage meter is added by `middleware/usage-meter.ts`
 * (`declare module`), so that this file, which every layer reads, depends on nothing above it.
 */
export interface AppVariables {
	/** The gateway's own id for the request (src/middleware/request-ids.ts). */
	requestId: string;
	/** The correlation id the client sent, if usable; it keys nothing. */
	clientRequestId: string | undefined;
	caller: CallerKey;
	/** Who called /api. */
	principal: Principal;
	/** The error format of the API called; OpenAI's when unset. */
	dialect: ErrorDialect;
	/** The request's server span (src/middleware/tracing.ts): its trace and span ids, and its child spans. */
	trace: Span;
}

export type AppEnv = {
	Bindings: Env;
	Variables: AppVariables;
};

const positiveInt = z.coerce.number().int().positive();

const configSchema = z.object({
	RELAY_MAX_ATTEMPTS: positiveInt.max(10),
	RELAY_DEADLINE_MS: positiveInt,
	RELAY_FIRST_BYTE_TIMEOUT_MS: positiveInt,
	STREAM_IDLE_TIMEOUT_MS: positiveInt.default(30_000),
	STREAM_MAX_CONTINUATIONS: z.coerce.number().int().min(0).max(10).default(2),
	MAX_BODY_BYTES: positiveInt,
	ALLOW_UNPRICED_MODELS: z.enum(["true", "false"]).default("false"),
	RESERVE_DEFAULT_OUTPUT_TOKENS: positiveInt.default(1024),
	RESERVE_MIN_OUTPUT_TOKENS: positiveInt.default(16),
	DASHBOARD_ORIGIN: z.union([z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin), z.literal("")]).default(""),
	ALERT_WEBHOOK_URL: z.union([z.url({ protocol: /^https?$/ }), z.literal("")]).default(""),
	ALERT_WEBHOOK_FORMAT: z.enum(["json", "slack", "dingtalk", "feishu"]).default("json"),
	ALERT_WEBHOOK_SECRET: z.string().default(""),
	CHANNEL_PROBE_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(5),
	CHANNEL_PROBE_FAILURES_TO_DISABLE: positiveInt.default(3),
	METRICS: z.enum(["on", "off"]).default("on"),
	METRICS_SHARDS: positiveInt.max(64).default(4),
	METRICS_FLUSH_MS: z.coerce.number().int().min(0).default(1000),
	METRICS_TOKEN: z.string().default(""),
	REQUEST_LOGS: z.enum(["on", "off"]).default("on"),
	OTEL_EXPORTER_OTLP_ENDPOINT: z.union([z.url({ protocol: /^https?$/ }), z.literal("")]).default(""),
	OTEL_EXPORTER_OTLP_HEADERS: z.string().default(""),
	OTEL_SERVICE_NAME: z.string().min(1).default("edge-gateway"),
	USAGE_RETENTION_DAYS: positiveInt,
	FILES_MAX_BYTES: positiveInt.default(33_554_432),
	RESPONSE_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
	CONVERSATION_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
	CONTEXT_WINDOW_TOKENS: positiveInt.default(128_000),
	CONVERSATION_SUMMARY_IDLE_MINUTES: positiveInt.default(30),
	FILES_QUOTA_BYTES_PER_USER: positiveInt.default(1_073_741_824),
	AUDIT_RETENTION_DAYS: z.coerce.number().int().min(30).default(365),
	KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
	KEY_EXPIRY_REMINDER_DAYS: z.coerce.number().int().min(0).default(7),
	KEY_ROTATION_GRACE_HOURS: z.coerce.number().min(0).default(24),
	ANOMALY_POLICY: z.enum(["off", "alert", "lock"]).default("alert"),
	AUTH_FAILURES_PER_MINUTE: positiveInt.default(20),
	CACHE_HIT_PRICE: z.coerce.number().min(0).max(1).default(0),
	BATCH_DISCOUNT: z.coerce.number().min(0).max(1).default(0.5),
	BATCH_CONCURRENCY: positiveInt.max(1000).default(4),
	CACHE_SHARED_GROUPS: z.string().default(""),
	CACHE_EMBEDDING_MODEL: z.string().default(""),
	VECTOR_EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
	MEMORY_SEARCH_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
	ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be at least 16 characters"),
	ENCRYPTION_KEY: z.string().refine((v) => decodedLength(v) === 32, "ENCRYPTION_KEY must be 32 bytes, base64-encoded"),
	ENCRYPTION_KEY_PREVIOUS: z
		.string()
		.refine((v) => v === "" || decodedLength(v) === 32, "ENCRYPTION_KEY_PREVIOUS must be 32 bytes, base64-encoded")
		.default(""),
});

export type Config = {
	maxAttempts: number;
	deadlineMs: number;
	firstByteTimeoutMs: number;
	/** A stream silent this long, with only text in flight, is continued on another channel. */
	streamIdleTimeoutMs: number;
	/** How many times one stream may be continued on another channel after breaking; 0: never. */
	streamMaxContinuations: number;
	maxBodyBytes: number;
	/** Where operator notifications (channel opened, recovered, disabled) are POSTed; undefined: nowhere. */
	alertWebhookUrl: string | undefined;
	/** The body shape the webhook receives. */
	alertWebhookFormat: "json" | "slack" | "dingtalk" | "feishu";
	/** Signs each webhook POST (HMAC-SHA256) when set. */
	alertWebhookSecret: string | undefined;
	/** Minutes between two active probes of a channel; 0: no probes. */
	channelProbeIntervalMinutes: number;
	/** Probes failed in a row after which a channel is disabled. */
	channelProbeFailuresToDisable: number;
	/** Count requests for GET /metrics. */
	metrics: boolean;
	/** How many aggregator Durable Objects the isolates spread their metric flushes over. */
	metricsShards: number;
	/** The longest an isolate holds counts before flushing them; 0: after every request. */
	metricsFlushMs: number;
	/** A bearer token that may read /metrics besides the admin token; undefined: only the admin token. */
	metricsToken: string | undefined;
	/** One JSON log line per request. */
	requestLogs: boolean;
	/** The OTLP/HTTP collector spans are exported to; undefined: tracing off. */
	otlpEndpoint: string | undefined;
	/** Headers sent with each export, e.g. the collector's API key. */
	otlpHeaders: Record<string, string>;
	otelServiceName: string;
	/** Serve models that have no price, at no charge; otherwise they are refused. */
	allowUnpriced: boolean;
	/** The origin of a dashboard served apart from the Worker (Pages), allowed to call /api across origins. */
	dashboardOrigin: string | undefined;
	/** Output tokens a request without max_tokens is assumed to use, for rate limits and budgets. */
	reserveDefaultOutputTokens: number;
	/** The fewest output tokens a request is sent with when its budget cannot pay for all it asks: below that, 402. */
	reserveMinOutputTokens: number;
	/** Whole days of raw usage logs kept; rollups are kept for good. */
	usageRetentionDays: number;
	/** The largest file /v1/files accepts, in bytes. */
	filesMaxBytes: number;
	/** Days a stored response (/v1/responses with `store`) is kept; 0: for ever. */
	responseRetentionDays: number;
	/** Days a conversation is kept after its last turn; 0: for ever. */
	conversationRetentionDays: number;
	/** The context window stateful Responses with `truncation: "auto"` cut their history to, in estimated tokens. */
	contextWindowTokens: number;
	/** Minutes without a turn after which a chat app's conversation counts as finished and is summed up into memory. */
	conversationSummaryIdleMinutes: number;
	/** The bytes of files one user may keep stored, all their keys together. */
	filesQuotaBytesPerUser: number;
	/** Days audit entries are kept (at least 30: the database refuses to delete younger ones). */
	auditRetentionDays: number;
	/**
	 * How long an isolate trusts what it read of a key (status, limits, scopes): the bound within which a revoked,
	 * disabled or locked key is refused everywhere. The isolate that made the change forgets at once.
	 */
	keyCacheSeconds: number;
	/** Days before a key expires that its owner is reminded (and an auto-rotating key is rotated); 0: never. */
	keyExpiryReminderDays: number;
	/** Hours a rotated key's old secret keeps working when the rotation names no grace period. */
	keyRotationGraceHours: number;
	/** Anomaly detection for keys that set no policy of their own: off, alert (audit + webhook), or lock the key. */
	anomalyPolicy: "off" | "alert" | "lock";
	/** Failed authentications one address may make per minute before it is refused without a database read. */
	authFailuresPerMinute: number;
	/** The fraction of an answer's price a response-cache hit is charged: 0 (free) to 1 (full price). */
	cacheHitPrice: number;
	/** The fraction taken off a batch line's price (/v1/batches). */
	batchDiscount: number;
	/** Lines of one key's batches run at once, for a key without its own `batch_concurrency`. */
	batchConcurrency: number;
	/** Groups whose users share one response cache (an answer one of them paid for serves them all). */
	cacheSharedGroups: ReadonlySet<string>;
	/** The embedding model of the semantic cache; empty: VECTOR_EMBEDDING_MODEL. */
	cacheEmbeddingModel: string;
	/** Seconds a memory search is served again for the same entity and query, unless the entity's memories change; 0: never. */
	memorySearchCacheSeconds: number;
	adminToken: string;
	encryptionKey: string;
	/** The key upstream keys were encrypted with before ENCRYPTION_KEY, still accepted for reading while a job re-encrypts. */
	encryptionKeyPrevious: string | undefined;
};

function decodedLength(b64: string): number {
	try {
		return atob(b64).length;
	} catch {
		return -1;
	}
}

/** OTEL_EXPORTER_OTLP_HEADERS as OpenTelemetry's SDKs read it: "name=value,name2=value2", values URL-encoded. */
function headerList(raw: string): Record<string, string> {
	const headers: Record<string, string> = {};
	for (const pair of raw.split(",")) {
		const at = pair.indexOf("=");
		if (at <= 0) continue;
		const value = pair.slice(at + 1).trim();
		try {
			headers[pair.slice(0, at).trim()] = decodeURIComponent(value);
		} catch {
			headers[pair.slice(0, at).trim()] = value;
		}
	}
	return headers;
}

// One parse per env object: bindings are fixed for the life of an isolate.
const parsed = new WeakMap<Env, Config>();

/** Reads and validates vars and secrets once; a misconfigured deployment fails loudly on its first request. */
export function config(env: Env): Config {
	const hit = parsed.get(env);
	if (hit) return hit;
	const result = configSchema.safeParse(env);
	if (!result.success) {
		const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
		throw new Error(`Invalid configuration: ${problems}`);
	}
	const v = result.data;
	const cfg: Config = {
		maxAttempts: v.RELAY_MAX_ATTEMPTS,
		deadlineMs: v.RELAY_DEADLINE_MS,
		firstByteTimeoutMs: v.RELAY_FIRST_BYTE_TIMEOUT_MS,
		streamIdleTimeoutMs: v.STREAM_IDLE_TIMEOUT_MS,
		streamMaxContinuations: v.STREAM_MAX_CONTINUATIONS,
		maxBodyBytes: v.MAX_BODY_BYTES,
		allowUnpriced: v.ALLOW_UNPRICED_MODELS === "true",
		alertWebhookUrl: v.ALERT_WEBHOOK_URL || undefined,
		alertWebhookFormat: v.ALERT_WEBHOOK_FORMAT,
		alertWebhookSecret: v.ALERT_WEBHOOK_SECRET || undefined,
		channelProbeIntervalMinutes: v.CHANNEL_PROBE_INTERVAL_MINUTES,
		channelProbeFailuresToDisable: v.CHANNEL_PROBE_FAILURES_TO_DISABLE,
		metrics: v.METRICS === "on",
		metricsShards: v.METRICS_SHARDS,
		metricsFlushMs: v.METRICS_FLUSH_MS,
		metricsToken: v.METRICS_TOKEN || undefined,
		requestLogs: v.REQUEST_LOGS === "on",
		otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
		otlpHeaders: headerList(v.OTEL_EXPORTER_OTLP_HEADERS),
		otelServiceName: v.OTEL_SERVICE_NAME,
		reserveDefaultOutputTokens: v.RESERVE_DEFAULT_OUTPUT_TOKENS,
		reserveMinOutputTokens: v.RESERVE_MIN_OUTPUT_TOKENS,
		dashboardOrigin: v.DASHBOARD_ORIGIN || undefined,
		usageRetentionDays: v.USAGE_RETENTION_DAYS,
		filesMaxBytes: v.FILES_MAX_BYTES,
		responseRetentionDays: v.RESPONSE_RETENTION_DAYS,
		conversationRetentionDays: v.CONVERSATION_RETENTION_DAYS,
		contextWindowTokens: v.CONTEXT_WINDOW_TOKENS,
		conversationSummaryIdleMinutes: v.CONVERSATION_SUMMARY_IDLE_MINUTES,
		filesQuotaBytesPerUser: v.FILES_QUOTA_BYTES_PER_USER,
		auditRetentionDays: v.AUDIT_RETENTION_DAYS,
		keyCacheSeconds: v.KEY_CACHE_SECONDS,
		keyExpiryReminderDays: v.KEY_EXPIRY_REMINDER_DAYS,
		keyRotationGraceHours: v.KEY_ROTATION_GRACE_HOURS,
		anomalyPolicy: v.ANOMALY_POLICY,
		authFailuresPerMinute: v.AUTH_FAILURES_PER_MINUTE,
		cacheHitPrice: v.CACHE_HIT_PRICE,
		batchDiscount: v.BATCH_DISCOUNT,
		batchConcurrency: v.BATCH_CONCURRENCY,
		cacheSharedGroups: new Set(
			v.CACHE_SHARED_GROUPS.split(",")
				.map((g) => g.trim())
				.filter(Boolean),
		),
		cacheEmbeddingModel: v.CACHE_EMBEDDING_MODEL || v.VECTOR_EMBEDDING_MODEL,
		memorySearchCacheSeconds: v.MEMORY_SEARCH_CACHE_SECONDS,
		adminToken: v.ADMIN_TOKEN,
		encryptionKey: v.ENCRYPTION_KEY,
		encryptionKeyPrevious: v.ENCRYPTION_KEY_PREVIOUS || undefined,
	};
	parsed.set(env, cfg);
	return cfg;
}
