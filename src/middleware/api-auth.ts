import type { Context, MiddlewareHandler } from "hono";
import type { Principal } from "../auth/principal";
import { looksLikeJwt } from "../auth/session";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { secretsEqual } from "../lib/crypto";
import { traced } from "../observability/tracer";
import { authenticate } from "../relay/callers";
import { admitKey } from "./admit-key";
import { presentedCredential } from "./session-cookie";
import { principalOfSession } from "./session-principal";

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` is the operator; a dashboard session (a JWT from POST /api/auth/login or
 * /api/auth/session) is its user, with the user's role, or the operator; any other Bearer is tried as a gateway
 * key. The dashboard served by the Worker sends its session as a cookie instead (src/middleware/session-cookie.ts).
 * What each may do is src/auth/policy.ts's to say (the `authorize` middleware asks it).
 */
export function apiAuth(): MiddlewareHandler<AppEnv> {
	return async function apiAuth(c, next) {
		c.set("principal", await traced(c.get("trace"), "authenticate", {}, () => principalOf(c, presentedCredential(c))));
		await next();
	};
}

async function principalOf(c: Context<AppEnv>, presented: string | undefined): Promise<Principal> {
	const env = c.env;
	if (!presented) throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>', a session token or a gateway key");
	if (await secretsEqual(presented, config(env).adminToken)) return { role: "admin", userId: null, sessionId: null };
	if (looksLikeJwt(presented)) return principalOfSession(env, presented);
	const caller = await authenticate(env, presented).catch((err: unknown) => {
		if (err instanceof GatewayError && err.code === "invalid_api_key") {
			throw new GatewayError("unauthorized", "Send 'Authorization: Bearer <ADMIN_TOKEN>' or a valid gateway key");
		}
		throw err;
	});
	// A key on /api reads its usage, billing and keys: the `usage` scope, from its allowed addresses.
	admitKey(c, caller, true);
	return { role: "user", userId: caller.userId, keyId: caller.keyId, sessionId: null };
}
