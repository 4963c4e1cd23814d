import { baseUrl, type Endpoint, jsonPost, type Provider } from "../types";

/** The version the gateway speaks when the client did not say; the only current one. */
export const ANTHROPIC_VERSION = "2023-06-01";

const endpoint: Endpoint = (target) => `${baseUrl(anthropic, target)}/messages`;

/**
 * Anthropic's Messages API. The base URL may be given with the version segment (https://api.anthropic.com/v1) or,
 * as Anthropic's SDK takes it, without. An Anthropic client's `anthropic-version` and `anthropic-beta` headers are
 * passed on, so its body means the same.
 */
export const anthropic: Provider = {
	wire: "anthropic",
	operations: ["chat"],
	defaultBaseUrl: "https://api.anthropic.com/v1",
	prefill: true,
	endpoint,
	send(body, target, ctx) {
		const headers: Record<string, string> = {
			"anthropic-version": ctx.clientHeaders.get("anthropic-version") ?? ANTHROPIC_VERSION,
			accept: ctx.stream ? "text/event-stream" : "application/json",
		};
		const beta = ctx.clientHeaders.get("anthropic-beta");
		if (beta) headers["anthropic-beta"] = beta;
		if (target.apiKey) headers["x-api-key"] = target.apiKey;
		return jsonPost(endpoint(target, ctx), headers, { ...body, model: target.upstreamModel }, ctx);
	},
	listModels(target, signal) {
		const headers: Record<string, string> = { "anthropic-version": ANTHROPIC_VERSION, accept: "application/json" };
		if (target.apiKey) headers["x-api-key"] = target.apiKey;
		return fetch(`${baseUrl(anthropic, target)}/models`, { headers, signal });
	},
};
