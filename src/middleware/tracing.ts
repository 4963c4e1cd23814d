import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { type AppEnv, config } from "../env";
import { otlpTarget } from "../observability/otlp-export";
import { parseTraceparent, parseTracestate } from "../observability/trace-context";
import { startTrace } from "../observability/tracer";

/**
 * Continues the client's W3C trace (`traceparent`, `tracestate`) or starts one, and keeps the request's server span
 * in `c.var.trace` for the steps below to hang their spans on and for every upstream call's `traceparent`. The span is
 * named by the route template, never by the path (a path holds ids); with a collector configured the trace is
 * exported after the response, or after the stream when the answer streams.
 */
export function tracing(): MiddlewareHandler<AppEnv> {
	return async function tracing(c, next) {
		const headers = c.req.raw.headers;
		const parent = parseTraceparent(headers.get("traceparent"));
		const trace = startTrace(otlpTarget(config(c.env)), `${c.req.method}`, {
			parent,
			// Vendor state travels only with the trace it belongs to.
			tracestate: parent === undefined ? undefined : parseTracestate(headers.get("tracestate")),
			kind: "server",
			attributes: { "http.request.method": c.req.method, "url.path": c.req.path },
			waitUntil: (work) => c.executionCtx.waitUntil(work),
		});
		c.set("trace", trace);
		try {
			await next();
		} finally {
			const route = routePath(c, -1);
			const status = c.res.status;
			trace.rename(`${c.req.method} ${route}`);
			trace.set({ "http.route": route, "http.response.status_code": status, "gateway.request_id": c.get("requestId") });
			if (status >= 500) trace.fail(String(status));
			trace.end();
		}
	};
}
