import { and, eq, sql } from "drizzle-orm";
import { Hono } from "hono";
import type { z } from "zod";
import { anomalyOverrides } from "../../durable-objects/anomaly-types";
import { NO_LIMITS, pickLimits } from "../../durable-objects/governor-types";
import { audit } from "../audit/record";
import { apiName, boundsAfterOperator, type KeyBounds, type KeyLimitChange, loosenedBound, readBounds } from "../auth/key-limits";
import { rotateKey } from "../auth/key-rotation";
import { mayReenableKey, maySetBatchConcurrency, mayUnlockKey, ownerScope, scopeToOwner, setsOperatorLimits } from "../auth/policy";
import { ADMIN_USER_ID, type Principal } from "../auth/principal";
import { withinUserScopes } from "../auth/scopes";
import { toUsd } from "../billing/money";
import { db } from "../db/client";
import { type ApiKeyRow, apiKeys, users } from "../db/schema";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { iso } from "../lib/iso";
import { valid } from "../lib/validate";
import type { OperationDoc } from "../openapi/operation";
import { forgetCallers } from "../relay/callers";
import { cacheColumn, storedCacheSettings } from "../types/cache-settings";
import { keyCreate, keyCreated, keyList, keyListQuery, keyPatch, keyRotate, keyView } from "./key-schemas";
import { governorStanding, limitColumns, limitsOf } from "./limit-schemas";
import { findKey } from "./shared/find";
import { limitsChanged, standingOf } from "./shared/limits";
import { insertKey } from "./shared/new-key";
import { idParam } from "./shared/params";

const toMs = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : Date.parse(value));

/** The moment before which an expiry counts as soon (KEY_EXPIRY_REMINDER_DAYS from now). */
function soonBefore(env: Env, now = Date.now()): number {
	return now + config(env).keyExpiryReminderDays * 86_400_000;
}

function view(row: ApiKeyRow, soon: number): z.infer<typeof keyView> {
	return {
		id: row.id,
		user_id: row.userId,
		name: row.name,
		key_prefix: row.keyPrefix,
		status: row.status,
		models: row.models ?? null,
		expires_at: iso(row.expiresAt),
		memory_mode: row.memoryMode,
		stream_continuation: row.streamContinuation,
		app_id: row.appId,
		anomaly: anomalyOverrides.safeParse(row.anomaly).data ?? null,
		cache: storedCacheSettings(row.cache),
		locked_reason: row.lockedReason,
		locked_at: iso(row.lockedAt),
		created_at: new Date(row.createdAt).toISOString(),
		last_used_at: iso(row.lastUsedAt),
		spent_usd: toUsd(row.spentNusd),
		request_count: row.requestCount,
		scopes: row.scopes ?? null,
		tags: row.tags,
		ip_allow: row.ipAllow ?? null,
		auto_rotate: row.autoRotate,
		batch_concurrency: row.batchConcurrency,
		previous_key_prefix: row.previousKeyPrefix,
		previous_key_expires_at: iso(row.previousKeyExpiresAt),
		expiring_soon: row.expiresAt !== null && row.expiresAt <= soon,
		...limitsOf(row),
		operator_limits: boundsView(readBounds(row.operatorLimits)),
	};
}

/** The operator's bounds as the API shows limits (limitsOf's units), listing only those the operator set. */
function boundsView(b: KeyBounds): z.infer<typeof keyView>["operator_limits"] {
	const view = { ...limitsOf({ ...NO_LIMITS, ...b }), models: b.models ?? null, expires_at: iso(b.expiresAt ?? null) };
	return Object.fromEntries(Object.entries(view).filter(([, v]) => v !== null));
}

/** What a write changes of a key's limits, in the database's units; omitted fields are absent. */
function limitChange(input: z.infer<typeof keyPatch>): KeyLimitChange {
	return Object.fromEntries(
		Object.entries({ ...limitColumns(input), models: input.models, expiresAt: toMs(input.expires_at) }).filter(([, v]) => v !== undefined),
	);
}

/**
 * The operator's bounds once `principal` writes `change`: the operator's writes move the bounds; a user's must stay
 * within them (403 naming the field otherwise) and leave them as they are.
 */
function boundsAfter(principal: Principal, bounds: KeyBounds, change: KeyLimitChange): KeyBounds {
	if (setsOperatorLimits(principal)) return boundsAfterOperator(bounds, change);
	const loosened = loosenedBound(bounds, change);
	if (loosened !== undefined) {
		const field = apiName[loosened];
		throw new GatewayError("forbidden", `The operator set this key's ${field}; you may tighten it, not loosen or clear it`, { param: field });
	}
	return bounds;
}

