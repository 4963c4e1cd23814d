import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";

/**
 * Headers for the dashboard's API (/api): `nosniff`, so that no answer is ever read by a browser as other than the
 * JSON (or CSV) it says it is, and under /api/auth, where sessions are handed out and ended, `no-store`, so that no
 * cache keeps one. Set before the handler runs, so that they reach its answer and its error alike. (The dashboard's
 * own pages get theirs from `_headers`, dashboard/security-headers.ts.)
 */
export function apiHeaders(): MiddlewareHandler<AppEnv> {
	return async function apiHeaders(c, next) {
		c.header("x-content-type-options", "nosniff");
		if (c.req.path.startsWith("/api/auth/")) c.header("cache-control", "no-store");
		await next();
	};
}
