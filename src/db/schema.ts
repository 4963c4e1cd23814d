import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Milliseconds since the epoch, like Date.now().
const timestamp = (name: string) => integer(name, { mode: "number" }).notNull().default(sql`(cast(unixepoch('subsec') * 1000 as integer))`);

export const users = sqliteTable("users", {
	id: integer("id").primaryKey({ autoIncrement: true }),
	name: text("name").notNull().unique(),
	role: text("role", { enum: ["admin", "user"] })
		.notNull()
		.default("user"),
	group: text("group").notNull().default("default"),
	status: text("status", { enum: ["active", "disabled"] })
		.notNull()
		.default("active"),
	createdAt: timestamp("created_at"),
});

export const tokens = sqliteTable(
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
		status: text("status", { enum: ["active", "disabled"] })
			.notNull()
			.default("active"),
		expiresAt: integer("expires_at", { mode: "number" }),
		// null means every model the key's group can reach.
		models: text("models", { mode: "json" }).$type<string[] | null>(),
		quotaLimitUsd: real("quota_limit_usd"),
		quotaUsedUsd: real("quota_used_usd").notNull().default(0),
		createdAt: timestamp("created_at"),
		lastUsedAt: integer("last_used_at", { mode: "number" }),
	},
	(t) => [uniqueIndex("tokens_key_hash_idx").on(t.keyHash), index("tokens_user_idx").on(t.userId)],
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

export const usageLogs = sqliteTable(
	"usage_logs",
	{
		requestId: text("request_id").primaryKey(),
		tokenId: integer("token_id"),
		userId: integer("user_id"),
		channelId: integer("channel_id"),
		endpoint: text("endpoint").notNull(),
		model: text("model").notNull(),
		upstreamModel: text("upstream_model"),
		promptTokens: integer("prompt_tokens").notNull().default(0),
		completionTokens: integer("completion_tokens").notNull().default(0),
		cachedTokens: integer("cached_tokens").notNull().default(0),
		costUsd: real("cost_usd").notNull().default(0),
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
		createdAt: integer("created_at", { mode: "number" }).notNull(),
	},
	(t) => [
		index("usage_created_idx").on(t.createdAt),
		index("usage_token_created_idx").on(t.tokenId, t.createdAt),
		index("usage_user_created_idx").on(t.userId, t.createdAt),
		index("usage_channel_created_idx").on(t.channelId, t.createdAt),
		index("usage_model_created_idx").on(t.model, t.createdAt),
	],
);

export type UserRow = typeof users.$inferSelect;
export type TokenRow = typeof tokens.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;
export type UsageRow = typeof usageLogs.$inferInsert;