/** The scopes, tags, IP allow-list and renewal a write changes; omitted ones are undefined. */
function access(input: z.infer<typeof keyPatch>) {
	return {
		scopes: input.scopes,
		tags: input.tags,
		ipAllow: input.ip_allow,
		autoRotate: input.auto_rotate,
		batchConcurrency: input.batch_concurrency,
		// A new expiry is reminded of (or renewed at) anew.
		expiryNotifiedAt: input.expires_at === undefined ? undefined : null,
	};
}

async function userScopes(env: Env, userId: number): Promise<string[] | null> {
	const [owner] = await db(env).select({ scopes: users.scopes }).from(users).where(eq(users.id, userId)).limit(1);
	return owner?.scopes ?? null;
}

export const keyRoutes = new Hono<AppEnv>()
	.get("/", valid("query", keyListQuery), async (c) => {
		const own = ownerScope(c.get("principal"));
		const { tag } = c.req.valid("query");
		const rows = await db(c.env)
			.select()
			.from(apiKeys)
			.where(
				and(
					own === undefined ? undefined : eq(apiKeys.userId, own),
					tag === undefined ? undefined : sql`EXISTS (SELECT 1 FROM json_each(${apiKeys.tags}) WHERE value = ${tag})`,
				),
			)
			.orderBy(apiKeys.id);
		const soon = soonBefore(c.env);
		return c.json({ data: rows.map((r) => view(r, soon)) });
	})
	.post("/", valid("json", keyCreate), async (c) => {
		const input = c.req.valid("json");
		const principal = c.get("principal");
		const userId = scopeToOwner(principal, input.user_id) ?? ADMIN_USER_ID;
		const [owner] = await db(c.env).select({ id: users.id, scopes: users.scopes }).from(users).where(eq(users.id, userId)).limit(1);
		if (!owner) throw new GatewayError("not_found", `User ${userId} does not exist`, { param: "user_id" });
		withinUserScopes(input.scopes ?? null, owner.scopes ?? null);
		const { row, key } = await insertKey(db(c.env), {
			userId,
			name: input.name,
			models: input.models ?? null,
			expiresAt: toMs(input.expires_at) ?? null,
			memoryMode: input.memory_mode,
			streamContinuation: input.stream_continuation,
			anomaly: input.anomaly ?? null,
			cache: cacheColumn(input.cache),
			scopes: input.scopes ?? null,
			tags: input.tags ?? [],
			ipAllow: input.ip_allow ?? null,
			autoRotate: input.auto_rotate,
			...limitColumns(input),
			operatorLimits: boundsAfter(principal, {}, limitChange(input)),
		});
		audit(c, { action: "key.create", objectType: "key", objectId: row.id, userId: row.userId, after: view(row, soonBefore(c.env)) });
		return c.json({ ...view(row, soonBefore(c.env)), key }, 201);
	})
	.get("/:id", valid("param", idParam), async (c) => c.json(view(await findKey(c.env, c.req.valid("param").id, c.get("principal")), soonBefore(c.env))))
	.patch("/:id", valid("param", idParam), valid("json", keyPatch), async (c) => {
		const { id } = c.req.valid("param");
		const input = c.req.valid("json");
		const principal = c.get("principal");
		const current = await findKey(c.env, id, principal);
		// A user may disable their key, but a disabled key may have been disabled by the operator.
		if (current.status === "disabled" && input.status === "active" && !mayReenableKey(principal)) {
			throw new GatewayError("forbidden", "Only the operator may re-enable a disabled key", { param: "status" });
		}
		const unlocking = current.status === "locked" && input.status === "active";
		if (unlocking && !mayUnlockKey(principal, current.userId)) {
			throw new GatewayError("forbidden", "Only the key's owner or the operator may unlock it", { param: "status" });
		}
		const change = limitChange(input);
		const operatorLimits = boundsAfter(principal, readBounds(current.operatorLimits), change);
		if (input.batch_concurrency !== undefined && !maySetBatchConcurrency(principal)) {
			throw new GatewayError("forbidden", "Only the operator may set a key's batch_concurrency", { param: "batch_concurrency" });
		}
		if (input.scopes !== undefined) withinUserScopes(input.scopes, await userScopes(c.env, current.userId));
		const changes = Object.fromEntries(
			Object.entries({
				name: input.name,
				status: input.status,
				memoryMode: input.memory_mode,
				streamContinuation: input.stream_continuation,
				anomaly: input.anomaly,
				cache: input.cache === undefined ? undefined : cacheColumn(input.cache),
				...(unlocking ? { lockedReason: null, lockedAt: null } : {}),
				...access(input),
			}).filter(([, v]) => v !== undefined),
		);
		const limits = limitColumns(input);
		const soon = soonBefore(c.env);
		if (Object.keys(changes).length === 0 && Object.keys(change).length === 0) return c.json(view(current, soon));
		const [row] = await db(c.env)
			.update(apiKeys)
			.set({ ...changes, ...change, operatorLimits })
			.where(eq(apiKeys.id, id))
			.returning();
		if (!row) throw new GatewayError("not_found", `Token ${id} does not exist`);
		// Unlocking is its own action (anomaly detection and leak reports lock keys); any other change is an update.
		audit(c, {
			...(unlocking ? { action: "key.unlock", detail: { locked_reason: current.lockedReason } } : { action: "key.update" }),
			objectType: "key",
			objectId: id,
			userId: row.userId,
			before: view(current, soon),
			after: view(row, soon),
		});
		if (Object.keys(limits).length > 0) await limitsChanged(c.env, { kind: "token", id: String(id) }, pickLimits(row));
		else forgetCallers();
		return c.json(view(row, soon));
	})
	.get("/:id/limits", valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		return c.json(await standingOf(c.env, { kind: "token", id: String(id) }, pickLimits(await findKey(c.env, id, c.get("principal")))));
	})
	.delete("/:id", valid("param", idParam), async (c) => {
		const { id } = c.req.valid("param");
		const current = await findKey(c.env, id, c.get("principal"));
		await db(c.env).delete(apiKeys).where(eq(apiKeys.id, id));
		forgetCallers();
		audit(c, { action: "key.delete", objectType: "key", objectId: id, userId: current.userId, before: view(current, soonBefore(c.env)) });
		return c.body(null, 204);
	})
	.post("/:id/rotate", valid("param", idParam), valid("json", keyRotate), async (c) => {
		const { id } = c.req.valid("param");
		const graceHours = c.req.valid("json").grace_hours ?? config(c.env).keyRotationGraceHours;
		const { row, key } = await rotateKey(c.env, await findKey(c.env, id, c.get("principal")), graceHours * 3_600_000);
		forgetCallers();
		const detail = { grace_hours: graceHours, previous_key_expires_at: iso(row.previousKeyExpiresAt) };
		audit(c, { action: "key.rotate", objectType: "key", objectId: id, userId: row.userId, detail });
		return c.json({ ...view(row, soonBefore(c.env)), key });
	});

