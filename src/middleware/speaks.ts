import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import type { ErrorDialect } from "../errors/render";

/** Marks the routes below as speaking a dialect, so that every error there (auth and validation included) is in its format. */
export function speaks(dialect: ErrorDialect): MiddlewareHandler<AppEnv> {
	return async function speaks(c, next) {
		c.set("dialect", dialect);
		await next();
	};
}
