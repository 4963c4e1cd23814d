import type { MiddlewareHandler } from "hono";
import type { Principal } from "../auth/principal";
import { looksLikeJwt, readSession } from "../auth/session";
import { sessionPrincipal } from "../auth/sessions";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { secretsEqual } from "../lib/crypto";
import { authenticate, presentedKey, unavailableOnFailure } from "../relay/callers";

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` is the operator; a dashboard session (a JWT from POST /api/auth/login or
 * /api/auth/session) is its user, with the user's role, or the operator; any other Bearer is tried as a gateway
 * key. What each may do is src/auth/policy.ts's to say (the `authorize` middleware asks it).
 */
export function apiAuth(): MiddlewareHandler<AppEnv> {
	return async function apiAuth(c, next) {
		c.set("principal", await principalOf(c.env, presentedKey(c.req.raw.headers)));
		await next();
	};
}

async function principalOf(env: Env, presented: string | undefined): Promise<Principal> {
	if (!presented) throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>', a session token or a gateway key");
	const { adminToken, encryptionKey } = config(env);
	if (await secretsEqual(presented, adminToken)) return { role: "admin", userId: null, sessionId: null };
	if (looksLikeJwt(presented)) {
		const claims = await readSession(presented, encryptionKey);
		const principal = claims && (await unavailableOnFailure(sessionPrincipal(env, claims, adminToken)));
		if (!principal) throw new GatewayError("unauthorized", "The session has ended or is not valid; sign in again");
		return principal;
	}
	const caller = await authenticate(env, presented).catch((err: unknown) => {
		if (err instanceof GatewayError && err.code === "invalid_api_key") {
			throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>' or a valid gateway key");
		}
		throw err;
	});
	return { role: "user", userId: caller.userId, keyId: caller.keyId, sessionId: null };
}
