import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";

// The limit is a var, known only per request; build Hono's middleware once per distinct value.
const byLimit = new Map<number, MiddlewareHandler>();

export function bodyLimit(): MiddlewareHandler<AppEnv> {
	return async function bodyLimit(c, next) {
		const maxSize = config(c.env).maxBodyBytes;
		let limit = byLimit.get(maxSize);
		if (!limit) {
			limit = honoBodyLimit({
				maxSize,
				onError: () => {
					throw new GatewayError("body_too_large", `Request body exceeds the limit of ${maxSize} bytes`);
				},
			});
			byLimit.set(maxSize, limit);
		}
		return limit(c, next);
	};
}
