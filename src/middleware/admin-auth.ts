import type { MiddlewareHandler } from "hono";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { secretsEqual } from "../lib/crypto";
import { presentedKey } from "../relay/callers";

/** The admin API and dashboard authenticate with `Authorization: Bearer <ADMIN_TOKEN>`. */
export function adminAuth(): MiddlewareHandler<AppEnv> {
	return async function adminAuth(c, next) {
		const presented = presentedKey(c.req.raw.headers);
		if (!presented || !(await secretsEqual(presented, config(c.env).adminToken))) {
			throw new GatewayError("unauthorized", "Admin API: send 'Authorization: Bearer <ADMIN_TOKEN>'");
		}
		await next();
	};
}
