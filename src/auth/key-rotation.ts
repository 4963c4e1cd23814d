import { and, eq, sql } from "drizzle-orm";
import { db } from "../db/client";
import { type ApiKeyRow, apiKeys } from "../db/schema";
import { GatewayError } from "../errors/gateway-error";
import { sha256Hex } from "../lib/crypto";
import { keyPrefixOf, newGatewayKey } from "./key-format";

/**
 * Gives a key a new secret, keeping its id (and so its limits, usage, budget and history): the secret it replaces
 * keeps working for `graceMs` (0: not at all), so that its clients can move over. Only one previous secret is kept:
 * rotating again during a grace ends the older one's at once. Conditional on the secret being the one read, so that
 * two rotations at once do not both report a new key that only one of them wrote (409 for the other).
 */
export async function rotateKey(env: Env, current: ApiKeyRow, graceMs: number, now = Date.now()): Promise<{ row: ApiKeyRow; key: string }> {
	const key = newGatewayKey();
	const keeps = graceMs > 0;
	const [row] = await db(env)
		.update(apiKeys)
		.set({
			keyHash: await sha256Hex(key),
			keyPrefix: keyPrefixOf(key),
			// SQLite's SET reads the row as it was: these are the replaced secret's.
			previousKeyHash: keeps ? sql`${apiKeys.keyHash}` : null,
			previousKeyPrefix: keeps ? sql`${apiKeys.keyPrefix}` : null,
			previousKeyExpiresAt: keeps ? now + graceMs : null,
		})
		.where(and(eq(apiKeys.id, current.id), eq(apiKeys.keyHash, current.keyHash)))
		.returning();
	if (!row) throw new GatewayError("conflict", `Token ${current.id} was changed or rotated at the same time; read it again and retry`);
	return { row, key };
}

/** Forgets the previous secrets whose grace is over (the upkeep cron): authentication already refuses them. */
export async function clearExpiredPreviousKeys(env: Env, now: number): Promise<number> {
	const { meta } = await env.DB.prepare(
		"UPDATE tokens SET previous_key_hash = NULL, previous_key_prefix = NULL, previous_key_expires_at = NULL WHERE previous_key_expires_at <= ?1",
	)
		.bind(now)
		.run();
	return meta.changes;
}
