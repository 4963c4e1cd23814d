import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { HASH_FIELDS, ROUTING_POLICIES } from "../types/routing";

// Milliseconds since the epoch, like Date.now().
const timestamp = (name: string) => integer(name, { mode: "number" }).notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

/**
 * The limits a key, a user or a group can carry, each null for none: enforced by the governor Durable Objects
 * (durable-objects/key-governor.ts). Budgets are nano-USD, per UTC day, per UTC month, and in total.
 */
const limitColumns = () => ({
	rpm: integer("rpm"),
	tpm: integer("tpm"),
	maxConcurrency: integer("max_concurrency"),
	budgetDailyNusd: integer("budget_daily_nusd"),
	budgetMonthlyNusd: integer("budget_monthly_nusd"),
	quotaNusd: integer("quota_nusd"),
});

export const users = sqliteTable(
	"users",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		name: text("name").notNull().unique(),
		role: text("role", { enum: ["admin", "user"] })
			.notNull()
			.default("user"),
		group: text("group").notNull().default("default"),
		// "deleted": purged at its own or the operator's request (DELETE /api/users/{id}?purge=true): its data is gone,
		// its name and email anonymised, its ledger and usage kept for accounting.
		status: text("status", { enum: ["active", "disabled", "deleted"] })
			.notNull()
			.default("active"),
		// Money is integer nano-USD (1e-9 USD) everywhere in the database, so that sums are exact.
		// Changed only by the ledger's trigger (migrations/0003), never directly.
		balanceNusd: integer("balance_nusd").notNull().default(0),
		...limitColumns(),
		// For signing in to the dashboard: a lower-cased email and a PBKDF2 hash (src/auth/password.ts); both optional.
		email: text("email"),
		passwordHash: text("password_hash"),
		// The chat model that extracts this user's memories; null means MEMORY_MODEL.
		memoryModel: text("memory_model"),
		// The API surfaces this user's keys may be given (src/auth/scopes.ts); null: all of them.
		scopes: text("scopes", { mode: "json" }).$type<string[] | null>(),
		deletedAt: integer("deleted_at", { mode: "number" }),
		createdAt: timestamp("created_at"),
	},
	(t) => [uniqueIndex("users_email_idx").on(t.email)],
);

// Gateway API keys. The table keeps its first name, "tokens", as does the API path /api/tokens that clients use.
export const apiKeys = sqliteTable(
	"tokens",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id),
		name: text("name").notNull(),
		// SHA-256 of the full key, hex; the key itself is shown once and never stored.
		keyHash: text("key_hash").notNull(),
		keyPrefix: text("key_prefix").notNull(),
		// "locked": by anomaly detection or a leak report (src/auth/key-security.ts); its owner or the operator unlocks it.
		status: text("status", { enum: ["active", "disabled", "locked"] })
			.notNull()
			.default("active"),
		expiresAt: integer("expires_at", { mode: "number" }),
		// null means every model the key's group can reach.
		models: text("models", { mode: "json" }).$type<string[] | null>(),
		// What the key has spent: usage debits less refunds, kept by the ledger's trigger.
		spentNusd: integer("spent_nusd").notNull().default(0),
		...limitColumns(),
		// The bounds the operator set on this key (src/auth/key-limits.ts): its user may tighten them, never loosen or clear them.
		operatorLimits: text("operator_limits", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
		// Chat that remembers (src/relay/memory): off, or the end user's memories put in the prompt (read) and the
		// turn kept for extraction too (read_write).
		memoryMode: text("memory_mode", { enum: ["off", "read", "read_write"] })
			.notNull()
			.default("off"),
		// An app key (Dify's /dify/v1) speaks for this app of the user's; null for an ordinary key.
		appId: text("app_id"),
		// A stream that breaks mid-way is continued on another channel (src/relay/continuation.ts); false: it ends with its error.
		streamContinuation: integer("stream_continuation", { mode: "boolean" }).notNull().default(true),
		// The API surfaces the key may call (src/auth/scopes.ts); null: all of its user's.
		scopes: text("scopes", { mode: "json" }).$type<string[] | null>(),
		tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default([]),
		// Requests served, counted by the usage consumer with last_used_at.
		requestCount: integer("request_count").notNull().default(0),
		// CIDRs the key may be used from; null: anywhere.
		ipAllow: text("ip_allow", { mode: "json" }).$type<string[] | null>(),
		// The secret a rotation replaced (POST /api/tokens/{id}/rotate), valid until previous_key_expires_at.
		previousKeyHash: text("previous_key_hash"),
		previousKeyPrefix: text("previous_key_prefix"),
		previousKeyExpiresAt: integer("previous_key_expires_at", { mode: "number" }),
		// Anomaly detection's policy for this key (src/auth/key-security.ts); null: the deployment's default.
		anomaly: text("anomaly", { mode: "json" }).$type<Record<string, unknown> | null>(),
		// Why and when the key was locked; null while it is not.
		lockedReason: text("locked_reason"),
		lockedAt: integer("locked_at", { mode: "number" }),
		// The response cache for this key's requests (src/cache/settings.ts); null: off.
		cache: text("cache", { mode: "json" }).$type<Record<string, unknown> | null>(),
		// Batch lines (/v1/batches, /v1/messages/batches) of this key run at once, across its batches; set by the
		// operator only. null: BATCH_CONCURRENCY.
		batchConcurrency: integer("batch_concurrency"),
		// Rotated by the cron KEY_EXPIRY_REMINDER_DAYS before it expires, instead of only reminding its owner.
		autoRotate: integer("auto_rotate", { mode: "boolean" }).notNull().default(false),
		// When its owner was last reminded that it expires, so that the cron reminds once.
		expiryNotifiedAt: integer("expiry_notified_at", { mode: "number" }),
		createdAt: timestamp("created_at"),
		lastUsedAt: integer("last_used_at", { mode: "number" }),
	},
	(t) => [
		uniqueIndex("tokens_key_hash_idx").on(t.keyHash),
		index("tokens_previous_key_hash_idx").on(t.previousKeyHash),
		index("tokens_user_idx").on(t.userId),
		index("tokens_app_idx").on(t.appId),
	],
);

