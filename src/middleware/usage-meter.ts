import type { Context, MiddlewareHandler } from "hono";
import type { UsageRecord } from "../../queues/usage-message";
import { internalCall } from "../batches/internal-call";
import { type AppEnv, config } from "../env";
import { knownError } from "../errors/on-error";
import { writeAnalytics } from "../observability/analytics";
import { scheduleFlush } from "../observability/metrics-flush";
import { logRequest } from "../observability/request-log";
import { watch } from "../relay/anomaly-watch";
import { UsageMeter } from "../relay/meter";
import { usageBatcher } from "../relay/usage-batcher";
import { refusalCounter } from "../rollups/refusals";
import { routeTemplate } from "./observe";

declare module "../env" {
	interface AppVariables {
		/** The relay routes' usage meter, set here. */
		meter: UsageMeter;
	}
}

/** A relay request's log line: its usage record's ids and counts. A continued stream's broken attempt has its own. */
function logRecord(c: Context<AppEnv>, meter: UsageMeter, r: UsageRecord): void {
	logRequest(
		{
			request_id: r.request_id,
			client_request_id: r.client_request_id,
			trace_id: c.get("trace")?.traceId,
			span_id: c.get("trace")?.spanId,
			method: c.req.method,
			route: routeTemplate(c),
			status: r.status,
			latency_ms: r.latency_ms,
			user_id: r.user_id,
			key_id: r.token_id,
			app_id: meter.appId,
			channel_id: r.channel_id,
			provider: r.channel_id === null ? null : meter.provider,
			model: r.model,
			ttfb_ms: r.ttfb_ms,
			prompt_tokens: r.prompt_tokens,
			completion_tokens: r.completion_tokens,
			cached_tokens: r.cached_tokens,
			cost_usd: r.cost_nusd / 1e9,
			attempts: r.attempts,
			stream: r.stream,
			error_code: r.error_code,
		},
		r.request_id === meter.requestId ? "request" : "request.attempt",
	);
}

/** The request's own record (not a continued stream's broken attempt) shown to anomaly detection, if its key is tracked. */
function watchRecord(c: Context<AppEnv>, meter: UsageMeter, r: UsageRecord): void {
	const caller = c.get("caller");
	if (!caller?.anomaly || r.request_id !== meter.requestId) return;
	const cf = c.req.raw.cf;
	watch(c.env, (p) => c.executionCtx.waitUntil(p), caller, {
		model: r.model || undefined,
		failed: r.status >= 400,
		bytes: Number(c.req.header("content-length")) || 0,
		country: typeof cf?.country === "string" ? cf.country : undefined,
		asn: typeof cf?.asn === "number" ? cf.asn : undefined,
	});
}

/**
 * Gives every relay request of an accepted key one usage record, failures included: the relay records successes
 * itself (a stream only when it ends); whatever else happened (bad input, limits, upstream failure) is recorded here
 * once the error response is known. A request refused before any key was accepted writes no row (anyone could
 * otherwise grow the database without a key): it is only counted, per hour and error code (`relay_refusals`).
 */
export function usageMeter(): MiddlewareHandler<AppEnv> {
	return async function usageMeter(c, next) {
		const cfg = config(c.env);
		const meter = new UsageMeter(c.get("requestId"), c.get("clientRequestId") ?? null, c.req.path, Date.now(), (record) => {
			if (cfg.requestLogs) logRecord(c, meter, record);
			writeAnalytics(c.env.REQUEST_ANALYTICS, record, record.channel_id === null ? null : meter.provider, meter.appId);
			// A stream records when it ends, after observe()'s flush: its counts need one of their own.
			if (cfg.metrics) scheduleFlush(c.env, (p) => c.executionCtx.waitUntil(p));
			watchRecord(c, meter, record);
			return usageBatcher(c.env.USAGE_QUEUE, c.env.DB).send(record);
		});
		meter.batch = internalCall(c.req.raw)?.batch;
		c.set("meter", meter);
		await next();
		if (meter.deferred) return;
		const errorCode = c.error ? (knownError(c.error)?.code ?? "internal_error") : undefined;
		if (!meter.authenticated) {
			c.executionCtx.waitUntil(refusalCounter(c.env.DB).count(errorCode ?? `status_${c.res.status}`, meter.startedAt));
			return;
		}
		c.executionCtx.waitUntil(meter.record({ status: c.res.status, errorCode }));
	};
}
