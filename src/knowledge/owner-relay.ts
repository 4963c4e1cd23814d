import { knownError } from "../errors/on-error";
import { type Span, untraced } from "../observability/tracer";
import { UsageMeter } from "../relay/meter";
import type { RelayRequest } from "../relay/request";
import { usageBatcher } from "../relay/usage-batcher";
import type { CallerKey } from "../types/caller";

/** Who a knowledge feature's upstream call is made for: the key of the user who owns the store or file. */
export interface OwnerContext {
	env: Env;
	waitUntil: (work: Promise<unknown>) => void;
	caller: CallerKey;
	/** The span the call's steps go under: a request's, a retrieval's, a queue message's; absent, a trace of its own. */
	trace?: Span | undefined;
}

/**
 * A relay request made by the gateway itself as the owner's key (embeddings for ingestion and search, rerank for
 * search): admitted, limited and billed like the owner's own call, recorded under `endpoint`. `requestId` keys the
 * usage record, so a retried step that sends the same id is charged once.
 */
export function ownerRelayRequest(ctx: OwnerContext, requestId: string, endpoint: string): RelayRequest {
	const meter = new UsageMeter(requestId, null, endpoint, Date.now(), (record) => usageBatcher(ctx.env.USAGE_QUEUE, ctx.env.DB).send(record));
	meter.setCaller(ctx.caller);
	return {
		env: ctx.env,
		waitUntil: ctx.waitUntil,
		requestId,
		signal: new AbortController().signal,
		clientHeaders: new Headers(),
		trace: ctx.trace ?? untraced(),
		caller: ctx.caller,
		meter,
		dialect: "openai",
		responseHeaders: new Headers(),
	};
}

/** A refusal or an upstream failure of such a request, recorded as a relay route's would be. */
export function recordFailure(ctx: OwnerContext, req: RelayRequest, err: unknown): void {
	const known = knownError(err);
	ctx.waitUntil(req.meter.record({ status: known?.status ?? 500, errorCode: known?.code ?? "internal_error" }));
}
