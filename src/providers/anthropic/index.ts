import { baseUrl, jsonPost, type Provider } from "../types";

/** The version the gateway speaks when the client did not say; the only current one. */
export const ANTHROPIC_VERSION = "2023-06-01";

/**
 * Anthropic's Messages API. The base URL includes the version segment (https://api.anthropic.com/v1). An
 * Anthropic client's `anthropic-version` and `anthropic-beta` headers are passed on, so its body means the same.
 */
export const anthropic: Provider = {
	wire: "anthropic",
	operations: ["chat"],
	defaultBaseUrl: "https://api.anthropic.com/v1",
	send(body, target, ctx) {
		const headers: Record<string, string> = {
			"anthropic-version": ctx.clientHeaders.get("anthropic-version") ?? ANTHROPIC_VERSION,
			accept: ctx.stream ? "text/event-stream" : "application/json",
		};
		const beta = ctx.clientHeaders.get("anthropic-beta");
		if (beta) headers["anthropic-beta"] = beta;
		if (target.apiKey) headers["x-api-key"] = target.apiKey;
		return jsonPost(`${baseUrl(this, target)}/messages`, headers, { ...body, model: target.upstreamModel }, ctx.signal);
	},
};
