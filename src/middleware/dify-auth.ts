import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { traced } from "../observability/tracer";
import { authenticate, presentedKey } from "../relay/callers";
import { admitKey } from "./admit-key";

/**
 * Resolves the app key of a /dify/v1 route into `c.var.caller` (`Authorization: Bearer <app key>`, as dify-client
 * sends it). An ordinary gateway key, a wrong key or none is Dify's 401 `unauthorized`.
 */
export function difyAuth(): MiddlewareHandler<AppEnv> {
	return async function difyAuth(c, next) {
		const caller = await traced(c.get("trace"), "authenticate", {}, () => authenticate(c.env, presentedKey(c.req.raw.headers), Date.now(), "app")).catch(
			(err: unknown) => {
				if (err instanceof GatewayError && err.code === "invalid_api_key") throw new GatewayError("unauthorized", err.message);
				throw err;
			},
		);
		admitKey(c, caller, true);
		c.set("caller", caller);
		c.get("meter")?.setCaller(caller);
		await next();
	};
}