/**
 * Dashboard sessions, so that one can be ended before its JWT expires: by signing out, by a password change or
 * by disabling the user. `userId` is null for the operator's sessions, which also end when ADMIN_TOKEN changes.
 */
export const sessions = sqliteTable(
	"sessions",
	{
		id: text("id").primaryKey(),
		userId: integer("user_id").references(() => users.id),
		// A digest of the ADMIN_TOKEN an operator session was exchanged for; null for users' sessions.
		adminDigest: text("admin_digest"),
		createdAt: timestamp("created_at"),
		expiresAt: integer("expires_at", { mode: "number" }).notNull(),
		endedAt: integer("ended_at", { mode: "number" }),
	},
	(t) => [index("sessions_user_idx").on(t.userId)],
);

export const channels = sqliteTable(
	"channels",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		name: text("name").notNull(),
		type: text("type").notNull(),
		baseUrl: text("base_url"),
		// AES-GCM ciphertext ("v1.<iv>.<data>", base64url); never leaves the Worker.
		keyCiphertext: text("key_ciphertext"),
		// A masked form for display, computed when the key is written.
		keyHint: text("key_hint"),
		models: text("models", { mode: "json" }).$type<string[]>().notNull(),
		modelMapping: text("model_mapping", { mode: "json" }).$type<Record<string, string>>().notNull().default({}),
		groups: text("groups", { mode: "json" }).$type<string[]>().notNull().default(["default"]),
		priority: integer("priority").notNull().default(0),
		weight: integer("weight").notNull().default(1),
		status: text("status", { enum: ["enabled", "disabled"] })
			.notNull()
			.default("enabled"),
		settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
		createdAt: timestamp("created_at"),
		updatedAt: timestamp("updated_at").$onUpdate(() => Date.now()),
	},
	(t) => [uniqueIndex("channels_name_idx").on(t.name), index("channels_status_idx").on(t.status)],
);

/**
 * A model name's routing: an alias (`chain` names the models it stands for, tried in order when every channel of
 * one is exhausted) or a plain model that only carries a policy (`chain` empty). Read through an isolate cache
 * (src/channels/model-routes.ts), never per request.
 */
export const modelRoutes = sqliteTable("model_routes", {
	name: text("name").primaryKey(),
	chain: text("chain", { mode: "json" }).$type<string[]>().notNull().default([]),
	policy: text("policy", { enum: ROUTING_POLICIES }).notNull().default("weighted"),
	// Only for consistent_hash: which request field keeps a caller on one channel.
	hashOn: text("hash_on", { enum: HASH_FIELDS }),
	createdAt: timestamp("created_at"),
	updatedAt: timestamp("updated_at").$onUpdate(() => Date.now()),
});

export const usageLogs = sqliteTable(
	"usage_logs",
	{
		// The gateway's own id for the request, never the client's: it keys the row, the ledger debit and the holds.
		requestId: text("request_id").primaryKey(),
		// The id the client sent (x-client-request-id, or x-request-id) to find its request by; a correlation id only.
		clientRequestId: text("client_request_id"),
		tokenId: integer("token_id"),
		userId: integer("user_id"),
		channelId: integer("channel_id"),
		endpoint: text("endpoint").notNull(),
		model: text("model").notNull(),
		upstreamModel: text("upstream_model"),
		promptTokens: integer("prompt_tokens").notNull().default(0),
		completionTokens: integer("completion_tokens").notNull().default(0),
		cachedTokens: integer("cached_tokens").notNull().default(0),
		costNusd: integer("cost_nusd").notNull().default(0),
		// The price version the request was charged at (prices.id); null when it was free.
		priceId: integer("price_id"),
		latencyMs: integer("latency_ms").notNull(),
		ttfbMs: integer("ttfb_ms"),
		stream: integer("stream", { mode: "boolean" }).notNull().default(false),
		attempts: integer("attempts").notNull().default(0),
		status: integer("status").notNull(),
		errorCode: text("error_code"),
		// Token counts were estimated because the upstream reported none.
		estimated: integer("estimated", { mode: "boolean" }).notNull().default(false),
		// The stream ended before the upstream finished (client disconnect or upstream failure).
		partial: integer("partial", { mode: "boolean" }).notNull().default(false),
		// Served from the response cache (src/cache): "exact" or "semantic"; null when an upstream answered.
		cacheHit: text("cache_hit", { enum: ["exact", "semantic"] }),
		// What the answer would have cost had an upstream been called, less what the hit was charged (cost_nusd).
		savedNusd: integer("saved_nusd").notNull().default(0),
		// What a request priced by other units than tokens was charged for (src/billing/units.ts): the unit's name
		// (`image:1024x1024:hd`, `audio_second`, `character`) and how many; null and 0 for tokens alone.
		unit: text("unit"),
		units: real("units").notNull().default(0),
		// The batch (/v1/batches) a request was a line of; null for a request of its own.
		batchId: text("batch_id"),
		createdAt: integer("created_at", { mode: "number" }).notNull(),
	},
	(t) => [
		index("usage_created_idx").on(t.createdAt),
		index("usage_token_created_idx").on(t.tokenId, t.createdAt),
		index("usage_user_created_idx").on(t.userId, t.createdAt),
		index("usage_channel_created_idx").on(t.channelId, t.createdAt),
		index("usage_model_created_idx").on(t.model, t.createdAt),
		// Partial: most requests carry no client id, and those cost the index nothing.
		index("usage_client_request_idx").on(t.clientRequestId).where(sql`${t.clientRequestId} IS NOT NULL`),
		// Likewise for the lines of a batch.
		index("usage_batch_idx").on(t.batchId).where(sql`${t.batchId} IS NOT NULL`),
	],
);

