import { estimateTokens } from "../token-estimate";
import { embeddingsAnswer } from "./answer";
import { modelResource } from "./resource";

/** The texts of an OpenAI embeddings `input`; undefined for token arrays, which Gemini cannot take. */
export function embeddingTexts(input: unknown): string[] | undefined {
	const items = Array.isArray(input) ? input : [input];
	return items.every((t): t is string => typeof t === "string") ? items : undefined;
}

/** An OpenAI embeddings request as a `:batchEmbedContents` body, one request per input. */
export function batchEmbedBody(texts: string[], upstreamModel: string, dimensions: unknown) {
	const size = typeof dimensions === "number" ? { outputDimensionality: dimensions } : {};
	return { requests: texts.map((text) => ({ model: modelResource(upstreamModel), content: { parts: [{ text }] }, ...size })) };
}

/** Float32 little-endian bytes in base64, as OpenAI answers `encoding_format: "base64"` (the openai SDKs' default). */
function base64Of(values: number[]): string {
	const bytes = new Uint8Array(new Float32Array(values).buffer);
	let binary = "";
	for (const b of bytes) binary += String.fromCharCode(b);
	return btoa(binary);
}

/** Gemini's embeddings as OpenAI's embedding list. Gemini reports no token counts, so usage is an estimate. */
export function embeddingListOf(response: unknown, model: string, texts: string[], base64: boolean) {
	// A throw here is the channel's fault: its answer is not Gemini's embeddings.
	const embeddings = embeddingsAnswer.parse(response).embeddings ?? [];
	const promptTokens = texts.reduce((n, t) => n + estimateTokens(t), 0);
	return {
		object: "list" as const,
		data: embeddings.map((e, index) => ({ object: "embedding" as const, index, embedding: base64 ? base64Of(e.values ?? []) : (e.values ?? []) })),
		model,
		usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
	};
}
