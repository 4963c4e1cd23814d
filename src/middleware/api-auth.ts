import { eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { Principal } from "../auth/principal";
import { looksLikeJwt, readSession } from "../auth/session";
import { db } from "../db/client";
import { users } from "../db/schema";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { secretsEqual } from "../lib/crypto";
import { authenticate, presentedKey } from "../relay/callers";

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` is the operator; a dashboard session (a JWT from POST /api/auth/login)
 * is its user, with the user's role; any other Bearer is tried as a gateway key, whose owner may read their own
 * usage and ledger and redeem codes. Routes that only the operator may call add `requireAdmin()`.
 */
export function apiAuth(): MiddlewareHandler<AppEnv> {
	return async function apiAuth(c, next) {
		const presented = presentedKey(c.req.raw.headers);
		if (!presented) throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>', a session token or a gateway key");
		if (await secretsEqual(presented, config(c.env).adminToken)) c.set("principal", { role: "admin", userId: null });
		else if (looksLikeJwt(presented)) c.set("principal", await sessionPrincipal(c.env, presented));
		else {
			const caller = await authenticate(c.env, presented).catch(() => {
				throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>' or a valid gateway key");
			});
			c.set("principal", { role: "user", userId: caller.userId, tokenId: caller.tokenId });
		}
		await next();
	};
}

async function sessionPrincipal(env: Env, token: string): Promise<Principal> {
	const userId = await readSession(token, config(env).encryptionKey);
	const [user] = userId === undefined ? [] : await db(env).select({ role: users.role, status: users.status }).from(users).where(eq(users.id, userId)).limit(1);
	if (userId === undefined || !user) throw new GatewayError("unauthorized", "The session has expired or is not valid; sign in again");
	if (user.status !== "active") throw new GatewayError("unauthorized", "This user is disabled");
	return user.role === "admin" ? { role: "admin", userId } : { role: "user", userId, tokenId: null };
}

export function requireAdmin(): MiddlewareHandler<AppEnv> {
	return async function requireAdmin(c, next) {
		if (c.get("principal")?.role !== "admin") throw new GatewayError("forbidden", "Only the operator (ADMIN_TOKEN) may do this");
		await next();
	};
}