/**
 * Prices in USD per million tokens, stored as nano-USD. A row is one version: changing a price closes the row in
 * force (`valid_to`) and opens a new one, so every usage record can name the version it was charged at.
 */
export const prices = sqliteTable(
	"prices",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		model: text("model").notNull(),
		// A channel's own price for the model, overriding the model's general price on that channel.
		channelId: integer("channel_id"),
		inputNusdPerMtok: integer("input_nusd_per_mtok").notNull(),
		outputNusdPerMtok: integer("output_nusd_per_mtok").notNull(),
		// Cache reads and writes; null means charged as ordinary input.
		cachedInputNusdPerMtok: integer("cached_input_nusd_per_mtok"),
		cacheWriteNusdPerMtok: integer("cache_write_nusd_per_mtok"),
		requestNusd: integer("request_nusd").notNull().default(0),
		// Prices per unit other than tokens, nano-USD by unit name (src/billing/units.ts): images by size and quality,
		// seconds of audio, characters of speech. null: none.
		unitNusd: text("unit_nusd", { mode: "json" }).$type<Record<string, number> | null>(),
		validFrom: integer("valid_from", { mode: "number" }).notNull(),
		validTo: integer("valid_to", { mode: "number" }),
	},
	(t) => [index("prices_model_idx").on(t.model, t.validTo)],
);

/** Per user group: a price multiplier (absent: 1) and limits shared by all the group's users together. */
export const groupPricing = sqliteTable("group_pricing", {
	group: text("group").primaryKey(),
	multiplier: real("multiplier").notNull().default(1),
	...limitColumns(),
});

/**
 * Every change to a balance, append-only (triggers refuse updates and deletes). Inserting a row moves the user's
 * balance and the key's spend and fills in the balance before and after; `idempotency_key` makes a retried
 * write (a redelivered usage message, a repeated top-up) a no-op.
 */
export const ledgerEntries = sqliteTable(
	"ledger_entries",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id),
		tokenId: integer("token_id"),
		kind: text("kind", { enum: ["topup", "usage", "refund", "adjustment", "redemption"] }).notNull(),
		amountNusd: integer("amount_nusd").notNull(),
		balanceBeforeNusd: integer("balance_before_nusd"),
		balanceAfterNusd: integer("balance_after_nusd"),
		requestId: text("request_id"),
		idempotencyKey: text("idempotency_key").notNull(),
		note: text("note"),
		createdAt: timestamp("created_at"),
	},
	(t) => [
		uniqueIndex("ledger_idempotency_idx").on(t.idempotencyKey),
		index("ledger_user_idx").on(t.userId, t.id),
		index("ledger_token_idx").on(t.tokenId, t.id),
	],
);

/** Redemption codes: stored as SHA-256 like keys, each good for one redemption before it expires. */
export const redemptionCodes = sqliteTable(
	"redemption_codes",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		codeHash: text("code_hash").notNull(),
		codePrefix: text("code_prefix").notNull(),
		batch: text("batch").notNull(),
		valueNusd: integer("value_nusd").notNull(),
		expiresAt: integer("expires_at", { mode: "number" }),
		redeemedBy: integer("redeemed_by"),
		redeemedAt: integer("redeemed_at", { mode: "number" }),
		createdAt: timestamp("created_at"),
	},
	(t) => [uniqueIndex("redemption_code_hash_idx").on(t.codeHash), index("redemption_batch_idx").on(t.batch)],
);

/** Queue messages that exhausted their retries, kept for an admin to inspect and replay. */
export const deadJobs = sqliteTable(
	"dead_jobs",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		queue: text("queue").notNull(),
		messageId: text("message_id").notNull(),
		body: text("body", { mode: "json" }).notNull(),
		attempts: integer("attempts").notNull(),
		error: text("error"),
		// When it was replayed; a negative value is minus the time an operator discarded it (src/routes/jobs.ts).
		replayedAt: integer("replayed_at", { mode: "number" }),
		createdAt: timestamp("created_at"),
	},
	(t) => [uniqueIndex("dead_jobs_message_idx").on(t.queue, t.messageId)],
);

/**
 * Usage messages the relay could not put on the usage queue, even after retrying: written only on that failure
 * path, drained back onto the queue by the cron (and sooner by the isolate that spooled them, once the queue
 * answers again). The consumer is idempotent on request id, so a message drained twice is stored once.
 */
export const usageSpool = sqliteTable("usage_spool", {
	id: integer("id").primaryKey({ autoIncrement: true }),
	/** A usage message, `{ records: [...] }`, as it would have been sent. */
	body: text("body", { mode: "json" }).notNull(),
	createdAt: timestamp("created_at"),
});

/**
 * Relay requests refused before a caller was known (no key, a wrong one, or one that could not be checked), counted
 * per UTC hour and error code: they leave no usage row, so that nobody can grow the database without a key.
 */
export const relayRefusals = sqliteTable(
	"relay_refusals",
	{
		bucketStart: integer("bucket_start", { mode: "number" }).notNull(),
		code: text("code").notNull(),
		count: integer("count").notNull(),
	},
	(t) => [primaryKey({ columns: [t.bucketStart, t.code] })],
);

/**
 * Usage rolled up per hour and per day and per model, channel, key and user (0 where there is none): what the
 * dashboard and /api/stats read, recomputed from raw logs by the cron trigger.
 */
