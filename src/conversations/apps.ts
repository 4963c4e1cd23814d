import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { apiKeys, apps } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import { randomBase62 } from "../lib/crypto";
import { type CacheSettings, storedCacheSettings } from "../types/cache-settings";

export type AppRow = typeof apps.$inferSelect;
export type AppFields = Omit<typeof apps.$inferInsert, "id" | "ownerId" | "createdAt" | "updatedAt">;

/**
 * An app of `ownerId`'s (undefined: the operator, who reaches every app). Another user's app, like one that does not
 * exist, is "not found", so that app ids do not leak.
 */
export async function findApp(d: Db, id: string, ownerId: number | undefined): Promise<AppRow> {
	const [row] = await d.select().from(apps).where(eq(apps.id, id)).limit(1);
	if (!row || (ownerId !== undefined && row.ownerId !== ownerId)) throw new GatewayError("not_found", `No app found with id '${id}'.`, { param: "app_id" });
	return row;
}

/**
 * The response cache for an app's answers at /dify/v1, resolved (null: off). The app's, not its keys': an app key is
 * made without settings of its own, and the app's owner sets the cache where they set the rest of the app.
 */
export function appCache(app: Pick<AppRow, "cache">): CacheSettings | null {
	return storedCacheSettings(app.cache);
}

export async function createApp(d: Db, ownerId: number, fields: AppFields, now = Date.now()): Promise<AppRow> {
	const [row] = await d
		.insert(apps)
		.values({ ...fields, id: randomBase62("app-", 24), ownerId, createdAt: now, updatedAt: now })
		.returning();
	if (!row) throw new GatewayError("internal_error", "The app was not created");
	return row;
}

/** Every app of `ownerId`'s (undefined: everyone's), newest first. */
export function listApps(d: Db, ownerId: number | undefined): Promise<AppRow[]> {
	return d
		.select()
		.from(apps)
		.where(ownerId === undefined ? undefined : eq(apps.ownerId, ownerId))
		.orderBy(desc(apps.createdAt), desc(apps.id));
}

export async function updateApp(d: Db, app: AppRow, fields: Partial<AppFields>, now = Date.now()): Promise<AppRow> {
	const [row] = await d
		.update(apps)
		.set({ ...fields, updatedAt: now })
		.where(eq(apps.id, app.id))
		.returning();
	if (!row) throw new GatewayError("not_found", `No app found with id '${app.id}'.`, { param: "app_id" });
	return row;
}

/** Deletes an app and its keys together: a key of an app that is gone would answer nothing but errors. */
export async function deleteApp(d: Db, app: AppRow): Promise<void> {
	await d.batch([d.delete(apiKeys).where(eq(apiKeys.appId, app.id)), d.delete(apps).where(eq(apps.id, app.id))]);
}

/** The app's keys, oldest first. */
export function appKeys(d: Db, app: AppRow) {
	return d
		.select({
			id: apiKeys.id,
			name: apiKeys.name,
			keyPrefix: apiKeys.keyPrefix,
			status: apiKeys.status,
			createdAt: apiKeys.createdAt,
			lastUsedAt: apiKeys.lastUsedAt,
		})
		.from(apiKeys)
		.where(eq(apiKeys.appId, app.id))
		.orderBy(apiKeys.id);
}

export async function deleteAppKey(d: Db, app: AppRow, keyId: number): Promise<void> {
	const [gone] = await d
		.delete(apiKeys)
		.where(and(eq(apiKeys.id, keyId), eq(apiKeys.appId, app.id)))
		.returning({ id: apiKeys.id });
	if (!gone) throw new GatewayError("not_found", `No key ${keyId} of app '${app.id}'.`, { param: "key_id" });
}
