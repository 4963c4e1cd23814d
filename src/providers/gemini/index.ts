import { parseShallowRead } from "../../lib/json-depth";
import { batchEmbedBody, embeddingListOf, embeddingTexts } from "../../protocols/gemini/embeddings";
import { imagenRequest, imagesFromImagen } from "../../protocols/gemini/imagen";
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

/**
 * Images arrive in OpenAI's format and leave in it, made by an Imagen model through `:predict`. Gemini's own image
 * models answer through generateContent, which this does not translate: a channel serves images with Imagen only.
 */
async function images(body: Record<string, unknown>, target: Target, ctx: SendContext): Promise<Response> {
	if (!/imagen/i.test(target.upstreamModel)) {
		const error = { code: 400, message: `Gemini channels make images with Imagen models only, not '${target.upstreamModel}'`, status: "INVALID_ARGUMENT" };
		return Response.json({ error }, { status: 400 });
	}
	const upstream = await jsonPost(endpoint(target, ctx), auth(target), imagenRequest(body), ctx);
	if (!upstream.ok) return upstream;
	try {
		return Response.json(imagesFromImagen(parseShallowRead(await upstream.text())));
	} catch {
		throw new UnreadableAnswer("it is not Imagen's predictions");
	}
}

/** Chat's method by the stream flag; embeddings go through `:batchEmbedContents`, Imagen through `:predict`. */
const endpoint: Endpoint = (target, { op, stream }) => {
	const method = op === "embeddings" ? "batchEmbedContents" : op === "images" ? "predict" : stream ? "streamGenerateContent?alt=sse" : "generateContent";
	return `${baseUrl(gemini, target)}/${modelResource(target.upstreamModel)}:${method}`;
};

/**
 * Google's Gemini API (AI Studio keys), at a base URL with or without its `/v1beta`. Chat bodies are generateContent
 * requests; the stream flag picks the endpoint.
 */
export const gemini: Provider = {
	wire: "gemini",
	operations: ["chat", "embeddings", "images"],
	defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta",
	endpoint,
	send(body, target, ctx) {
		if (ctx.op === "embeddings") return embeddings(body, target, ctx);
		if (ctx.op === "images") return images(body, target, ctx);
		const headers = { ...auth(target), accept: ctx.stream ? "text/event-stream" : "application/json" };
		return jsonPost(endpoint(target, ctx), headers, body, ctx);
	},
	listModels(target, signal) {
		return fetch(`${baseUrl(gemini, target)}/models`, { headers: { ...auth(target), accept: "application/json" }, signal });
	},
};