export const usageRollups = sqliteTable(
	"usage_rollups",
	{
		period: text("period", { enum: ["hour", "day"] }).notNull(),
		bucketStart: integer("bucket_start", { mode: "number" }).notNull(),
		model: text("model").notNull(),
		channelId: integer("channel_id").notNull(),
		tokenId: integer("token_id").notNull(),
		userId: integer("user_id").notNull(),
		requests: integer("requests").notNull(),
		errors: integer("errors").notNull(),
		promptTokens: integer("prompt_tokens").notNull(),
		completionTokens: integer("completion_tokens").notNull(),
		cachedTokens: integer("cached_tokens").notNull(),
		costNusd: integer("cost_nusd").notNull(),
		// Requests the response cache served, and what they saved (see usage_logs).
		cacheHits: integer("cache_hits").notNull().default(0),
		savedNusd: integer("saved_nusd").notNull().default(0),
		latencyP50Ms: integer("latency_p50_ms"),
		latencyP95Ms: integer("latency_p95_ms"),
		ttfbP50Ms: integer("ttfb_p50_ms"),
		ttfbP95Ms: integer("ttfb_p95_ms"),
	},
	(t) => [
		primaryKey({ columns: [t.period, t.bucketStart, t.model, t.channelId, t.tokenId, t.userId] }),
		index("rollups_bucket_idx").on(t.period, t.bucketStart),
	],
);

export type UserRow = typeof users.$inferSelect;
export type ModelRouteRow = typeof modelRoutes.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type UsageRow = typeof usageLogs.$inferInsert;

/**
 * Uploaded files (OpenAI's Files API): the bytes in R2 under `r2_key`, the rest here. A delete marks `deleted_at`
 * first, then removes the R2 object and the row; the cron finishes what a crash left between the two.
 */
export const files = sqliteTable(
	"files",
	{
		id: text("id").primaryKey(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id),
		filename: text("filename").notNull(),
		purpose: text("purpose").notNull(),
		bytes: integer("bytes").notNull(),
		// Sniffed from the bytes, never taken from the client.
		contentType: text("content_type").notNull(),
		sha256: text("sha256").notNull(),
		r2Key: text("r2_key").notNull(),
		status: text("status", { enum: ["uploaded", "processed", "error"] })
			.notNull()
			.default("uploaded"),
		statusDetails: text("status_details"),
		expiresAt: integer("expires_at", { mode: "number" }),
		deletedAt: integer("deleted_at", { mode: "number" }),
		createdAt: timestamp("created_at"),
	},
	(t) => [index("files_user_created_idx").on(t.userId, t.createdAt), index("files_deleted_idx").on(t.deletedAt)],
);

/** Vector stores: a user's searchable collection of files, embedded with one model. Status and counts are derived. */
export const vectorStores = sqliteTable(
	"vector_stores",
	{
		id: text("id").primaryKey(),
		userId: integer("user_id")
			.notNull()
			.references(() => users.id),
		name: text("name").notNull().default(""),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>(),
		embeddingModel: text("embedding_model").notNull(),
		// Known once the first chunk is embedded: the vector index is chosen by it.
		dimensions: integer("dimensions"),
		// Bytes of chunk text held for the store, kept by the ingestion.
		usageBytes: integer("usage_bytes").notNull().default(0),
		expiresAfterDays: integer("expires_after_days"),
		expiresAt: integer("expires_at", { mode: "number" }),
		lastActiveAt: integer("last_active_at", { mode: "number" }),
		deletedAt: integer("deleted_at", { mode: "number" }),
		createdAt: timestamp("created_at"),
	},
	(t) => [index("vector_stores_user_created_idx").on(t.userId, t.createdAt), index("vector_stores_deleted_idx").on(t.deletedAt)],
);

/** Batches of files added to a store together (`/file_batches`); their counts are read from their files. */
export const vectorStoreFileBatches = sqliteTable(
	"vector_store_file_batches",
	{
		id: text("id").primaryKey(),
		vectorStoreId: text("vector_store_id").notNull(),
		userId: integer("user_id").notNull(),
		status: text("status", { enum: ["in_progress", "completed", "cancelled", "failed"] })
			.notNull()
			.default("in_progress"),
		createdAt: timestamp("created_at"),
	},
	(t) => [index("vector_store_file_batches_store_idx").on(t.vectorStoreId)],
);

/**
 * A file in a store, and how far its ingestion got: OpenAI's `status`, plus the finer `stage` (queued → parsing →
 * chunking → embedding → indexing → done) and its `progress` (0–1), which the SDK ignores and the dashboard shows.
 */
export const vectorStoreFiles = sqliteTable(
	"vector_store_files",
	{
		vectorStoreId: text("vector_store_id").notNull(),
		fileId: text("file_id").notNull(),
		userId: integer("user_id").notNull(),
		// The key that added the file: its owner pays for the embeddings, within that key's limits.
		tokenId: integer("token_id"),
		batchId: text("batch_id"),
		status: text("status", { enum: ["in_progress", "completed", "cancelled", "failed"] })
			.notNull()
			.default("in_progress"),
		stage: text("stage", { enum: ["queued", "parsing", "chunking", "embedding", "indexing", "done"] })
			.notNull()
			.default("queued"),
		progress: real("progress").notNull().default(0),
		attributes: text("attributes", { mode: "json" }).$type<Record<string, string | number | boolean>>(),
		/** The chunking strategy as OpenAI returns it: `{type: "static", static: {max_chunk_size_tokens, chunk_overlap_tokens}}`. */
		chunkingStrategy: text("chunking_strategy", { mode: "json" }).notNull(),
		usageBytes: integer("usage_bytes").notNull().default(0),
		chunkCount: integer("chunk_count").notNull().default(0),
		lastErrorCode: text("last_error_code", { enum: ["server_error", "unsupported_file", "invalid_file"] }),
		lastErrorMessage: text("last_error_message"),
		createdAt: timestamp("created_at"),
		updatedAt: timestamp("updated_at"),
	},
	(t) => [
		primaryKey({ columns: [t.vectorStoreId, t.fileId] }),
		index("vector_store_files_store_created_idx").on(t.vectorStoreId, t.createdAt),
		index("vector_store_files_batch_idx").on(t.batchId),
		index("vector_store_files_file_idx").on(t.fileId),
		// The cron's look for messages lost before ingestion began reads only these rows, oldest first.
		index("vector_store_files_queued_idx").on(t.updatedAt).where(sql`${t.status} = 'in_progress' AND ${t.stage} = 'queued'`),
	],
);

