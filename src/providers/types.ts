/** What the relay asks of an upstream; bodies are in OpenAI format, the gateway's internal representation. */
export type Operation = "chat" | "embeddings";

/** One channel, resolved for one attempt: where to send, with which key, under which model name. */
export interface Target {
	channelId: number;
	baseUrl: string | undefined;
	apiKey: string | undefined;
	upstreamModel: string;
	settings: Record<string, unknown>;
}

export interface Provider {
	/** Used when the channel has no base URL of its own. */
	readonly defaultBaseUrl?: string;
	/**
	 * Sends an OpenAI-format body (model already rewritten) and answers in OpenAI format:
	 * JSON, or an SSE stream when `body.stream` is true. Non-2xx statuses are returned, not thrown;
	 * a transport failure throws.
	 */
	send(op: Operation, body: Record<string, unknown>, target: Target, signal: AbortSignal): Promise<Response>;
}
