import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { traced } from "../observability/tracer";
import { admitKey } from "./admit-key";
import { bySession, KEY_ID_HEADER, keyOrSessionCaller } from "./caller-auth";
import { presentedCredential } from "./session-cookie";

const TOKEN = /^Token\s+(\S+)\s*$/i;

/**
 * Resolves the gateway key of a /mem0 route into `c.var.caller`. The mem0ai client sends `Authorization: Token
 * <key>` (Mem0's scheme); a Bearer key or x-api-key works as on every other route. The dashboard's Memories page
 * sends its session instead, naming one of its user's keys in `x-gateway-key-id`, as the Knowledge page does.
 */
export function mem0Auth(): MiddlewareHandler<AppEnv> {
	return async function mem0Auth(c, next) {
		const key = TOKEN.exec(c.req.header("authorization") ?? "")?.[1] ?? presentedCredential(c);
		if (key === undefined) throw new GatewayError("invalid_api_key", "Missing API key: send a gateway key as 'Authorization: Token <key>' or 'Bearer <key>'");
		const caller = await traced(c.get("trace"), "authenticate", {}, () => keyOrSessionCaller(c.env, key, c.req.header(KEY_ID_HEADER)));
		admitKey(c, caller, !bySession(key));
		c.set("caller", caller);
		await next();
	};
}
