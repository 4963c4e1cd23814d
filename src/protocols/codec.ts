import type { ChatRequest, ChatResponse } from "./ir";
import type { Transcript } from "./openai/stream-transcript";
import type { SseMapper } from "./sse";
import type { StreamTap } from "./stream-tap";
import type { Usage } from "./usage";

/** The wire formats channels speak. A client speaking the same one gets its body passed through untouched. */
export type Wire = "openai" | "anthropic" | "gemini";

/** A client dialect: how its requests become the internal representation and how answers go back to it. */
export interface IngressCodec<Req = Record<string, unknown>> {
	/** The channel wire this dialect is, if any: then a channel of that wire gets the client's body as it is. */
	readonly wire: Wire | undefined;
	toChat(request: Req): ChatRequest;
	fromChat(response: ChatResponse, model: string): object;
	/**
	 * Maps an internal-representation (OpenAI chunk) stream to this dialect's stream; absent for the identity.
	 * `promptTokens` estimates the request's input, for a dialect that announces it before the upstream's count.
	 */
	streamFromChat?(model: string, promptTokens?: () => number): SseMapper;
	/** The content type of this dialect's stream, when it is not `text/event-stream`. */
	readonly streamContentType?: string;
}

/** A channel wire: how the internal representation is sent to it and how its answers come back. */
export interface EgressCodec {
	fromChat(request: ChatRequest): Record<string, unknown>;
	/** A chat body in this wire allowed at most `max` output tokens: lowered where set, set where absent. */
	capOutput(body: Record<string, unknown>, max: number): Record<string, unknown>;
	toChat(response: unknown, model: string): ChatResponse;
	/** Maps this wire's stream to an internal-representation (OpenAI chunk) stream; absent for the identity. */
	streamToChat?(model: string): SseMapper;
	/** Meters this wire's own stream, when it is passed through untouched. */
	tap(forwardUsage: boolean): StreamTap;
	/**
	 * Reads what a client was sent of this wire's own stream (passed through) before it broke, and how to go on in
	 * this wire from there; absent, such a stream is not continued.
	 */
	resumeStream?(delivered: readonly string[]): StreamResumption;
	readUsage(response: unknown): Usage | undefined;
}

/**
 * Fields the gateway adds to an answer in the client's dialect (a file search's citations), whichever channel
 * wrote it: to a whole answer's JSON, or to a stream's closing event as it passes.
 */
export interface AnswerAnnotation {
	answer(json: object): object;
	stream(): SseMapper;
}

/** A broken stream in a client's dialect: what the client saw, and how chat chunks continue it. */
export interface StreamResumption {
	transcript: Transcript;
	/** Maps the continuation's chat chunks into the dialect mid-stream; absent when the dialect is chat chunks. */
	fromChat?(): SseMapper;
}
