import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { type AppEnv, config } from "../env";
import { KEY_ID_HEADER } from "./caller-auth";
import { CSRF_HEADER } from "./session-cookie";

/**
 * Lets a dashboard deployed on its own origin (Cloudflare Pages) call /api from the browser: only the origin in
 * DASHBOARD_ORIGIN, only when it is set. Served by the Worker itself, the dashboard is same-origin and needs none.
 */
export function dashboardCors(): MiddlewareHandler<AppEnv> {
	return async function dashboardCors(c, next) {
		const origin = config(c.env).dashboardOrigin;
		if (!origin) return next();
		return cors({
			origin,
			allowHeaders: ["authorization", "content-type", KEY_ID_HEADER, CSRF_HEADER],
			exposeHeaders: ["x-request-id", "x-client-request-id"],
			maxAge: 600,
		})(c, next);
	};
}
