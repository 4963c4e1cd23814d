import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { knownError } from "../errors/on-error";
import { UsageMeter } from "../relay/meter";
import { usageBatcher } from "../relay/usage-batcher";

declare module "../env" {
	interface AppVariables {
		/** The relay routes' usage meter, set here. */
		meter: UsageMeter;
	}
}

/**
 * Gives every relay request one usage record, failures included: the relay records successes itself
 * (a stream only when it ends); whatever else happened (bad key, bad input, upstream failure) is recorded
 * here once the error response is known.
 */
export function usageMeter(): MiddlewareHandler<AppEnv> {
	return async function usageMeter(c, next) {
		const meter = new UsageMeter(c.get("requestId"), c.req.path, Date.now(), (record) => usageBatcher(c.env.USAGE_QUEUE).send(record));
		c.set("meter", meter);
		await next();
		if (meter.deferred) return;
		const errorCode = c.error ? (knownError(c.error)?.code ?? "internal_error") : undefined;
		c.executionCtx.waitUntil(meter.record({ status: c.res.status, errorCode }));
	};
}
