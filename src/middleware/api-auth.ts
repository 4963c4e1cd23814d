import type { MiddlewareHandler } from "hono";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { secretsEqual } from "../lib/crypto";
import { authenticate, presentedKey } from "../relay/callers";

/** Who is calling the API under /api: the operator (admin token) or a user, by one of their gateway keys. */
export type Principal = { role: "admin" } | { role: "user"; userId: number; tokenId: number };

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` is the operator; any other Bearer is tried as a gateway key, whose
 * owner may read their own usage and ledger and redeem codes. Routes that only the operator may call add
 * `requireAdmin()`.
 */
export function apiAuth(): MiddlewareHandler<AppEnv> {
	return async function apiAuth(c, next) {
		const presented = presentedKey(c.req.raw.headers);
		if (!presented) throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>' or a gateway key");
		if (await secretsEqual(presented, config(c.env).adminToken)) c.set("principal", { role: "admin" });
		else {
			const caller = await authenticate(c.env, presented).catch(() => {
				throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>' or a valid gateway key");
			});
			c.set("principal", { role: "user", userId: caller.userId, tokenId: caller.tokenId });
		}
		await next();
	};
}

export function requireAdmin(): MiddlewareHandler<AppEnv> {
	return async function requireAdmin(c, next) {
		if (c.get("principal")?.role !== "admin") throw new GatewayError("forbidden", "Only the operator (ADMIN_TOKEN) may do this");
		await next();
	};
}

/** The user whose data a request may see: any (undefined) for the operator, only their own for a user. */
export function ownUserId(principal: Principal): number | undefined {
	return principal.role === "user" ? principal.userId : undefined;
}
