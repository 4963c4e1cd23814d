import { z } from "zod";
import { lexicalScores } from "../../lib/lexical-relevance";
import { estimateRerankTokens } from "../../protocols/rerank";
import type { Provider } from "../types";
import { mockSpeech, mockTranscription } from "./audio";
import { MOCK_EMBEDDING_DIMENSIONS, mockEmbedding } from "./embedding";
import { mockFacts, mockSupersedes } from "./facts";
import { mockImages } from "./images";
import { mockModeration } from "./moderation";
import { approxTokens, mockReply } from "./text";

const askedForUsage = z.looseObject({ include_usage: z.literal(true) });

const sse = (data: unknown) => `data: ${JSON.stringify(data)}\n\n`;

function delayMs(settings: Record<string, unknown>): number {
	const v = settings.chunk_delay_ms;
	return typeof v === "number" && v > 0 ? Math.min(v, 5_000) : 0;
}

function chat(body: Record<string, unknown>, model: string, settings: Record<string, unknown>): Response {
	const maxTokens =
		typeof body.max_tokens === "number" ? body.max_tokens : typeof body.max_completion_tokens === "number" ? body.max_completion_tokens : undefined;
	const memory = mockFacts(body) ?? mockSupersedes(body);
	const pieces = memory === undefined ? mockReply(model, body.messages, maxTokens) : [memory];
	const usage = {
		prompt_tokens: approxTokens(JSON.stringify(body.messages ?? "")),
		completion_tokens: pieces.length,
		total_tokens: 0,
	};
	usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
	const finish = maxTokens !== undefined && pieces.length >= maxTokens ? "length" : "stop";
	const id = `chatcmpl-mock-${crypto.randomUUID()}`;
	const created = Math.floor(Date.now() / 1000);

	if (!body.stream) {
		return Response.json({
			id,
			object: "chat.completion",
			created,
			model,
			choices: [{ index: 0, message: { role: "assistant", content: pieces.join("") }, finish_reason: finish, logprobs: null }],
			usage,
		});
	}

	const includeUsage = askedForUsage.safeParse(body.stream_options).success;
	const chunk = (delta: object, finishReason: string | null) => ({
		id,
		object: "chat.completion.chunk",
		created,
		model,
		choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
		...(includeUsage ? { usage: null } : {}),
	});
	const events = [
		sse(chunk({ role: "assistant", content: "" }, null)),
		...pieces.map((p) => sse(chunk({ content: p }, null))),
		sse(chunk({}, finish)),
		...(includeUsage ? [sse({ id, object: "chat.completion.chunk", created, model, choices: [], usage })] : []),
		"data: [DONE]\n\n",
	];
	const pause = delayMs(settings);
	const encoder = new TextEncoder();
	let i = 0;
	const stream = new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (pause && i > 0) await new Promise((r) => setTimeout(r, pause));
			const event = events[i++];
			if (event === undefined) controller.close();
			else controller.enqueue(encoder.encode(event));
		},
	});
	return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8" } });
}

function embeddings(body: Record<string, unknown>, model: string): Response {
	const input = body.input;
	const texts = (Array.isArray(input) ? input : [input]).map((t) => (typeof t === "string" ? t : JSON.stringify(t)));
	const dimensions = typeof body.dimensions === "number" ? body.dimensions : MOCK_EMBEDDING_DIMENSIONS;
	const promptTokens = texts.reduce((n, t) => n + approxTokens(t), 0);
	return Response.json({
		object: "list",
		model,
		data: texts.map((t, index) => ({ object: "embedding", index, embedding: mockEmbedding(t, dimensions) })),
		usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
	});
}

const rerankBody = z.object({ query: z.string(), documents: z.array(z.string()), top_n: z.number().int().positive().optional() });

/** Ranks by the words query and document share (lib/lexical-relevance.ts), answering as Jina does. */
function rerank(body: Record<string, unknown>, model: string): Response {
	const parsed = rerankBody.safeParse(body);
	if (!parsed.success) return Response.json({ error: { message: "query and documents (strings) are required" } }, { status: 400 });
	const { query, documents, top_n } = parsed.data;
	const results = lexicalScores(query, documents)
		.map((relevance_score, index) => ({ index, relevance_score }))
		.sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index)
		.slice(0, top_n ?? documents.length);
	return Response.json({ model, results, usage: { total_tokens: estimateRerankTokens(query, documents) } });
}

/**
 * Built in and offline: deterministic chat (streaming with real SSE framing and usage), embeddings, rerank, images
 * (small PNGs), moderation, and speech and transcription (audio.ts).
 */
export const mock: Provider = {
	wire: "openai",
	operations: ["chat", "embeddings", "rerank", "images", "image_edits", "moderations", "speech", "transcriptions", "translations"],
	async send(body, target, ctx) {
		if (ctx.op === "chat") return chat(body, target.upstreamModel, target.settings);
		if (ctx.op === "images" || ctx.op === "image_edits") return mockImages(body, ctx.op === "image_edits");
		if (ctx.op === "moderations") return mockModeration(body, target.upstreamModel);
		if (ctx.op === "speech") return mockSpeech(body);
		if (ctx.op === "transcriptions" || ctx.op === "translations") return mockTranscription(body, ctx.op === "transcriptions" ? "transcribe" : "translate");
		return ctx.op === "embeddings" ? embeddings(body, target.upstreamModel) : rerank(body, target.upstreamModel);
	},
};