export const keyDocs: OperationDoc[] = [
	{
		method: "get",
		path: "/api/tokens",
		summary: "List gateway keys (never the keys themselves), optionally those with a tag",
		tag: "Tokens",
		auth: "user",
		query: keyListQuery,
		response: keyList,
	},
	{
		method: "post",
		path: "/api/tokens",
		summary: "Create a gateway key; the key is shown only in this response",
		tag: "Tokens",
		auth: "user",
		body: keyCreate,
		response: keyCreated,
		errors: [201, 404],
	},
	{ method: "get", path: "/api/tokens/{id}", summary: "Get a gateway key's details", tag: "Tokens", auth: "user", response: keyView, errors: [404] },
	{
		method: "patch",
		path: "/api/tokens/{id}",
		summary: "Rename, restrict, expire, limit, disable, re-enable or unlock a key (its owner or the operator), or set its anomaly detection or response cache",
		tag: "Tokens",
		auth: "user",
		body: keyPatch,
		response: keyView,
		errors: [404],
	},
	{
		method: "get",
		path: "/api/tokens/{id}/limits",
		summary: "A key's live rate-limit windows, requests in flight and spend against its budgets",
		tag: "Tokens",
		auth: "user",
		response: governorStanding,
		errors: [404],
	},
	{ method: "delete", path: "/api/tokens/{id}", summary: "Revoke a key for good", tag: "Tokens", auth: "user", errors: [204, 404] },
	{
		method: "post",
		path: "/api/tokens/{id}/rotate",
		summary:
			"Give a key a new secret (shown only in this response); the old one keeps working for grace_hours (default KEY_ROTATION_GRACE_HOURS). Limits, usage and budget stay with the key",
		tag: "Tokens",
		auth: "user",
		body: keyRotate,
		response: keyCreated,
		errors: [404, 409],
	},
];
