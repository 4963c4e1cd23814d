import { baseUrl, type Endpoint, jsonPost, type Provider } from "../types";

/** A GA api-version of Azure OpenAI's data plane; a channel may name another in `settings.api_version`. */
export const AZURE_API_VERSION = "2024-10-21";

const endpoint: Endpoint = (target, { op }) => {
	const version = typeof target.settings.api_version === "string" ? target.settings.api_version : AZURE_API_VERSION;
	const deployment = encodeURIComponent(target.upstreamModel);
	// The resource endpoint as the portal shows it, or with the `/openai` that Azure's SDK examples append.
	const resource = baseUrl(azureOpenai, target).replace(/\/openai$/i, "");
	const path = op === "embeddings" ? "embeddings" : "chat/completions";
	return `${resource}/openai/deployments/${deployment}/${path}?api-version=${encodeURIComponent(version)}`;
};

/**
 * Azure OpenAI: the OpenAI wire under a per-resource URL. The channel's base URL is the resource endpoint
 * (https://<resource>.openai.azure.com, with or without `/openai`), the upstream model name is the deployment name
 * (map models to deployments with `model_mapping`), and the key goes in `api-key`.
 */
export const azureOpenai: Provider = {
	wire: "openai",
	operations: ["chat", "embeddings"],
	requiresBaseUrl: true,
	endpoint,
	send(body, target, ctx) {
		const url = endpoint(target, ctx);
		const headers: Record<string, string> = { accept: ctx.stream ? "text/event-stream" : "application/json" };
		if (target.apiKey) headers["api-key"] = target.apiKey;
		return jsonPost(url, headers, { ...body, model: target.upstreamModel }, ctx);
	},
};
