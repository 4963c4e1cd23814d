import type { ErrorDialect } from "../errors/render";
import type { Span } from "../observability/tracer";
import type { AnswerAnnotation, IngressCodec } from "../protocols/codec";
import type { ChatRequest } from "../protocols/ir";
import type { CacheSettings } from "../types/cache-settings";
import type { CallerKey } from "../types/caller";
import type { UsageMeter } from "./meter";

/** One relay request as the HTTP layer hands it over: plain values, no framework in sight. */
export interface RelayRequest {
	env: Env;
	/** Work that must finish after the response: records, settlements, breaker reports. */
	waitUntil: (work: Promise<unknown>) => void;
	requestId: string;
	/** Aborts when the client goes away; the upstream request goes with it. */
	signal: AbortSignal;
	clientHeaders: Headers;
	/** The span the relay's steps are children of: the request's, or a retrieval's or memory step's. */
	trace: Span;
	caller: CallerKey;
	meter: UsageMeter;
	/** The called API's format, for its rate-limit headers. */
	dialect: ErrorDialect;
	/**
	 * Headers the relay settles on as it goes (rate limits once admitted, the channel once one answered). They go on
	 * whatever response the request ends with, an error included.
	 */
	responseHeaders: Headers;
}

/** A chat request as a client sent it, and in the internal representation. */
export interface ChatCall {
	ingress: IngressCodec<never>;
	/** The client's body as validated: what a channel of the same wire receives. */
	native: Record<string, unknown>;
	chat: ChatRequest;
	stream: boolean;
	/** The response cache's settings for the request: its key's, or its app's (src/cache); absent or null, off. */
	cache?: CacheSettings | null;
	/** Fields the gateway adds to the answer (a file search's citations); absent, the answer is left as it is. */
	annotate?: AnswerAnnotation;
}

/** A 200 answer, with the headers the relay settled on. */
export function answered(req: RelayRequest, body: BodyInit, headers: Record<string, string>): Response {
	const all = new Headers(req.responseHeaders);
	for (const [name, value] of Object.entries(headers)) all.set(name, value);
	return new Response(body, { status: 200, headers: all });
}
