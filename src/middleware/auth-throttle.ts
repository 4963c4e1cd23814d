import type { MiddlewareHandler } from "hono";
import { noteFailure, refusedFor } from "../auth/address-throttle";
import { type AppEnv, config } from "../env";
import { GatewayError } from "../errors/gateway-error";
import { retryAfterHeader } from "../relay/governor-headers";

/**
 * Refuses (429, in the dialect of the route) an address that failed to authenticate more than
 * AUTH_FAILURES_PER_MINUTE times, before its credential is read; counts each 401 it gets. Every surface goes through
 * it: /v1, /api (the dashboard's sign-in too), /mem0, /dify. A request without `cf-connecting-ip`, or from a loopback
 * address, is not throttled: that is local development (wrangler dev sets the header to the loopback address), where
 * every client is the same machine. Behind Cloudflare the header is always the client's public address.
 */
const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

export function authThrottle(): MiddlewareHandler<AppEnv> {
	return async function authThrottle(c, next) {
		const address = c.req.header("cf-connecting-ip");
		if (address === undefined || LOOPBACK.test(address)) {
			await next();
			return;
		}
		const waitMs = refusedFor(address);
		if (waitMs > 0) {
			const seconds = Math.max(1, Math.ceil(waitMs / 1_000));
			throw new GatewayError("rate_limit_exceeded", `Too many failed authentications from your address; try again in ${seconds} s`, {
				headers: retryAfterHeader(waitMs),
			});
		}
		await next();
		if (c.res.status === 401) noteFailure(c.env, address.slice(0, 64), config(c.env).authFailuresPerMinute, (p) => c.executionCtx.waitUntil(p));
	};
}