/**
 * A file's chunks in a store: their text (searched by BM25 through the FTS5 table `chunks_fts`, kept in step by
 * triggers in migrations/0009) and the file's attributes, copied so that a search filters without a join. The
 * vector of chunk `id` is in the vector index under the same id. (store, file, position) is unique, so an
 * ingestion step that runs twice writes each chunk once.
 */
export const chunks = sqliteTable(
	"chunks",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		vectorStoreId: text("vector_store_id").notNull(),
		fileId: text("file_id").notNull(),
		userId: integer("user_id").notNull(),
		position: integer("position").notNull(),
		text: text("text").notNull(),
		tokens: integer("tokens").notNull(),
		heading: text("heading"),
		attributes: text("attributes", { mode: "json" }).$type<Record<string, string | number | boolean>>(),
		createdAt: timestamp("created_at"),
	},
	(t) => [uniqueIndex("chunks_store_file_position_idx").on(t.vectorStoreId, t.fileId, t.position)],
);

/** Embeddings already paid for, by model and SHA-256 of the text: re-adding the same text costs nothing. */
export const embeddingCache = sqliteTable(
	"embedding_cache",
	{
		model: text("model").notNull(),
		textHash: text("text_hash").notNull(),
		dimensions: integer("dimensions").notNull(),
		// Float32 little-endian.
		vector: blob("vector", { mode: "buffer" }).notNull(),
		createdAt: timestamp("created_at"),
	},
	(t) => [primaryKey({ columns: [t.model, t.textHash] })],
);

/**
 * Mem0-style long-term memories (the /mem0 API). `owner_id` is the gateway user whose key made the memory; the
 * entity ids (`user_id`, `agent_id`, `app_id`, `run_id`) are the client's names for whom a memory is about, and mean
 * something only within one owner: entity `alice` of one owner is not `alice` of another. `seq` is the row id the
 * FTS5 table `memories_fts` indexes (migration 0012) and the fusion ranks by; `id` is the UUID clients see.
 */
export const memories = sqliteTable(
	"memories",
	{
		seq: integer("seq").primaryKey({ autoIncrement: true }),
		id: text("id").notNull(),
		ownerId: integer("owner_id").notNull(),
		entityUserId: text("user_id"),
		agentId: text("agent_id"),
		appId: text("app_id"),
		runId: text("run_id"),
		memory: text("memory").notNull(),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
		hash: text("hash").notNull(),
		// The embedding's dimension once indexed, null before (the memory is then found by keywords alone).
		dimensions: integer("dimensions"),
		createdAt: timestamp("created_at"),
		updatedAt: timestamp("updated_at"),
		// The memory that replaced this one (consolidation), or null while it is current; superseded ones are hidden.
		supersededBy: text("superseded_by"),
	},
	(t) => [
		uniqueIndex("memories_id_idx").on(t.id),
		index("memories_owner_user_idx").on(t.ownerId, t.entityUserId),
		index("memories_owner_agent_idx").on(t.ownerId, t.agentId),
		index("memories_owner_created_idx").on(t.ownerId, t.createdAt),
	],
);

/** Every change to a memory, kept after the memory is deleted (Mem0's history). */
export const memoryHistory = sqliteTable(
	"memory_history",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		memoryId: text("memory_id").notNull(),
		ownerId: integer("owner_id").notNull(),
		event: text("event", { enum: ["ADD", "UPDATE", "DELETE"] }).notNull(),
		oldMemory: text("old_memory"),
		newMemory: text("new_memory"),
		createdAt: timestamp("created_at"),
	},
	(t) => [index("memory_history_memory_idx").on(t.memoryId, t.id)],
);

/** The add endpoint's events: what a client polls at /mem0/v1/event/{id}/. */
export const memoryEvents = sqliteTable(
	"memory_events",
	{
		id: text("id").primaryKey(),
		ownerId: integer("owner_id").notNull(),
		status: text("status", { enum: ["PENDING", "RUNNING", "SUCCEEDED", "FAILED"] }).notNull(),
		// What the event was made from; for an extraction, its queue message under `message`, which the cron sends
		// again if it never arrived (src/memory/upkeep.ts).
		payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>(),
		results: text("results", { mode: "json" }).$type<unknown[]>(),
		error: text("error"),
		createdAt: timestamp("created_at"),
		updatedAt: timestamp("updated_at"),
	},
	// The cron's look for extractions whose message was lost reads only the unfinished.
	(t) => [index("memory_events_open_idx").on(t.updatedAt).where(sql`${t.status} IN ('PENDING', 'RUNNING')`)],
);

/** Mem0's feedback on a memory (/mem0/v1/feedback/): the latest an owner gave on each memory. */
export const memoryFeedback = sqliteTable(
	"memory_feedback",
	{
		memoryId: text("memory_id").notNull(),
		ownerId: integer("owner_id").notNull(),
		feedback: text("feedback", { enum: ["POSITIVE", "NEGATIVE", "VERY_NEGATIVE"] }),
		feedbackReason: text("feedback_reason"),
		createdAt: timestamp("created_at"),
	},
	(t) => [primaryKey({ columns: [t.ownerId, t.memoryId] })],
);

/**
 * Chat apps, as Dify's /dify/v1 serves them: a model, prompts, knowledge and memory bound under one name, reached
 * with the app's own keys (`tokens.app_id`).
 */
