import { config } from "../env";
import { otlpTarget } from "./otlp-export";
import { parseTraceparent } from "./trace-context";
import { type Attributes, type Span, startTrace, within } from "./tracer";

/**
 * A queue message's work as a consumer span, the child of the request that queued it when its message carries that
 * request's `traceparent` (an optional field, so messages queued before it existed still parse); exported when it ends.
 */
export function traceMessage<T>(
	env: Env,
	ctx: ExecutionContext,
	queue: string,
	traceparent: string | undefined,
	attributes: Attributes,
	work: (span: Span) => Promise<T>,
): Promise<T> {
	const span = startTrace(otlpTarget(config(env)), `process ${queue}`, {
		parent: parseTraceparent(traceparent),
		kind: "consumer",
		attributes: { "messaging.destination.name": queue, ...attributes },
		waitUntil: (w) => ctx.waitUntil(w),
	});
	return within(span, work);
}
