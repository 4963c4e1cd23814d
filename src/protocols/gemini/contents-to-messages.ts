import type { ChatMessage, ChatPart } from "../ir";
import { assistantOf } from "./parts";
import type { GeminiContent, GeminiFunctionCall, GeminiFunctionResponse, GeminiPart } from "./types";

/**
 * Gemini function calls often carry no id (the model answers by name and order), while the internal
 * representation pairs each result with its call by id: calls get ids in order, results take the matching one.
 */
class CallLedger {
	private readonly calls: { id: string; name: string; answered: boolean }[] = [];
	private issued = 0;

	open(call: GeminiFunctionCall): string {
		const id = call.id ?? `call_${++this.issued}`;
		this.calls.push({ id, name: call.name, answered: false });
		return id;
	}

	answer(result: GeminiFunctionResponse): string {
		const open = this.calls.filter((c) => !c.answered);
		const call = open.find((c) => result.id !== undefined && c.id === result.id) ?? open.find((c) => c.name === result.name);
		if (!call) return result.id ?? `call_${++this.issued}`;
		call.answered = true;
		return call.id;
	}
}

function chatPartOf(part: GeminiPart): ChatPart | undefined {
	if (typeof part.text === "string" && !part.thought) return { type: "text", text: part.text };
	if (part.inlineData) return { type: "image_url", image_url: { url: `data:${part.inlineData.mimeType};base64,${part.inlineData.data}` } };
	if (part.fileData) return { type: "image_url", image_url: { url: part.fileData.fileUri } };
	return undefined;
}

/** A user turn: function results first, as tool messages right after the calls they answer, then the rest. */
function userOf(parts: GeminiPart[], ledger: CallLedger): ChatMessage[] {
	const messages: ChatMessage[] = [];
	const content: ChatPart[] = [];
	for (const part of parts) {
		if (part.functionResponse) {
			const result = part.functionResponse;
			messages.push({ role: "tool", tool_call_id: ledger.answer(result), content: JSON.stringify(result.response ?? {}) });
			continue;
		}
		const chatPart = chatPartOf(part);
		if (chatPart) content.push(chatPart);
	}
	const [only] = content;
	if (only?.type === "text" && content.length === 1) messages.push({ role: "user", content: only.text });
	else if (content.length) messages.push({ role: "user", content });
	return messages;
}

/** The conversation as chat messages; a system instruction becomes the leading system message. */
export function messagesOf(contents: GeminiContent[], system: GeminiContent | undefined): ChatMessage[] {
	const ledger = new CallLedger();
	const messages: ChatMessage[] = [];
	const instruction = (system?.parts ?? []).map((p) => p.text ?? "").join("\n");
	if (instruction) messages.push({ role: "system", content: instruction });
	for (const content of contents) {
		if (content.role === "model") messages.push(assistantOf(content.parts, (call) => ledger.open(call)));
		else messages.push(...userOf(content.parts, ledger));
	}
	return messages;
}
