import type { ChatResponse, ChatToolCall } from "../ir";
import type { GeminiFunctionCall, GeminiPart } from "./types";

/** A call id for an answer: Gemini's own when it gave one, else one unique across turns so histories never clash. */
export const newCallId = (call: GeminiFunctionCall) => call.id ?? `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;

export function toolCallOf(call: GeminiFunctionCall, id: string): ChatToolCall {
	return { id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } };
}

export type AssistantMessage = ChatResponse["choices"][number]["message"];

/**
 * A model turn's parts as an assistant message. Thought parts are reasoning; the first thought signature is kept
 * whichever part carried it (Gemini puts it on a function call, a text part or an empty part).
 */
export function assistantOf(parts: readonly GeminiPart[], idOf: (call: GeminiFunctionCall) => string): AssistantMessage {
	let text = "";
	let reasoning = "";
	let signature: string | undefined;
	const toolCalls: ChatToolCall[] = [];
	for (const part of parts) {
		signature ??= part.thoughtSignature;
		if (part.functionCall) toolCalls.push(toolCallOf(part.functionCall, idOf(part.functionCall)));
		else if (typeof part.text === "string") {
			if (part.thought) reasoning += part.text;
			else text += part.text;
		}
	}
	return {
		role: "assistant",
		content: text || (toolCalls.length ? null : ""),
		...(toolCalls.length ? { tool_calls: toolCalls } : {}),
		...(reasoning ? { reasoning_content: reasoning } : {}),
		...(signature ? { reasoning_signature: signature } : {}),
	};
}
