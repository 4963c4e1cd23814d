import { getPath } from "hono/utils/url";

/**
 * The path the app routes a request by: Hono's own, except that a /mem0 path without its trailing "/" is routed as
 * with it. Mem0's client always sends the "/", but a hand-written call (curl, another SDK) often leaves it off, and
 * a 404 for `/mem0/v1/ping` would only puzzle; the answer is the same as for `/mem0/v1/ping/`, not a redirect, which a
 * client would follow for a POST with a GET.
 */
export function routedPath(request: Request): string {
	const path = getPath(request);
	return path.startsWith("/mem0/") && !path.endsWith("/") ? `${path}/` : path;
}
