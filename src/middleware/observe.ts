import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { type AppEnv, config } from "../env";
import { knownError } from "../errors/on-error";
import { FAMILIES as F } from "../observability/metric-families";
import { metrics } from "../observability/metrics";
import { scheduleFlush } from "../observability/metrics-flush";
import { logEvent, logRequest } from "../observability/request-log";

/**
 * The route a request matched, as registered (`/v1/files/:id`): a bounded label. A request no handler took ends at
 * a wildcard middleware (`/api/*`), and counts as "unmatched".
 */
export function routeTemplate(c: Context<AppEnv>): string {
	const path = routePath(c);
	return c.res.status === 404 && path.endsWith("*") ? "unmatched" : path;
}

/** Who called, as far as the request got: a key's caller (/v1, /mem0) or an /api principal. */
function who(c: Context<AppEnv>): { user_id: number | null; key_id: number | null } {
	const caller = c.get("caller");
	if (caller) return { user_id: caller.userId, key_id: caller.keyId };
	const principal = c.get("principal");
	if (!principal) return { user_id: null, key_id: null };
	return { user_id: principal.userId, key_id: principal.role === "user" ? principal.keyId : null };
}

/**
 * Counts every request for /metrics (by route template, method and status, and its time to headers) and writes its
 * log line; then schedules this isolate's flush after the response. A relay request's line is written with its usage
 * record instead (middleware/usage-meter.ts), which knows its channel, tokens and cost when it ends.
 */
export function observe(): MiddlewareHandler<AppEnv> {
	return async function observe(c, next) {
		const cfg = config(c.env);
		metrics.enabled = cfg.metrics;
		const started = Date.now();
		await next();
		const route = routeTemplate(c);
		const latency = Date.now() - started;
		metrics.inc(F.httpRequests, [route, c.req.method, String(c.res.status)]);
		metrics.observe(F.httpDuration, [route], latency / 1000);
		if (cfg.requestLogs && !c.get("meter")?.authenticated) {
			logRequest({
				request_id: c.get("requestId"),
				client_request_id: c.get("clientRequestId") ?? null,
				trace_id: c.get("trace")?.traceId,
				span_id: c.get("trace")?.spanId,
				method: c.req.method,
				route,
				status: c.res.status,
				latency_ms: latency,
				...who(c),
			});
		}
		// Refused for who the caller is (no or a bad credential, or a route the policy denies it): a security event of
		// its own. A 403 for a model or a quota is the caller's business, not security's.
		if (c.res.status === 401 || (c.res.status === 403 && knownError(c.error)?.code === "forbidden")) {
			logEvent("security.denied", { request_id: c.get("requestId"), method: c.req.method, route, status: c.res.status, ...who(c) });
		}
		if (cfg.metrics) scheduleFlush(c.env, (p) => c.executionCtx.waitUntil(p));
	};
}
