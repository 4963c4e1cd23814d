import { eq } from "drizzle-orm";
import { db } from "../../db/client";
import { type ChannelRow, channels, type UserRow, users } from "../../db/schema";
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
