import { z } from "zod";
import type { ChatChunk, ChatResponse, ChatToolCall } from "../../protocols/ir";
import { chatCompletionAnswer } from "../../protocols/openai/answer";
import { parseJson, type SseMapper, sse } from "../../protocols/sse";
import { UNREADABLE_EVENT } from "../../protocols/stream-json";
import { tokenCount } from "../../protocols/usage";

const count = z.number().optional().catch(undefined);

/** What Workers AI text-generation models answer: `response` (older models) or an OpenAI body (newer ones). */
export const aiTextOutput = z.looseObject({
	response: z.unknown().optional(),
	tool_calls: z.array(z.looseObject({ name: z.string(), arguments: z.unknown().optional(), id: z.string().optional() })).optional(),
	// Usage is metered, not trusted for shape: odd counts read as absent rather than losing the answer.
	usage: z.looseObject({ prompt_tokens: count, completion_tokens: count, total_tokens: count }).optional().catch(undefined),
	choices: z.unknown().optional(),
});

export type AiTextOutput = z.infer<typeof aiTextOutput>;

function usage(u: AiTextOutput["usage"]) {
	const prompt = tokenCount(u?.prompt_tokens);
	const completion = tokenCount(u?.completion_tokens);
	return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** A Workers AI answer as an OpenAI chat completion; one that already is one goes as it came. */
export function chatResponse(answer: unknown, model: string): ChatResponse {
	// A throw here is the channel's fault: the model answered something else.
	const out = aiTextOutput.parse(answer);
	if (Array.isArray(out.choices)) return chatCompletionAnswer.parse(out);
	const calls: ChatToolCall[] = (out.tool_calls ?? []).map((t, i) => ({
		id: t.id ?? `call_${i}`,
		type: "function",
		function: { name: t.name, arguments: typeof t.arguments === "string" ? t.arguments : JSON.stringify(t.arguments ?? {}) },
	}));
	const text = typeof out.response === "string" ? out.response : out.response === undefined ? "" : JSON.stringify(out.response);
	return {
		id: `chatcmpl-${crypto.randomUUID()}`,
		object: "chat.completion",
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [
			{
				index: 0,
				message: { role: "assistant", content: calls.length && !text ? null : text, ...(calls.length ? { tool_calls: calls } : {}) },
				finish_reason: calls.length ? "tool_calls" : "stop",
			},
		],
		...(out.usage ? { usage: usage(out.usage) } : {}),
	};
}

/** Workers AI's stream (`data: {"response": "…"}` events, usage near the end) as OpenAI chunks. */
export function chatStream(model: string): SseMapper {
	const id = `chatcmpl-${crypto.randomUUID()}`;
	const created = Math.floor(Date.now() / 1000);
	const chunk = (c: Omit<ChatChunk, "id" | "object" | "created" | "model">) => sse({ id, object: "chat.completion.chunk", created, model, ...c });
	let started = false;
	let lastUsage: AiTextOutput["usage"];
	return {
		map({ data }) {
			if (data === "[DONE]") {
				const tail = chunk({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
				return `${tail}${lastUsage ? chunk({ choices: [], usage: usage(lastUsage) }) : ""}data: [DONE]\n\n`;
			}
			const json = parseJson(data);
			// An event that is not JSON ends the stream as failed (the meter stops at the error); another shape is skipped.
			if (json === undefined) return sse({ error: { message: UNREADABLE_EVENT, type: "api_error", code: "upstream_error" } });
			const parsed = aiTextOutput.safeParse(json);
			if (!parsed.success) return "";
			const e = parsed.data;
			// Newer models already stream OpenAI chunks.
			if (Array.isArray(e.choices)) return sse(data);
			if (e.usage) lastUsage = e.usage;
			const text = typeof e.response === "string" ? e.response : "";
			if (!text && started) return "";
			const delta = started ? { content: text } : { role: "assistant" as const, content: text };
			started = true;
			return chunk({ choices: [{ index: 0, delta, finish_reason: null }] });
		},
		end: () => "",
	};
}
