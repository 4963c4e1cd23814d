import { openaiCompatible } from "./index";

/**
 * OpenAI-compatible vendors: the same wire, another default base URL. A channel of one of these types only
 * needs a key (and, for the self-hosted ones, its own base URL).
 */
export const openaiPresets = {
	deepseek: openaiCompatible("https://api.deepseek.com/v1"),
	qwen: openaiCompatible("https://dashscope.aliyuncs.com/compatible-mode/v1"),
	// Zhipu documents no models list.
	zhipu: openaiCompatible("https://open.bigmodel.cn/api/paas/v4", { noModelsList: true }),
	moonshot: openaiCompatible("https://api.moonshot.cn/v1"),
	mistral: openaiCompatible("https://api.mistral.ai/v1"),
	groq: openaiCompatible("https://api.groq.com/openai/v1"),
	openrouter: openaiCompatible("https://openrouter.ai/api/v1"),
	ollama: openaiCompatible("http://localhost:11434/v1"),
	vllm: openaiCompatible("http://localhost:8000/v1", {}, ["chat", "embeddings", "rerank"]),
	// Embeddings in OpenAI's shape, rerank in Cohere's; no chat.
	jina: openaiCompatible("https://api.jina.ai/v1", { noModelsList: true }, ["embeddings", "rerank"]),
};
