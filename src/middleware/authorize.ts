import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { accessOf, mayCall, refusal } from "../auth/policy";
import type { AppEnv } from "../env";

/**
 * Asks the policy whether the principal may call the route matched, before any of the route's own middleware
 * runs; a route that nobody wrote a rule for is the operator's. A request that matched no route passes on to
 * the 404.
 */
export function authorize(): MiddlewareHandler<AppEnv> {
	return async function authorize(c, next) {
		// Middleware is mounted for every method ("ALL"); a handler names its own. The first handler matched is
		// the one that answers (`/api/users/me` also matches `/api/users/:id`, registered after it).
		const endpoint = matchedRoutes(c).find((r) => r.method !== "ALL");
		if (endpoint) {
			const access = accessOf(endpoint.method, endpoint.path);
			if (!mayCall(c.get("principal"), access)) throw refusal(access);
		}
		await next();
	};
}
