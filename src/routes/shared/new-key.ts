import { keyPrefixOf, newGatewayKey } from "../../auth/key-format";
import type { Db } from "../../db/client";
import { type ApiKeyRow, apiKeys } from "../../db/schema";
import { GatewayError } from "../../errors/gateway-error";
import { sha256Hex } from "../../lib/crypto";

export type NewKeyFields = Omit<typeof apiKeys.$inferInsert, "id" | "keyHash" | "keyPrefix">;

/**
 * Mints a gateway key (an ordinary key, or an app key with `appId`): the row keeps only the key's hash and a prefix to
 * tell it apart; the key itself is returned to be shown once.
 */
export async function insertKey(d: Db, fields: NewKeyFields): Promise<{ row: ApiKeyRow; key: string }> {
	const key = newGatewayKey();
	const [row] = await d
		.insert(apiKeys)
		.values({ ...fields, keyHash: await sha256Hex(key), keyPrefix: keyPrefixOf(key) })
		.returning();
	if (!row) throw new GatewayError("internal_error", "The key was not created");
	return { row, key };
}