export const apps = sqliteTable(
	"apps",
	{
		id: text("id").primaryKey(),
		ownerId: integer("owner_id").notNull(),
		name: text("name").notNull(),
		description: text("description").notNull().default(""),
		// A model or alias, resolved like a key's request for it.
		model: text("model").notNull(),
		systemPrompt: text("system_prompt").notNull().default(""),
		openingStatement: text("opening_statement").notNull().default(""),
		suggestedQuestions: text("suggested_questions", { mode: "json" }).$type<string[]>().notNull().default([]),
		// Retrieval over the owner's vector stores: none when empty.
		vectorStoreIds: text("vector_store_ids", { mode: "json" }).$type<string[]>().notNull().default([]),
		retrievalTopK: integer("retrieval_top_k").notNull().default(4),
		scoreThreshold: real("score_threshold"),
		memoryMode: text("memory_mode", { enum: ["off", "read", "read_write"] })
			.notNull()
			.default("off"),
		// The response cache for the app's answers (src/cache/settings.ts); null: off.
		cache: text("cache", { mode: "json" }).$type<Record<string, unknown> | null>(),
		createdAt: timestamp("created_at"),
		updatedAt: timestamp("updated_at"),
	},
	(t) => [index("apps_owner_created_idx").on(t.ownerId, t.createdAt)],
);

/**
 * One store of conversation state for OpenAI's Conversations, stored Responses and Dify's chat apps. A Dify
 * conversation has an app and an end user (Dify's `user`); `key_id` is the key that started it, for the dashboard.
 * `updated_at` is the last turn's time: newest-first lists, retention and the summary of idle conversations into
 * memory (`summarized_at`) read it. Deleting one removes it, its turns and items (no soft delete).
 */
export const conversations = sqliteTable(
	"conversations",
	{
		id: text("id").primaryKey(),
		ownerId: integer("owner_id").notNull(),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>(),
		appId: text("app_id"),
		endUser: text("end_user"),
		keyId: integer("key_id"),
		name: text("name"),
		summarizedAt: integer("summarized_at", { mode: "number" }),
		createdAt: timestamp("created_at"),
		// Set by every insert: SQLite cannot add a column whose default is an expression.
		updatedAt: integer("updated_at", { mode: "number" }).notNull().default(0),
	},
	(t) => [
		index("conversations_owner_created_idx").on(t.ownerId, t.createdAt),
		index("conversations_app_user_updated_idx").on(t.appId, t.endUser, t.updatedAt),
		index("conversations_owner_updated_idx").on(t.ownerId, t.updatedAt),
	],
);

/**
 * The items of a conversation in order (`seq`, assigned on insert), each an item as OpenAI returns it (`item`, the
 * whole JSON); `type` and `role` are kept apart for the queries that rebuild a model's history. Items a model turn
 * wrote or read carry its `turn_id`.
 */
