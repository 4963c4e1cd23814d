import { errorStatus } from "../../errors/gateway-error";
import { geminiStatus } from "../../errors/render";
import { type ChatUsage, type FinishReason, parseArguments } from "../ir";
import { type ChatChunkIn, type ChatDeltaIn, chatChunkSchema, type ToolCallDeltaIn } from "../openai/stream-chunk";
import type { SseMapper } from "../sse";
import { parseEvent } from "../stream-json";
import { geminiFinishOf } from "./finish";
import { framing, type GeminiStreamForm } from "./framing";
import type { GeminiError, GeminiPart, GenerateContentResponse } from "./types";
import { usageMetadataOf } from "./usage";

/** A chat stream error (the meter's or an upstream's) in Gemini's error form, its status read from the code. */
export function geminiErrorOf(error: { message?: unknown; code?: unknown }): GeminiError {
	const code = error.code;
	const status = typeof code === "string" && Object.hasOwn(errorStatus, code) ? errorStatus[code as keyof typeof errorStatus] : 500;
	const message = typeof error.message === "string" ? error.message : "The upstream reported an error mid-stream";
	return { error: { code: status, message, status: geminiStatus(status) } };
}

interface PendingCall {
	id: string | undefined;
	name: string;
	args: string;
}

/** Tool calls whose arguments are still arriving: Gemini has no argument deltas, so each leaves whole. */
function pendingCalls() {
	const calls = new Map<number, PendingCall>();
	const complete = (): GeminiPart[] => {
		const parts = [...calls.entries()]
			.sort(([a], [b]) => a - b)
			.map(([, c]) => ({ functionCall: { name: c.name, args: parseArguments(c.args), ...(c.id ? { id: c.id } : {}) } }));
		calls.clear();
		return parts;
	};
	return {
		complete,
		/** Adds a piece of a call; a new call completes the ones before it, which are returned. */
		add(piece: ToolCallDeltaIn): GeminiPart[] {
			let call = calls.get(piece.index);
			const done = call ? [] : complete();
			if (!call) {
				call = { id: piece.id, name: "", args: "" };
				calls.set(piece.index, call);
			}
			call.name ||= piece.function?.name ?? "";
			call.args += piece.function?.arguments ?? "";
			return done;
		},
	};
}

function partsOf(delta: ChatDeltaIn, calls: ReturnType<typeof pendingCalls>): GeminiPart[] {
	const parts: GeminiPart[] = [];
	if (delta.reasoning_content || delta.reasoning_signature) {
		const signature = delta.reasoning_signature ? { thoughtSignature: delta.reasoning_signature } : {};
		parts.push({ text: delta.reasoning_content ?? "", thought: true, ...signature });
	}
	if (delta.content) parts.push({ text: delta.content });
	for (const piece of delta.tool_calls ?? []) parts.push(...calls.add(piece));
	return parts;
}

/**
 * A Chat Completions chunk stream as Gemini's stream. Text and reasoning leave as they arrive; tool call
 * arguments arrive in pieces but Gemini has no argument deltas, so a call leaves whole once the next call starts
 * or the answer finishes. The last response carries the finish reason and the usage, which in a chat stream
 * follow the finish chunk, so it goes out at `[DONE]` (or at the end of the input).
 */
export function streamFromChat(model: string, form: GeminiStreamForm): SseMapper {
	const frame = framing(form);
	const calls = pendingCalls();
	let responseId: string | undefined;
	let finish: FinishReason | null | undefined;
	let usage: ChatUsage | undefined;
	let closed = false;

	const response = (parts: GeminiPart[], last = false): GenerateContentResponse => ({
		candidates: [{ content: { role: "model", parts }, ...(last ? { finishReason: geminiFinishOf(finish ?? null) } : {}), index: 0 }],
		...(last && usage ? { usageMetadata: usageMetadataOf(usage) } : {}),
		modelVersion: model,
		...(responseId ? { responseId } : {}),
	});

	const last = (): string => {
		closed = true;
		const parts = calls.complete();
		return frame.event(JSON.stringify(response(parts.length ? parts : [{ text: "" }], true)));
	};

	const read = (chunk: ChatChunkIn): string => {
		if (chunk.error) {
			closed = true;
			return frame.event(JSON.stringify(geminiErrorOf(chunk.error)));
		}
		responseId ??= chunk.id;
		if (chunk.usage) usage = chunk.usage;
		const choice = chunk.choices?.[0];
		const parts = choice?.delta ? partsOf(choice.delta, calls) : [];
		if (choice?.finish_reason) finish = choice.finish_reason;
		return parts.length ? frame.event(JSON.stringify(response(parts))) : "";
	};

	return {
		map(event) {
			if (closed) return "";
			if (event.data === "[DONE]") return last();
			const chunk = parseEvent(chatChunkSchema, event.data);
			return chunk ? read(chunk) : "";
		},
		end() {
			return (!closed && finish !== undefined ? last() : "") + frame.close();
		},
	};
}
