import type { Wire } from "../protocols/codec";

/** What the relay asks of an upstream. */
export type Operation = "chat" | "embeddings";

/** One channel, resolved for one attempt: where to send, with which key, under which model name. */
export interface Target {
	channelId: number;
	baseUrl: string | undefined;
	apiKey: string | undefined;
	upstreamModel: string;
	settings: Record<string, unknown>;
}

/** Everything about the call that is not the body. */
export interface SendContext {
	op: Operation;
	/** The client asked for a stream; for Gemini this picks the endpoint, for the others it is in the body too. */
	stream: boolean;
	signal: AbortSignal;
	/** The client's request headers, for the few a provider forwards (e.g. `anthropic-beta`). */
	clientHeaders: Headers;
	env: Env;
}

export interface Provider {
	/** The dialect it speaks: chat bodies arrive in it and answers are read in it. Embeddings are always OpenAI's. */
	readonly wire: Wire;
	readonly operations: readonly Operation[];
	/** Used when the channel has no base URL of its own. */
	readonly defaultBaseUrl?: string;
	/**
	 * Adjusts a chat request translated from another dialect, or a client's own body the gateway changed (its output
	 * capped by a budget; never one passed through as sent), for an upstream whose wire has dialects of its own,
	 * e.g. OpenAI's reasoning models refusing `max_tokens`.
	 */
	adaptTranslated?(body: Record<string, unknown>): Record<string, unknown>;
	/** Every channel of this type has its own endpoint (e.g. an Azure resource), so `base_url` must be given. */
	readonly requiresBaseUrl?: boolean;
	/**
	 * Sends a body in the provider's wire format (the model name is the provider's to place, from `target`).
	 * Non-2xx statuses are returned, not thrown; a transport failure throws.
	 */
	send(body: Record<string, unknown>, target: Target, ctx: SendContext): Promise<Response>;
}

export function baseUrl(provider: Provider, target: Target): string {
	return (target.baseUrl ?? provider.defaultBaseUrl ?? "").replace(/\/+$/, "");
}

export function jsonPost(url: string, headers: Record<string, string>, body: unknown, signal: AbortSignal): Promise<Response> {
	return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body), signal });
}
