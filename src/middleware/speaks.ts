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

/**
 * Marks a route shared by two APIs as speaking `dialect` for a request that sends `header`: Anthropic's clients send
 * `anthropic-version` on every call, so GET /v1/models answers them (errors included) in Anthropic's format.
 */
export function speaksWhenSent(header: string, dialect: ErrorDialect): MiddlewareHandler<AppEnv> {
	return async function speaksWhenSent(c, next) {
		if (c.req.header(header) !== undefined) c.set("dialect", dialect);
		await next();
	};
}
