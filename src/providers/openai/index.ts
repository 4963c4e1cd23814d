import { baseUrl, type Endpoint, formPost, jsonPost, MULTIPART_OPERATIONS, type Operation, type Provider, type Target } from "../types";

/** Rerank where the servers that offer it put it (Jina, vLLM, Infinity, TEI's OpenAI-style routers): Cohere's shape at /rerank. */
const paths = {
	chat: "/chat/completions",
	embeddings: "/embeddings",
	rerank: "/rerank",
	images: "/images/generations",
	image_edits: "/images/edits",
	speech: "/audio/speech",
	transcriptions: "/audio/transcriptions",
	translations: "/audio/translations",
	moderations: "/moderations",
} as const satisfies Record<Operation, string>;

/**
 * OpenAI itself takes `max_completion_tokens` from every model and `max_tokens` from none of its reasoning models;
 * most compatible servers know only `max_tokens`, which the internal representation uses.
 */
function completionTokensField(body: Record<string, unknown>): Record<string, unknown> {
	const { max_tokens, ...rest } = body;
	return max_tokens === undefined || rest.max_completion_tokens !== undefined ? body : { ...rest, max_completion_tokens: max_tokens };
}

/**
 * An OpenAI-compatible upstream at a base URL with its version segment (https://api.openai.com/v1), or a bare host
 * that gets the default's (see baseUrl).
 */
export function openaiCompatible(
	defaultBaseUrl: string | undefined,
	quirks: Pick<Provider, "adaptTranslated"> & { noModelsList?: true } = {},
	operations: readonly Operation[] = ["chat", "embeddings"],
): Provider {
	const { noModelsList, ...hooks } = quirks;
	const endpoint: Endpoint = (target, { op }) => `${baseUrl(provider, target)}${paths[op]}`;
	const bearer = (target: Target): Record<string, string> => (target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {});
	const provider: Provider = {
		wire: "openai",
		operations,
		...(defaultBaseUrl ? { defaultBaseUrl } : {}),
		...hooks,
		endpoint,
		send(body, target, ctx) {
			// Speech answers with audio bytes.
			const accept = ctx.stream ? "text/event-stream" : ctx.op === "speech" ? "*/*" : "application/json";
			const headers: Record<string, string> = { accept, ...bearer(target) };
			const post = MULTIPART_OPERATIONS.has(ctx.op) ? formPost : jsonPost;
			return post(endpoint(target, ctx), headers, { ...body, model: target.upstreamModel }, ctx);
		},
		...(noModelsList
			? {}
			: {
					listModels: (target: Target, signal: AbortSignal) =>
						fetch(`${baseUrl(provider, target)}/models`, { headers: { accept: "application/json", ...bearer(target) }, signal }),
				}),
	};
	return provider;
}

export const openai = openaiCompatible("https://api.openai.com/v1", { adaptTranslated: completionTokensField }, [
	"chat",
	"embeddings",
	"images",
	"image_edits",
	"speech",
	"transcriptions",
	"translations",
	"moderations",
]);
