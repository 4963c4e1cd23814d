import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { authenticate, presentedKey } from "../relay/callers";

/** Resolves the gateway key on a relay route into `c.var.caller`. */
export function callerAuth(): MiddlewareHandler<AppEnv> {
	return async function callerAuth(c, next) {
		const caller = await authenticate(c.env, presentedKey(c.req.raw.headers));
		c.set("caller", caller);
		c.get("meter")?.setCaller(caller);
		await next();
	};
}
