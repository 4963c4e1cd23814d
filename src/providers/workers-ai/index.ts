import { z } from "zod";
import { sseTransform } from "../../protocols/sse";
import { estimateTokens } from "../../protocols/token-estimate";
import type { Provider } from "../types";
import { chatResponse, chatStream } from "./translate";

const embeddingsOutput = z.looseObject({ data: z.array(z.array(z.number())).optional() });
/** What `@cf/baai/bge-reranker-base` answers: each context's position in the request (`id`) and its score. */
const rerankOutput = z.looseObject({ response: z.array(z.looseObject({ id: z.number().int(), score: z.number() })) });
const rerankInput = z.object({ query: z.string(), documents: z.array(z.string()), top_n: z.number().int().positive().optional() });

/** The slice of the AI binding used here; its generated type is a per-model overload set a channel's model string cannot pick from. */
interface AiBinding {
	run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
}

const REMOTE_ONLY =
	"Workers AI runs on Cloudflare's network: the AI binding needs a Cloudflare account. Deploy the gateway, or run " +
	"`wrangler dev --remote` while logged in; locally (`npm run dev`) use another channel type.";

const CHAT_FIELDS = ["messages", "max_tokens", "temperature", "top_p", "tools", "response_format", "stream", "seed", "frequency_penalty", "presence_penalty"];

function pick(body: Record<string, unknown>, fields: string[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const f of fields) if (body[f] !== undefined && body[f] !== null) out[f] = body[f];
	if (out.max_tokens === undefined && typeof body.max_completion_tokens === "number") out.max_tokens = body.max_completion_tokens;
	return out;
}

/** A gateway rerank body as the reranker models take it, and their answer as Cohere's. */
async function rerank(ai: AiBinding, model: string, body: Record<string, unknown>): Promise<Response> {
	const { query, documents, top_n } = rerankInput.parse(body);
	const out = rerankOutput.parse(await ai.run(model, { query, contexts: documents.map((text) => ({ text })), ...(top_n ? { top_k: top_n } : {}) }));
	return Response.json({ model, results: out.response.map((r) => ({ index: r.id, relevance_score: r.score })) });
}

function texts(input: unknown): string[] {
	return (Array.isArray(input) ? input : [input]).map((t) => (typeof t === "string" ? t : JSON.stringify(t)));
}

/**
 * Cloudflare Workers AI through the `AI` binding: no base URL and no key, so a fresh deployment can serve chat
 * (`@cf/meta/llama-3.1-8b-instruct`…), embeddings (`@cf/baai/bge-base-en-v1.5`…) and rerank
 * (`@cf/baai/bge-reranker-base`) with nothing to configure. Answers are turned into OpenAI's format here (Cohere's
 * for rerank), so to the relay this is an OpenAI-wire channel.
 */
export const workersAi: Provider = {
	wire: "openai",
	operations: ["chat", "embeddings", "rerank"],
	async send(body, target, ctx) {
		// Absent if wrangler.toml has no [ai]; present but throwing on use wherever remote bindings are off.
		const ai = ctx.env.AI as unknown as AiBinding | undefined;
		if (!ai) return Response.json({ error: { message: 'The AI binding is not configured in wrangler.toml ([ai] binding = "AI")' } }, { status: 503 });
		const model = target.upstreamModel;
		try {
			if (ctx.op === "rerank") return await rerank(ai, model, body);
			if (ctx.op === "embeddings") {
				const inputs = texts(body.input);
				const out = embeddingsOutput.parse(await ai.run(model, { text: inputs }));
				const prompt = inputs.reduce((n, t) => n + estimateTokens(t), 0);
				return Response.json({
					object: "list",
					model,
					data: (out.data ?? []).map((embedding, index) => ({ object: "embedding", index, embedding })),
					usage: { prompt_tokens: prompt, total_tokens: prompt },
				});
			}
			const out = await ai.run(model, pick(body, CHAT_FIELDS), { signal: ctx.signal });
			if (out instanceof ReadableStream) {
				return new Response(out.pipeThrough(sseTransform(chatStream(model))), { headers: { "content-type": "text/event-stream" } });
			}
			return Response.json(chatResponse(out, model));
		} catch (err) {
			const message = err instanceof Error ? err.message : String(err);
			if (/run remotely|remote/i.test(message)) return Response.json({ error: { message: REMOTE_ONLY } }, { status: 503 });
			// The binding throws rather than answering a status; to the relay this channel failed and another may serve.
			return Response.json({ error: { message } }, { status: 502 });
		}
	},
};
