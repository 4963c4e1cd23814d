import type { ChatResponse, ChatToolCall } from "../ir";
import { parseArguments } from "../ir";
import { isKnown, type MessageAnswer } from "./schema";
import type { ContentBlock, MessagesResponse } from "./types";
import { anthropicUsage, chatUsage, finishOf, stopFor } from "./usage";

/** An Anthropic message → the internal representation. */
export function toChat(res: MessageAnswer, model: string): ChatResponse {
	let text = "";
	let reasoning = "";
	let signature: string | undefined;
	const calls: ChatToolCall[] = [];
	for (const b of res.content) {
		if (!isKnown(b)) continue;
		if (b.type === "text") text += b.text;
		else if (b.type === "thinking") {
			reasoning += b.thinking;
			signature = b.signature ?? signature;
		} else if (b.type === "tool_use") calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
	}
	return {
		id: res.id,
		object: "chat.completion",
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [
			{
				index: 0,
				message: {
					role: "assistant",
					content: text || (calls.length ? null : ""),
					...(calls.length ? { tool_calls: calls } : {}),
					...(reasoning ? { reasoning_content: reasoning } : {}),
					...(signature ? { reasoning_signature: signature } : {}),
				},
				finish_reason: finishOf(res.stop_reason),
			},
		],
		usage: chatUsage(res.usage),
	};
}

export function messageId(id: string): string {
	return id.startsWith("msg_") ? id : `msg_${id.replace(/^chatcmpl-/, "")}`;
}

/** The internal representation → an Anthropic message. */
export function fromChat(res: ChatResponse, model: string): MessagesResponse {
	const choice = res.choices[0];
	const m = choice?.message;
	const content: ContentBlock[] = [];
	if (m?.reasoning_content) content.push({ type: "thinking", thinking: m.reasoning_content, signature: m.reasoning_signature ?? "" });
	if (m?.content) content.push({ type: "text", text: m.content });
	for (const call of m?.tool_calls ?? []) {
		content.push({ type: "tool_use", id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
	}
	return {
		id: messageId(res.id),
		type: "message",
		role: "assistant",
		model,
		content,
		stop_reason: choice?.finish_reason ? stopFor[choice.finish_reason] : "end_turn",
		stop_sequence: null,
		usage: anthropicUsage(res.usage),
	};
}
