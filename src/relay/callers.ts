import { eq, type SQL, sql } from "drizzle-orm";
import { anomalySettings } from "../../durable-objects/anomaly-types";
import { hasLimits, type Limits, NO_LIMITS, pickLimits, type Scope } from "../../durable-objects/governor-types";
import { plausibleKey } from "../auth/key-format";
import { effectiveScopes } from "../auth/scopes";
import { db } from "../db/client";
import { apiKeys, groupPricing, users } from "../db/schema";
import { config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { type Cidr, parseCidr } from "../lib/cidr";
import { sha256Hex } from "../lib/crypto";
import { TtlCache } from "../lib/ttl-cache";
import { storedCacheSettings } from "../types/cache-settings";
import type { CallerKey } from "../types/caller";

interface KeyRecord extends CallerKey {
	active: boolean;
	expiresAt: number | null;
	/** Why the key is locked (anomaly detection, a leak report); null while it is not. */
	lockedFor: string | null;
	/** The secret a rotation replaced, accepted until `previousKeyExpiresAt` (POST /api/tokens/{id}/rotate). */
	previousKeyHash: string | null;
	previousKeyExpiresAt: number | null;
}

/** A stored allow-list, parsed once per load; an entry that does not parse (none should) allows nothing. */
function allowList(cidrs: readonly string[] | null): Cidr[] | null {
	return cidrs === null ? null : cidrs.flatMap((c) => parseCidr(c) ?? []);
}

/** A table's limit columns, for a select. */
function limitsOf(t: typeof apiKeys | typeof users | typeof groupPricing) {
	return {
		rpm: t.rpm,
		tpm: t.tpm,
		maxConcurrency: t.maxConcurrency,
		budgetDailyNusd: t.budgetDailyNusd,
		budgetMonthlyNusd: t.budgetMonthlyNusd,
		quotaNusd: t.quotaNusd,
	};
}

/**
 * Keys as read, by hash, for KEY_CACHE_SECONDS: the bound within which a key revoked, disabled or locked in another
 * isolate is refused here (README, "Revocation"). One D1 read per key per isolate per bound, nothing per request.
 */
const byHash = new TtlCache<string, KeyRecord>("keys", 5_000);

/** Called by the admin API after any change to keys or users: this isolate refuses a revoked key at once. */
export function forgetCallers(): void {
	byHash.clear();
}

/**
 * A credential that cannot be checked because the database did not answer is neither valid nor invalid: the
 * caller is told to retry (503), not that their key is wrong (401).
 */
export function unavailableOnFailure<T>(work: Promise<T>): Promise<T> {
	return work.catch((err: unknown) => {
		if (err instanceof GatewayError) throw err;
		throw new GatewayError("auth_unavailable", "The gateway could not check your credentials just now; try again shortly");
	});
}

function load(env: Env, which: SQL): Promise<KeyRecord | undefined> {
	return unavailableOnFailure(query(env, which));
}

async function query(env: Env, which: SQL): Promise<KeyRecord | undefined> {
	const [row] = await db(env)
		.select({
			keyId: apiKeys.id,
			userId: apiKeys.userId,
			group: users.group,
			models: apiKeys.models,
			memoryMode: apiKeys.memoryMode,
			streamContinuation: apiKeys.streamContinuation,
			appId: apiKeys.appId,
			keyStatus: apiKeys.status,
			userStatus: users.status,
			expiresAt: apiKeys.expiresAt,
			anomaly: apiKeys.anomaly,
			cache: apiKeys.cache,
			lockedReason: apiKeys.lockedReason,
			scopes: apiKeys.scopes,
			userScopes: users.scopes,
			ipAllow: apiKeys.ipAllow,
			previousKeyHash: apiKeys.previousKeyHash,
			previousKeyExpiresAt: apiKeys.previousKeyExpiresAt,
			keyLimits: limitsOf(apiKeys),
			userLimits: limitsOf(users),
			// The group's name first: drizzle reads a left-joined object whose first column is null as absent.
			groupLimits: { group: groupPricing.group, ...limitsOf(groupPricing) },
		})
		.from(apiKeys)
		.innerJoin(users, eq(users.id, apiKeys.userId))
		.leftJoin(groupPricing, eq(groupPricing.group, users.group))
		.where(which)
		.limit(1);
	if (!row) return undefined;
	const scopes: { scope: Scope; limits: Partial<Record<keyof Limits, unknown>> | null }[] = [
		{ scope: { kind: "token", id: String(row.keyId) }, limits: row.keyLimits },
		{ scope: { kind: "user", id: String(row.userId) }, limits: row.userLimits },
		{ scope: { kind: "group", id: row.group }, limits: row.groupLimits },
	];
	return {
		keyId: row.keyId,
		userId: row.userId,
		group: row.group,
		models: row.models ?? null,
		memoryMode: row.memoryMode,
		streamContinuation: row.streamContinuation,
		appId: row.appId,
		governed: scopes.flatMap(({ scope, limits }) => {
			const full = limits ? pickLimits(limits as Limits) : NO_LIMITS;
			return hasLimits(full) ? [{ scope, limits: full }] : [];
		}),
		anomaly: anomalySettings(row.anomaly, config(env).anomalyPolicy),
		cache: storedCacheSettings(row.cache),
		scopes: effectiveScopes(row.scopes ?? null, row.userScopes ?? null),
		ipAllow: allowList(row.ipAllow ?? null),
		active: row.keyStatus === "active" && row.userStatus === "active",
		expiresAt: row.expiresAt,
		lockedFor: row.keyStatus === "locked" ? (row.lockedReason ?? "locked") : null,
		previousKeyHash: row.previousKeyHash,
		previousKeyExpiresAt: row.previousKeyExpiresAt,
	};
}

/**
 * The key a client presented: `Authorization: Bearer` as OpenAI clients send it, `x-api-key` as Anthropic's do,
 * or `x-goog-api-key` as Gemini's do. Keys in the query string are not accepted: URLs end up in logs.
 */
export function presentedKey(headers: Headers): string | undefined {
	const auth = headers.get("authorization");
	if (auth) {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
		return match?.[1];
	}
	return headers.get("x-api-key")?.trim() || headers.get("x-goog-api-key")?.trim() || undefined;
}

/**
 * Which keys a route takes: ordinary keys everywhere but at /dify/v1, which takes only app keys. An app key speaks
 * for one app's end users: a leaked one must not reach the owner's files, memories or models beyond the app.
 */
export type KeyKind = "ordinary" | "app";

export async function authenticate(env: Env, key: string | undefined, now = Date.now(), kind: KeyKind = "ordinary"): Promise<CallerKey> {
	if (!key) {
		throw new GatewayError("invalid_api_key", "Missing API key: send it as 'Authorization: Bearer <key>', 'x-api-key' or 'x-goog-api-key'");
	}
	// A mistyped or made-up key is refused by its shape and checksum, without a database read.
	if (!plausibleKey(key)) throw new GatewayError("invalid_api_key", "Invalid API key");
	const keyHash = await sha256Hex(key);
	let record = byHash.get(keyHash, now);
	if (!record) {
		// A rotated key's previous secret finds it too, during the grace (refused below once it is over).
		record = await load(env, sql`${apiKeys.keyHash} = ${keyHash} OR ${apiKeys.previousKeyHash} = ${keyHash}`);
		if (record) byHash.set(keyHash, record, now, config(env).keyCacheSeconds * 1000);
	}
	if (!record) throw new GatewayError("invalid_api_key", "Invalid API key");
	if (record.previousKeyHash === keyHash && (record.previousKeyExpiresAt ?? 0) <= now) {
		throw new GatewayError("invalid_api_key", "This key was rotated and its grace period is over; use its new secret");
	}
	const caller = usable(record, now, "invalid_api_key");
	if (kind === "ordinary" && caller.appId !== null) {
		throw new GatewayError("forbidden", "This is an app key: it works only at /dify/v1, for its app");
	}
	if (kind === "app" && caller.appId === null) {
		throw new GatewayError("invalid_api_key", "An app key is needed here: create one with POST /api/apps/{id}/keys");
	}
	return caller;
}

/**
 * The caller a key is, by its id rather than its secret: the dashboard's playground acts as a key of the signed-in
 * user (`ownerId`; undefined for the operator, who may act as any). Another user's key is "not found" whatever its
 * state, so that nobody learns which ids exist.
 */
export async function callerForKey(env: Env, keyId: number, ownerId: number | undefined, now = Date.now()): Promise<CallerKey> {
	const record = await load(env, eq(apiKeys.id, keyId));
	if (!record || (ownerId !== undefined && record.userId !== ownerId)) {
		throw new GatewayError("not_found", `Token ${keyId} does not exist`, { param: "token_id" });
	}
	// The session is valid; only the key is not usable: 403, so that the dashboard does not sign its user out.
	return usable(record, now, "forbidden");
}

function usable(record: KeyRecord, now: number, code: "invalid_api_key" | "forbidden"): CallerKey {
	if (record.lockedFor !== null) throw new GatewayError(code, `This API key is locked (${record.lockedFor}); its owner or the operator can unlock it`);
	if (!record.active) throw new GatewayError(code, "This API key is disabled");
	if (record.expiresAt !== null && record.expiresAt <= now) {
		throw new GatewayError(code, "This API key has expired");
	}
	return {
		keyId: record.keyId,
		userId: record.userId,
		group: record.group,
		models: record.models,
		memoryMode: record.memoryMode,
		streamContinuation: record.streamContinuation,
		appId: record.appId,
		governed: record.governed,
		anomaly: record.anomaly,
		cache: record.cache,
		scopes: record.scopes,
		ipAllow: record.ipAllow,
	};
}
