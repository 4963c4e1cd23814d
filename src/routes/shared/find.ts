import { eq } from "drizzle-orm";
import { mayTouch } from "../../auth/policy";
import type { Principal } from "../../auth/principal";
import { db } from "../../db/client";
import { type ApiKeyRow, apiKeys, type ChannelRow, channels, type UserRow, users } from "../../db/schema";
import { GatewayError } from "../../errors/gateway-error";

export async function findUser(env: Env, id: number, param?: string): Promise<UserRow> {
	const [row] = await db(env).select().from(users).where(eq(users.id, id)).limit(1);
	if (!row) throw new GatewayError("not_found", `User ${id} does not exist`, param === undefined ? {} : { param });
	return row;
}

export async function findChannel(env: Env, id: number): Promise<ChannelRow> {
	const [row] = await db(env).select().from(channels).where(eq(channels.id, id)).limit(1);
	if (!row) throw new GatewayError("not_found", `Channel ${id} does not exist`);
	return row;
}

/** The key, if the principal may see it: any for the operator, only their own for a user (another's is "not found"). */
export async function findKey(env: Env, id: number, principal: Principal, param?: string): Promise<ApiKeyRow> {
	const [row] = await db(env).select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
	if (!row || !mayTouch(principal, row.userId)) throw new GatewayError("not_found", `Token ${id} does not exist`, param === undefined ? {} : { param });
	return row;
}
