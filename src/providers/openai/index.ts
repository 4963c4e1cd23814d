import { baseUrl, jsonPost, type Provider } from "../types";

const paths = { chat: "/chat/completions", embeddings: "/embeddings" } as const;

/** An OpenAI-compatible upstream at a base URL that includes the version segment, e.g. https://api.openai.com/v1. */
export function openaiCompatible(defaultBaseUrl: string | undefined): Provider {
	return {
		wire: "openai",
		operations: ["chat", "embeddings"],
		...(defaultBaseUrl ? { defaultBaseUrl } : {}),
		send(body, target, ctx) {
			const headers: Record<string, string> = { accept: ctx.stream ? "text/event-stream" : "application/json" };
			if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
			return jsonPost(`${baseUrl(this, target)}${paths[ctx.op]}`, headers, { ...body, model: target.upstreamModel }, ctx.signal);
		},
	};
}

export const openai = openaiCompatible("https://api.openai.com/v1");
