import type { Wire } from "../protocols/codec";

/**
 * What the relay asks of an upstream. Besides chat, embeddings and rerank, OpenAI's media and moderation endpoints,
 * in OpenAI's shapes whatever the provider (a provider of another API translates inside itself).
 */
export type Operation = "chat" | "embeddings" | "rerank" | "images" | "image_edits" | "speech" | "transcriptions" | "translations" | "moderations";

/**
 * Operations whose bodies are multipart forms: the body's values that are Blobs are its files, the others its
 * fields (arrays repeated under `name[]`, as OpenAI's client sends them).
 */
export const MULTIPART_OPERATIONS: ReadonlySet<Operation> = new Set(["image_edits", "transcriptions", "translations"]);

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
	/** W3C trace context for the upstream (`traceparent`, and `tracestate` when the client sent one): the call's span. */
	traceHeaders: Readonly<Record<string, string>>;
	env: Env;
}

/** Where one call goes, from the channel and the kind of call; the channel test shows it. */
export type Endpoint = (target: Target, call: Pick<SendContext, "op" | "stream">) => string;

export interface Provider {
	/**
	 * The dialect it speaks: chat bodies arrive in it and answers are read in it. Embeddings are always OpenAI's;
	 * rerank bodies are always the gateway's (protocols/rerank.ts), which a provider maps to its API's.
	 */
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
	/**
	 * The upstream continues a chat whose last message is the assistant's own unfinished text (Anthropic's prefill):
	 * a broken stream is continued that way; otherwise with an instruction to continue.
	 */
	readonly prefill?: boolean;
	/** Every channel of this type has its own endpoint (e.g. an Azure resource), so `base_url` must be given. */
	readonly requiresBaseUrl?: boolean;
	/** The URL `send` calls; absent for a provider reached without one (a binding, the built-in mock). */
	readonly endpoint?: Endpoint;
	/**
	 * Sends a body in the provider's wire format (the model name is the provider's to place, from `target`).
	 * Non-2xx statuses are returned, not thrown; a transport failure throws.
	 */
	send(body: Record<string, unknown>, target: Target, ctx: SendContext): Promise<Response>;
	/**
	 * Lists the upstream's models: a free call that still proves the host and the key, which the active health
	 * checks prefer to a billed one-token request. Absent where the API has no such list (or the gateway cannot be
	 * sure every server of the type offers one).
	 */
	listModels?(target: Target, signal: AbortSignal): Promise<Response>;
}

const trimSlashes = (url: string) => url.replace(/\/+$/, "");

/** Scheme and host (with port): what a URL is before its path. */
const ORIGIN = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;

/**
 * The base URL a provider's paths are appended to. A channel's own is taken as users paste it: trailing slashes
 * dropped, and one with no path at all (`https://api.anthropic.com`, the form Anthropic's SDK takes) given the path
 * of the type's default base URL (`/v1`, Gemini's `/v1beta`, Groq's `/openai/v1`). Any other path is kept as it is:
 * OpenAI-compatible servers put their version under paths of their own (`/api/v1`, `/v1beta/openai`), which no rule
 * could guess. Done here, where the URL is built, so that channels saved before read the same.
 */
export function baseUrl(provider: Provider, target: Target): string {
	const given = trimSlashes(target.baseUrl?.trim() ?? "");
	const fallback = trimSlashes(provider.defaultBaseUrl ?? "");
	if (!given) return fallback;
	return given.replace(ORIGIN, "") === "" ? given + fallback.replace(ORIGIN, "") : given;
}

/**
 * A 2xx answer that is not what the provider's API sends (cut short, not JSON, another shape). It is the channel's
 * failure, as a 5xx would be: thrown before any byte reached the client, it moves the request on to another channel.
 */
export class UnreadableAnswer extends Error {
	override readonly name = "UnreadableAnswer";
}

/** The gateway could not build the upstream call (its body would not serialize): its own fault, never the channel's. */
export class UnsendableRequest extends Error {
	constructor(cause: unknown) {
		super(`the upstream request could not be built: ${String(cause)}`, { cause });
		this.name = "UnsendableRequest";
	}
}

/**
 * Serializes first, so that only the network call itself can fail as the channel's failure. The trace context goes
 * first, so that a channel's own headers win over it.
 */
export async function jsonPost(
	url: string,
	headers: Record<string, string>,
	body: unknown,
	ctx: Pick<SendContext, "signal" | "traceHeaders">,
): Promise<Response> {
	let text: string;
	try {
		text = JSON.stringify(body);
	} catch (err) {
		throw new UnsendableRequest(err);
	}
	return fetch(url, { method: "POST", headers: { ...ctx.traceHeaders, "content-type": "application/json", ...headers }, body: text, signal: ctx.signal });
}

/**
 * A multipart form from a body whose Blob values are files (see MULTIPART_OPERATIONS); arrays go as repeated
 * `name[]` fields, objects as JSON, and unset values not at all.
 */
export function formOf(body: Record<string, unknown>): FormData {
	const form = new FormData();
	for (const [name, value] of Object.entries(body)) {
		if (value === undefined || value === null) continue;
		if (value instanceof Blob) form.append(name, value, value instanceof File ? value.name : name);
		else if (Array.isArray(value)) for (const v of value) form.append(`${name}[]`, v instanceof Blob ? v : String(v));
		else form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
	}
	return form;
}

/** A multipart POST of `body` (formOf); fetch sets the content type with its boundary. */
export function formPost(
	url: string,
	headers: Record<string, string>,
	body: Record<string, unknown>,
	ctx: Pick<SendContext, "signal" | "traceHeaders">,
): Promise<Response> {
	return fetch(url, { method: "POST", headers: { ...ctx.traceHeaders, ...headers }, body: formOf(body), signal: ctx.signal });
}