export const conversationItems = sqliteTable(
	"conversation_items",
	{
		seq: integer("seq").primaryKey({ autoIncrement: true }),
		id: text("id").notNull(),
		conversationId: text("conversation_id").notNull(),
		ownerId: integer("owner_id").notNull(),
		type: text("type").notNull(),
		role: text("role"),
		item: text("item", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		turnId: text("turn_id"),
		createdAt: timestamp("created_at"),
	},
	(t) => [
		uniqueIndex("conversation_items_id_idx").on(t.id),
		index("conversation_items_conversation_seq_idx").on(t.conversationId, t.seq),
		index("conversation_items_turn_idx").on(t.turnId),
	],
);

/**
 * A model's turn in a conversation: a stored response's id, or a Dify message's. What the Chat page and Dify's
 * `message_end` show per turn: model, tokens, cost, latency, cited sources, and the end user's feedback.
 */
export const conversationTurns = sqliteTable(
	"conversation_turns",
	{
		id: text("id").primaryKey(),
		conversationId: text("conversation_id").notNull(),
		ownerId: integer("owner_id").notNull(),
		model: text("model").notNull(),
		status: text("status", { enum: ["completed", "incomplete", "failed", "stopped"] }).notNull(),
		inputTokens: integer("input_tokens").notNull().default(0),
		outputTokens: integer("output_tokens").notNull().default(0),
		costNusd: integer("cost_nusd").notNull().default(0),
		latencyMs: integer("latency_ms").notNull().default(0),
		// The excerpts retrieval gave the model, as Dify's retriever_resources.
		sources: text("sources", { mode: "json" }).$type<Record<string, unknown>[]>().notNull().default([]),
		feedback: text("feedback", { enum: ["like", "dislike"] }),
		feedbackContent: text("feedback_content"),
		createdAt: timestamp("created_at"),
	},
	(t) => [index("conversation_turns_conversation_created_idx").on(t.conversationId, t.createdAt)],
);

/**
 * Stored Responses (`store`, OpenAI's default): the response as returned and the input items it answered, so
 * that `previous_response_id` can rebuild the history and GET /v1/responses/{id} and its input_items can show
 * them. Kept until `expires_at` (RESPONSE_RETENTION_DAYS; null for ever).
 */
export const storedResponses = sqliteTable(
	"responses",
	{
		id: text("id").primaryKey(),
		ownerId: integer("owner_id").notNull(),
		previousResponseId: text("previous_response_id"),
		conversationId: text("conversation_id"),
		input: text("input", { mode: "json" }).$type<Record<string, unknown>[]>().notNull(),
		response: text("response", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
		createdAt: timestamp("created_at"),
		expiresAt: integer("expires_at", { mode: "number" }),
	},
	(t) => [index("responses_expires_idx").on(t.expiresAt)],
);

/**
 * The active health checks' results: one row per probe of an enabled channel by the cron (a models list or a
 * one-token request, per channel type). The latest rows decide whether a channel is disabled (a run of failures)
 * or enabled again (a success after the probe disabled it); the Channels page shows them. Old rows are pruned.
 */
export const channelProbes = sqliteTable(
	"channel_probes",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		channelId: integer("channel_id").notNull(),
		// How the channel was probed: "models" (a models list, free) or "completion" (a one-token request, metered).
		kind: text("kind", { enum: ["models", "completion"] }).notNull(),
		ok: integer("ok", { mode: "boolean" }).notNull(),
		// The upstream's HTTP status; null when no answer came (timeout, connection refused).
		status: integer("status"),
		latencyMs: integer("latency_ms").notNull(),
		error: text("error"),
		inputTokens: integer("input_tokens").notNull().default(0),
		outputTokens: integer("output_tokens").notNull().default(0),
		costNusd: integer("cost_nusd").notNull().default(0),
		createdAt: timestamp("created_at"),
	},
	(t) => [index("channel_probes_channel_created_idx").on(t.channelId, t.createdAt)],
);

/** A queue's consumer paused by an operator: its messages are put back on the queue, delayed, until it is resumed. */
export const queueControls = sqliteTable("queue_controls", {
	queue: text("queue").primaryKey(),
	pausedAt: integer("paused_at", { mode: "number" }),
	pausedBy: text("paused_by"),
	updatedAt: timestamp("updated_at").$onUpdate(() => Date.now()),
});

/**
 * What each queue's consumer did, per minute: messages acknowledged, retried, deferred (paused) and dead-lettered,
 * one upsert per batch. The Jobs view's recent throughput and failures; pruned after a few days.
 */
export const queueStats = sqliteTable(
	"queue_stats",
	{
		queue: text("queue").notNull(),
		// Minutes since the epoch.
		minute: integer("minute").notNull(),
		outcome: text("outcome", { enum: ["acked", "retried", "deferred", "dead"] }).notNull(),
		count: integer("count").notNull().default(0),
	},
	(t) => [primaryKey({ columns: [t.queue, t.minute, t.outcome] })],
);

/**
 * A threshold rule the cron evaluates over the recent usage logs: when `metric` over the last `window_minutes`
 * (for every model, channel or key, or one of them) passes `threshold`, an alert goes out through the webhook, at
 * most once per `cooldown_minutes` for the same rule and subject.
 */
export const alertRules = sqliteTable("alert_rules", {
	id: integer("id").primaryKey({ autoIncrement: true }),
	name: text("name").notNull(),
	metric: text("metric", { enum: ["error_rate", "p95_latency_ms", "p95_ttfb_ms", "spend_usd"] }).notNull(),
	// "all": the whole gateway; "model" | "channel" | "key": each one apart, or only `subject` when set.
	scope: text("scope", { enum: ["all", "model", "channel", "key"] })
		.notNull()
		.default("all"),
	subject: text("subject"),
	threshold: real("threshold").notNull(),
	windowMinutes: integer("window_minutes").notNull().default(5),
	// Rates and percentiles over fewer requests than this are noise, not an alert.
	minRequests: integer("min_requests").notNull().default(10),
	cooldownMinutes: integer("cooldown_minutes").notNull().default(60),
	enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
	createdAt: timestamp("created_at"),
	updatedAt: timestamp("updated_at").$onUpdate(() => Date.now()),
});

/** An alert a rule raised: what it measured, for whom, and when; also its cooldown's memory. */
export const alertFirings = sqliteTable(
	"alert_firings",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		ruleId: integer("rule_id").notNull(),
		// The model, channel id or key id the value is for; "" for the whole gateway.
		subject: text("subject").notNull().default(""),
		value: real("value").notNull(),
		threshold: real("threshold").notNull(),
		requests: integer("requests").notNull(),
		createdAt: timestamp("created_at"),
	},
	(t) => [index("alert_firings_rule_subject_created_idx").on(t.ruleId, t.subject, t.createdAt)],
);

/**
 * Who did what, append-only (triggers refuse UPDATE, and DELETE of entries younger than 30 days: only the retention
 * job removes older ones). Written through the usage queue (src/audit/record.ts), idempotent on `id`. `user_id` is
 * the user the entry concerns (the actor's, or the owner of the object acted on), which is what a user may read.
 */
export const auditLog = sqliteTable(
	"audit_log",
	{
		id: text("id").primaryKey(),
		at: integer("at", { mode: "number" }).notNull(),
		actorType: text("actor_type", { enum: ["operator", "user", "key", "system"] }).notNull(),
		// The user id of a session, the key id of a key, null for the operator's token and the system.
		actorId: integer("actor_id"),
		userId: integer("user_id"),
		action: text("action").notNull(),
		objectType: text("object_type"),
		objectId: text("object_id"),
		// {before, after}, redacted (src/audit/redact.ts): no secret, no upstream key.
		diff: text("diff", { mode: "json" }).$type<Record<string, unknown> | null>(),
		result: text("result", { enum: ["success", "failure", "denied"] }).notNull(),
		ip: text("ip"),
		userAgent: text("user_agent"),
		requestId: text("request_id"),
	},
	(t) => [index("audit_log_at_idx").on(t.at), index("audit_log_user_at_idx").on(t.userId, t.at), index("audit_log_action_at_idx").on(t.action, t.at)],
);
export type AuditRow = typeof auditLog.$inferSelect;

/**
 * Purges of the response cache (DELETE /api/cache): an entry written before a purge that matches it (all, one
 * user's, one key's, one model's) is not served. Read by each isolate every KEY_CACHE_SECONDS, which bounds how
 * long a purge takes to apply everywhere; the entries themselves are deleted from KV as well, which Cloudflare
 * propagates within a minute. Rows older than the longest TTL no longer matter and are pruned by the cron.
 */
export const cachePurges = sqliteTable(
	"cache_purges",
	{
		id: integer("id").primaryKey({ autoIncrement: true }),
		// null: every user's entries (operator only).
		userId: integer("user_id"),
		keyId: integer("key_id"),
		model: text("model"),
		at: integer("at", { mode: "number" }).notNull(),
	},
	(t) => [index("cache_purges_at_idx").on(t.at)],
);
export type CachePurgeRow = typeof cachePurges.$inferSelect;

