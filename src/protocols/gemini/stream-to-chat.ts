import { redactSecrets } from "../../lib/sanitize";
import type { ChatChunk, ChatDelta, ChatStreamError, ChatUsage, FinishReason } from "../ir";
import { type SseMapper, sse } from "../sse";
import { isJson, parseEvent, UNREADABLE_EVENT } from "../stream-json";
import { chatFinishOf } from "./finish";
import { newCallId } from "./parts";
import { type GeminiEvent, type GeminiEventPart, geminiEventSchema } from "./stream-event";
import { chatUsageOf } from "./usage";

export function chatStreamErrorOf(error: { message?: unknown }): ChatStreamError {
	const message = typeof error.message === "string" ? redactSecrets(error.message) : "The upstream reported an error mid-stream";
	return { error: { message, type: "api_error", code: "upstream_error" } };
}

/** The finish of an event: the candidate's, or a prompt blocked outright (feedback and no candidate). */
function finishReasonOf(event: GeminiEvent): string | undefined {
	const candidate = event.candidates?.[0];
	if (candidate) return candidate.finishReason;
	return event.promptFeedback?.blockReason ? "SAFETY" : undefined;
}

/** One part as a chat delta: a function call arrives whole and leaves as one tool call, numbered by `callIndex`. */
function deltaOf(part: GeminiEventPart, callIndex: () => number): ChatDelta | undefined {
	const signature = part.thoughtSignature ? { reasoning_signature: part.thoughtSignature } : {};
	if (part.functionCall) {
		const call = part.functionCall;
		const toolCall = {
			index: callIndex(),
			id: newCallId(call),
			type: "function" as const,
			function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
		};
		return { tool_calls: [toolCall], ...signature };
	}
	if (part.text) return part.thought ? { reasoning_content: part.text, ...signature } : { content: part.text, ...signature };
	return part.thoughtSignature ? signature : undefined;
}

/**
 * Gemini's stream (`:streamGenerateContent?alt=sse`, each event a whole response whose parts are the new
 * content) as a Chat Completions chunk stream. Text goes out as it comes; a function call arrives whole and
 * leaves as one tool call delta. Usage is cumulative in Gemini, so only the last is kept, for the usage chunk
 * at the end. Without a finish reason the stream did not end normally: no `[DONE]`, so the meter says so.
 */
export function streamToChat(model: string): SseMapper {
	const id = `chatcmpl-${crypto.randomUUID()}`;
	const created = Math.floor(Date.now() / 1000);
	let started = false;
	let calls = 0;
	let finished = false;
	let failed = false;
	let usage: ChatUsage | undefined;

	const chunk = (delta: ChatDelta, finish: FinishReason | null = null): string => {
		const first = !started;
		started = true;
		const body: ChatChunk = {
			id,
			object: "chat.completion.chunk",
			created,
			model,
			choices: [{ index: 0, delta: first ? { role: "assistant", ...delta } : delta, finish_reason: finish }],
		};
		return sse(body);
	};

	const content = (response: GeminiEvent): string => {
		let out = "";
		for (const part of response.candidates?.[0]?.content?.parts ?? []) {
			const delta = deltaOf(part, () => calls++);
			if (delta) out += chunk(delta);
		}
		const reason = finishReasonOf(response);
		if (reason) {
			finished = true;
			out += chunk({}, chatFinishOf(reason, calls > 0));
		}
		return started ? out : chunk({ content: "" });
	};

	const read = (response: GeminiEvent): string => {
		if (response.error) {
			failed = true;
			return sse(chatStreamErrorOf(response.error));
		}
		usage = chatUsageOf(response.usageMetadata) ?? usage;
		// Anything after the finish can only update the usage.
		return finished ? "" : content(response);
	};

	return {
		map(event) {
			if (failed) return "";
			const response = parseEvent(geminiEventSchema, event.data);
			if (response) return read(response);
			// Every Gemini event is JSON: one that is not ends the stream as failed.
			return isJson(event.data) ? "" : read({ error: { message: UNREADABLE_EVENT } });
		},
		end() {
			if (failed || !finished) return "";
			const usageChunk: ChatChunk | undefined = usage ? { id, object: "chat.completion.chunk", created, model, choices: [], usage } : undefined;
			return `${usageChunk ? sse(usageChunk) : ""}data: [DONE]\n\n`;
		},
	};
}
