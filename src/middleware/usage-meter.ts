import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { knownError } from "../errors/on-error";
import { UsageMeter } from "../relay/meter";
import { usageBatcher } from "../relay/usage-batcher";
import { refusalCounter } from "../rollups/refusals";

declare module "../env" {
	interface AppVariables {
		/** The relay routes' usage meter, set here. */
		meter: UsageMeter;
	}
}

/**
 * Gives every relay request of an accepted key one usage record, failures included: the relay records successes
 * itself (a stream only when it ends); whatever else happened (bad input, limits, upstream failure) is recorded here
 * once the error response is known. A request refused before any key was accepted writes no row (anyone could
 * otherwise grow the database without a key): it is only counted, per hour and error code (`relay_refusals`).
 */
export function usageMeter(): MiddlewareHandler<AppEnv> {
	return async function usageMeter(c, next) {
		const meter = new UsageMeter(c.get("requestId"), c.get("clientRequestId") ?? null, c.req.path, Date.now(), (record) =>
			usageBatcher(c.env.USAGE_QUEUE, c.env.DB).send(record),
		);
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
