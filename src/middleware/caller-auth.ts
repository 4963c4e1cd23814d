import type { MiddlewareHandler } from "hono";
import { sessionKeyOwner } from "../auth/policy";
import { looksLikeJwt } from "../auth/session";
import { internalCall } from "../batches/internal-call";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { traced } from "../observability/tracer";
import { authenticate, callerForKey, presentedKey } from "../relay/callers";
import type { CallerKey } from "../types/caller";
import { admitKey } from "./admit-key";
import { presentedCredential } from "./session-cookie";
import { principalOfSession } from "./session-principal";

/** The header in which a dashboard session names the key it acts as, by id (the gateway does not keep secrets). */
export const KEY_ID_HEADER = "x-gateway-key-id";

export interface CallerAuthOptions {
	/**
	 * Also accept a dashboard session that names one of its own user's keys in `x-gateway-key-id` (the dashboard's
	 * Knowledge page: it has no key's secret). Off on the relay's routes, which stay the keys' alone.
	 */
	sessions?: boolean;
}

/** Resolves the gateway key on a relay route into `c.var.caller`. */
export function callerAuth({ sessions = false }: CallerAuthOptions = {}): MiddlewareHandler<AppEnv> {
	return async function callerAuth(c, next) {
		// A batch line's call to the gateway is its batch's key, re-read by the batch worker: no secret to check.
		const internal = internalCall(c.req.raw);
		if (internal) {
			admitKey(c, internal.caller, false);
			c.set("caller", internal.caller);
			c.get("meter")?.setCaller(internal.caller);
			return next();
		}
		// Only where sessions are taken is the session cookie read: a gateway key never comes as a cookie.
		const presented = sessions ? presentedCredential(c) : presentedKey(c.req.raw.headers);
		const caller = await traced(c.get("trace"), "authenticate", {}, () =>
			sessions ? keyOrSessionCaller(c.env, presented, c.req.header(KEY_ID_HEADER)) : authenticate(c.env, presented),
		);
		admitKey(c, caller, !bySession(presented));
		c.set("caller", caller);
		c.get("meter")?.setCaller(caller);
		await next();
	};
}

/**
 * The key a credential stands for: a gateway key itself, or a dashboard session (a JWT) acting as the key it names
 * by id in `x-gateway-key-id`, which src/auth/policy.ts lets it name only among its own user's keys.
 */
export function keyOrSessionCaller(env: Env, presented: string | undefined, keyId: string | undefined): Promise<CallerKey> {
	return presented !== undefined && looksLikeJwt(presented) ? sessionCaller(env, presented, keyId) : authenticate(env, presented);
}

/** Whether the credential is a dashboard session (acting as a key) rather than a key's secret. */
export const bySession = (presented: string | undefined): boolean => presented !== undefined && looksLikeJwt(presented);

const KEY_ID = /^[1-9]\d{0,15}$/;

async function sessionCaller(env: Env, token: string, keyId: string | undefined): Promise<CallerKey> {
	const principal = await principalOfSession(env, token);
	if (keyId === undefined || !KEY_ID.test(keyId)) {
		throw new GatewayError("invalid_request", `A dashboard session names the key it acts as, by id, in '${KEY_ID_HEADER}'`, { param: KEY_ID_HEADER });
	}
	const caller = await callerForKey(env, Number(keyId), sessionKeyOwner(principal));
	if (caller.appId !== null) throw new GatewayError("forbidden", "This is an app key: it works only at /dify/v1, for its app", { param: KEY_ID_HEADER });
	return caller;
}
