import { parseShallowRead } from "../../lib/json-depth";
import { batchEmbedBody, embeddingListOf, embeddingTexts } from "../../protocols/gemini/embeddings";
import { modelResource } from "../../protocols/gemini/resource";
import { baseUrl, type Endpoint, jsonPost, type Provider, type SendContext, type Target, UnreadableAnswer } from "../types";

// The key goes in a header only: URLs (where Google's examples put `?key=`) end up in logs.
const auth = (target: Target): Record<string, string> => (target.apiKey ? { "x-goog-api-key": target.apiKey } : {});

/** Embeddings arrive in OpenAI's format and must leave in it: translated here, around `:batchEmbedContents`. */
async function embeddings(body: Record<string, unknown>, target: Target, ctx: SendContext): Promise<Response> {
	const texts = embeddingTexts(body.input);
	if (!texts) {
		// A 400 is the client's to fix: the relay returns it rather than trying another channel.
		const error = { code: 400, message: "Gemini embeddings take text input, not token arrays", status: "INVALID_ARGUMENT" };
		return Response.json({ error }, { status: 400 });
	}
	const upstream = await jsonPost(endpoint(target, ctx), auth(target), batchEmbedBody(texts, target.upstreamModel, body.dimensions), ctx);
	if (!upstream.ok) return upstream;
	return Response.json(openaiList(await upstream.text(), String(body.model), texts, body.encoding_format === "base64"), { status: 200 });
}

/** Gemini's answer as OpenAI's embedding list; one that is not Gemini's embeddings is the channel's failure. */
function openaiList(text: string, model: string, texts: string[], base64: boolean) {
	try {
		return embeddingListOf(parseShallowRead(text), model, texts, base64);
	} catch {
		throw new UnreadableAnswer("it is not Gemini's embeddings");
	}
}

/** Chat's method by the stream flag; embeddings go through `:batchEmbedContents`. */
const endpoint: Endpoint = (target, { op, stream }) => {
	const method = op === "embeddings" ? "batchEmbedContents" : stream ? "streamGenerateContent?alt=sse" : "generateContent";
	return `${baseUrl(gemini, target)}/${modelResource(target.upstreamModel)}:${method}`;
};

/**
 * Google's Gemini API (AI Studio keys), at a base URL with or without its `/v1beta`. Chat bodies are generateContent
 * requests; the stream flag picks the endpoint.
 */
export const gemini: Provider = {
	wire: "gemini",
	operations: ["chat", "embeddings"],
	defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
	endpoint,
	send(body, target, ctx) {
		if (ctx.op === "embeddings") return embeddings(body, target, ctx);
		const headers = { ...auth(target), accept: ctx.stream ? "text/event-stream" : "application/json" };
		return jsonPost(endpoint(target, ctx), headers, body, ctx);
	},
	listModels(target, signal) {
		return fetch(`${baseUrl(gemini, target)}/models`, { headers: { ...auth(target), accept: "application/json" }, signal });
	},
};
