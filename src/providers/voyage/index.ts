import { baseUrl, type Endpoint, jsonPost, type Provider } from "../types";

const endpoint: Endpoint = (target) => `${baseUrl(voyage, target)}/rerank`;

/**
 * Voyage AI's reranker: Cohere's request but for `top_k` (and `truncation`, on by default as in Voyage's clients);
 * its answer lists the ranking under `data` instead of `results`, which the relay reads as well.
 */
export const voyage: Provider = {
	wire: "openai",
	operations: ["rerank"],
	defaultBaseUrl: "https://api.voyageai.com/v1",
	endpoint,
	send(body, target, ctx) {
		const { query, documents, top_n } = body;
		const headers: Record<string, string> = { accept: "application/json" };
		if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
		return jsonPost(endpoint(target, ctx), headers, { model: target.upstreamModel, query, documents, top_k: top_n, truncation: true }, ctx);
	},
};
