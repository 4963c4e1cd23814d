import { baseUrl, type Endpoint, jsonPost, type Provider } from "../types";

const endpoint: Endpoint = (target) => `${baseUrl(cohere, target)}/rerank`;

/**
 * Cohere's Rerank API (v2), at a base URL with or without its `/v2`. Its body takes no fields beyond its own, so
 * only those are sent; its answer (`results` of `index` and `relevance_score`, `meta.billed_units.search_units`) is
 * the gateway's rerank answer as it is.
 */
export const cohere: Provider = {
	wire: "openai",
	operations: ["rerank"],
	defaultBaseUrl: "https://api.cohere.com/v2",
	endpoint,
	send(body, target, ctx) {
		const { query, documents, top_n, max_tokens_per_doc } = body;
		const headers: Record<string, string> = { accept: "application/json" };
		if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
		return jsonPost(endpoint(target, ctx), headers, { model: target.upstreamModel, query, documents, top_n, max_tokens_per_doc }, ctx);
	},
};
