import type { Usage } from "../relay/usage";
import type { ChatRequest, ChatResponse } from "./ir";
import type { SseMapper } from "./sse";

/** The wire formats channels speak. A client speaking the same one gets its body passed through untouched. */
export type Wire = "openai" | "anthropic" | "gemini";

/**
 * What the stream meter needs to know about one dialect's events: one probe per stream, fed each event's
 * data in order, decides what the client sees and remembers usage and how the stream ended.
 */
export interface StreamProbe {
	/** Reads one event's data; false holds the event back from the client. */
	inspect(data: string): boolean;
	/** The dialect's normal end was seen (and no error). */
	readonly complete: boolean;
	/** The upstream itself reported an error in the stream. */
	readonly failed: boolean;
	readonly usage: Usage | undefined;
	/** Characters of generated text, reasoning and tool arguments delivered: the basis of an estimate. */
	deliveredChars(): number;
	/** A whole SSE event, in this dialect, that ends a failed stream so the client's SDK raises it. */
	errorEvent(message: string): string;
}

/** A client dialect: how its requests become the internal representation and how answers go back to it. */
export interface IngressCodec<Req = Record<string, unknown>> {
	/** The channel wire this dialect is, if any: then a channel of that wire gets the client's body as it is. */
	readonly wire: Wire | undefined;
	toChat(request: Req): ChatRequest;
	fromChat(response: ChatResponse, model: string): object;
	/** Maps an internal-representation (OpenAI chunk) stream to this dialect's stream; absent for the identity. */
	streamFromChat?(model: string): SseMapper;
	/** The content type of this dialect's stream, when it is not `text/event-stream`. */
	readonly streamContentType?: string;
}

/** A channel wire: how the internal representation is sent to it and how its answers come back. */
export interface EgressCodec {
	fromChat(request: ChatRequest): Record<string, unknown>;
	toChat(response: unknown, model: string): ChatResponse;
	/** Maps this wire's stream to an internal-representation (OpenAI chunk) stream; absent for the identity. */
	streamToChat?(model: string): SseMapper;
	/** Meters this wire's own stream, when it is passed through untouched. */
	probe(forwardUsage: boolean): StreamProbe;
	readUsage(response: unknown): Usage | undefined;
}
