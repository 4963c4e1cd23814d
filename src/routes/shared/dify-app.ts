import type { Context } from "hono";
import { type AppRow, findApp } from "../../conversations/apps";
import { db } from "../../db/client";
import type { AppEnv } from "../../env";
import { GatewayError } from "../../errors/gateway-error";

/** The app the caller's app key belongs to (its owner's: an app key is always its owner's). */
export async function appOf(c: Context<AppEnv>): Promise<AppRow> {
	const caller = c.get("caller");
	if (caller.appId === null) throw new GatewayError("unauthorized", "An app key is needed here");
	return findApp(db(c.env), caller.appId, caller.userId);
}
