import type { Provider } from "../types";

const paths = { chat: "/chat/completions", embeddings: "/embeddings" } as const;

/**
 * Any OpenAI-compatible upstream: OpenAI itself, DeepSeek, Qwen (compatible mode), Zhipu, Moonshot, Groq,
 * OpenRouter, Ollama, vLLM… The channel's base URL includes the version segment, e.g. https://api.openai.com/v1.
 */
export const openai: Provider = {
	defaultBaseUrl: "https://api.openai.com/v1",
	send(op, body, target, signal) {
		const base = (target.baseUrl ?? this.defaultBaseUrl ?? "").replace(/\/+$/, "");
		const headers: Record<string, string> = {
			"content-type": "application/json",
			accept: op === "chat" && body.stream ? "text/event-stream" : "application/json",
		};
		if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
		return fetch(`${base}${paths[op]}`, { method: "POST", headers, body: JSON.stringify(body), signal });
	},
};
