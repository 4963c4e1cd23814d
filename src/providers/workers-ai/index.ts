import { z } from "zod";
import { sseTransform } from "../../protocols/sse";
import { estimateTokens } from "../../protocols/token-estimate";
import type { Provider } from "../types";
import { AudioRefusal, melottsAnswer, melottsInputs, whisper } from "./audio";
import { workersAiImages } from "./images";
import { rerankAnswer, rerankInputs } from "./rerank";
import { chatResponse, chatStream } from "./translate";

const embeddingsOutput = z.looseObject({ data: z.array(z.array(z.number())).optional() });

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

function texts(input: unknown): string[] {
	return (Array.isArray(input) ? input : [input]).map((t) => (typeof t === "string" ? t : JSON.stringify(t)));
}

/**
 * Cloudflare Workers AI through the `AI` binding: no base URL and no key, so a fresh deployment can serve chat
 * (`@cf/meta/llama-3.1-8b-instruct`…), embeddings (`@cf/baai/bge-base-en-v1.5`…) and rerank
 * (`@cf/baai/bge-reranker-base`), images (`@cf/black-forest-labs/flux-1-schnell`, Stable Diffusion's, their img2img
 * and inpainting models for edits), transcription (`@cf/openai/whisper…`) and speech (`@cf/myshell-ai/melotts`) with
 * nothing to configure. Answers are turned into OpenAI's format here (Cohere's
 * for rerank), so to the relay this is an OpenAI-wire channel.
 */
export const workersAi: Provider = {
	wire: "openai",
	operations: ["chat", "embeddings", "rerank", "images", "image_edits", "speech", "transcriptions", "translations"],
	async send(body, target, ctx) {
		// Absent if wrangler.toml has no [ai]; present but throwing on use wherever remote bindings are off.
		const ai = ctx.env.AI as unknown as AiBinding | undefined;
		if (!ai) return Response.json({ error: { message: 'The AI binding is not configured in wrangler.toml ([ai] binding = "AI")' } }, { status: 503 });
		const model = target.upstreamModel;
		try {
			if (ctx.op === "images" || ctx.op === "image_edits") {
				return Response.json(await workersAiImages((m, inputs) => ai.run(m, inputs, { signal: ctx.signal }), model, body));
			}
			if (ctx.op === "rerank") return Response.json(rerankAnswer(await ai.run(model, rerankInputs(body)), model));
			if (ctx.op === "speech") return melottsAnswer(await ai.run(model, melottsInputs(body)));
			if (ctx.op === "transcriptions" || ctx.op === "translations") {
				return await whisper((inputs) => ai.run(model, inputs), model, body, ctx.op === "transcriptions" ? "transcribe" : "translate");
			}
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
			if (err instanceof AudioRefusal) return Response.json({ error: { message: err.message, type: "invalid_request_error" } }, { status: 400 });
			const message = err instanceof Error ? err.message : String(err);
			if (/run remotely|remote/i.test(message)) return Response.json({ error: { message: REMOTE_ONLY } }, { status: 503 });
			// The binding throws rather than answering a status; to the relay this channel failed and another may serve.
			return Response.json({ error: { message } }, { status: 502 });
		}
	},
};