/**
 * What a cached memory search (src/memory/search-cache.ts) is checked against: a counter per owner and scope, bumped
 * in the same D1 batch as every write to the owner's memories and again after their vectors change. A scope is an
 * entity (`user_id:alice`), `*` (any write of the owner's) or `` (the owner's epoch: bumped by a privacy purge, which
 * deletes the other rows, since entity ids are the client's names for people). A missing row reads as 0.
 */
export const memorySearchGenerations = sqliteTable(
	"memory_search_generations",
	{
		ownerId: integer("owner_id").notNull(),
		scope: text("scope").notNull(),
		generation: integer("generation").notNull(),
	},
	(t) => [primaryKey({ columns: [t.ownerId, t.scope] })],
);

/** OpenAI's `BatchUsage`: the tokens of a batch's answers. */
export interface BatchUsage {
	input_tokens: number;
	input_tokens_details: { cached_tokens: number };
	output_tokens: number;
	output_tokens_details: { reasoning_tokens: number };
	total_tokens: number;
}

/**
 * A batch (/v1/batches, and Anthropic's /v1/messages/batches and Gemini's batchGenerateContent onto the same machinery): its input is a JSONL file in
 * R2, its lines run on the batch queue (queues/batch-consumer.ts) as requests to the gateway itself by the key that
 * created it. Counts are kept here as lines end; the output and error files are written when the last one does.
 */
export const batches = sqliteTable(
	"batches",
	{
		// `batch_…` (OpenAI, Gemini) or `msgbatch_…` (Anthropic).
		id: text("id").primaryKey(),
		userId: integer("user_id").notNull(),
		tokenId: integer("token_id").notNull(),
		// Which API created it, and so the shape it is shown in.
		dialect: text("dialect", { enum: ["openai", "anthropic", "gemini"] }).notNull(),
		// The path every line is sent to: /v1/chat/completions, /v1/embeddings, /v1/responses, /v1/moderations,
		// /v1/messages, /v1beta/models/<model>:generateContent.
		endpoint: text("endpoint").notNull(),
		inputFileId: text("input_file_id").notNull(),
		completionWindow: text("completion_window").notNull(),
		status: text("status", {
			enum: ["validating", "failed", "in_progress", "finalizing", "completed", "expired", "cancelling", "cancelled"],
		}).notNull(),
		metadata: text("metadata", { mode: "json" }).$type<Record<string, string> | null>(),
		// The one model every line names (OpenAI's `model`); null when the lines name several.
		model: text("model"),
		// OpenAI's `output_expires_after[seconds]`: how long the output and error files are kept; null for 30 days.
		outputTtlSeconds: integer("output_ttl_seconds"),
		// The tokens of the answers that succeeded (OpenAI's `usage`), summed once the batch ends.
		usage: text("usage", { mode: "json" }).$type<BatchUsage | null>(),
		// Why it failed validation: OpenAI's `errors.data`.
		errors: text("errors", { mode: "json" }).$type<{ code: string; message: string; line?: number | null; param?: string | null }[] | null>(),
		total: integer("total").notNull().default(0),
		completed: integer("completed").notNull().default(0),
		failed: integer("failed").notNull().default(0),
		// Lines not run: cancelled, or expired when the completion window closed.
		cancelledLines: integer("cancelled_lines").notNull().default(0),
		expiredLines: integer("expired_lines").notNull().default(0),
		outputFileId: text("output_file_id"),
		errorFileId: text("error_file_id"),
		createdAt: integer("created_at", { mode: "number" }).notNull(),
		inProgressAt: integer("in_progress_at", { mode: "number" }),
		expiresAt: integer("expires_at", { mode: "number" }).notNull(),
		finalizingAt: integer("finalizing_at", { mode: "number" }),
		completedAt: integer("completed_at", { mode: "number" }),
		failedAt: integer("failed_at", { mode: "number" }),
		expiredAt: integer("expired_at", { mode: "number" }),
		cancellingAt: integer("cancelling_at", { mode: "number" }),
		cancelledAt: integer("cancelled_at", { mode: "number" }),
	},
	(t) => [index("batches_user_created_idx").on(t.userId, t.createdAt), index("batches_status_idx").on(t.status)],
);
export type BatchRow = typeof batches.$inferSelect;

/**
 * One line of a batch: where it is in the input file (read back by range from R2, never copied), and its state.
 * A worker claims a pending line (`running`, `claimed_at`); a claim older than the lease is claimed again, which is
 * how a line whose consumer died runs again. Its request id is fixed (`<batch id>-<line>`), so that however often it
 * runs, its usage row and ledger debit are written once.
 */
export const batchLines = sqliteTable(
	"batch_lines",
	{
		batchId: text("batch_id").notNull(),
		line: integer("line").notNull(),
		tokenId: integer("token_id").notNull(),
		customId: text("custom_id").notNull(),
		offset: integer("offset").notNull(),
		length: integer("length").notNull(),
		status: text("status", { enum: ["pending", "running", "succeeded", "failed", "expired", "cancelled"] })
			.notNull()
			.default("pending"),
		// A running line's claim; a pending line's earliest next run, when it waits to be tried again.
		claimedAt: integer("claimed_at", { mode: "number" }),
		// Runs that ended in a failure worth another try (the key's rate limit, every channel busy or down); each run
		// has its own request id (`<batch id>-<line>`, then `-r1`, `-r2` …), since a failed run's usage row is kept.
		retries: integer("retries").notNull().default(0),
		// The upstream's answer (status and JSON body text) or the gateway's error, kept until the output files are written.
		statusCode: integer("status_code"),
		result: text("result"),
		endedAt: integer("ended_at", { mode: "number" }),
	},
	(t) => [
		primaryKey({ columns: [t.batchId, t.line] }),
		index("batch_lines_claim_idx").on(t.tokenId, t.status, t.claimedAt),
		index("batch_lines_batch_status_idx").on(t.batchId, t.status),
	],
);
export type BatchLineRow = typeof batchLines.$inferSelect;
