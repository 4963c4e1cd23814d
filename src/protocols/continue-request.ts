import type { ChatRequest } from "./ir";
import { tokensForChars } from "./usage";

export const CONTINUE_INSTRUCTION = "Continue exactly where you stopped; do not repeat anything.";

/**
 * The request that continues an answer broken off after `delivered`: the original conversation with the delivered
 * text as the assistant's, as a prefill (the model goes on writing that very message) where the upstream takes one,
 * otherwise followed by an instruction to continue. Nothing delivered yet: the request as it was. The output
 * allowed shrinks by what was delivered, so the whole answer stays within what the client asked for.
 */
export function continuedChat(chat: ChatRequest, delivered: string, prefill: boolean): ChatRequest {
	const messages = [...chat.messages];
	// Anthropic refuses a prefill that ends in white space; the seam drops a space the continuation repeats.
	const text = prefill ? delivered.trimEnd() : delivered;
	if (text && prefill) messages.push({ role: "assistant", content: text });
	else if (text) messages.push({ role: "assistant", content: text }, { role: "user", content: CONTINUE_INSTRUCTION });
	const spent = tokensForChars(delivered.length);
	const left = (max: number) => Math.max(1, max - spent);
	return {
		...chat,
		messages,
		stream: true,
		...(chat.max_tokens === undefined ? {} : { max_tokens: left(chat.max_tokens) }),
		...(chat.max_completion_tokens === undefined ? {} : { max_completion_tokens: left(chat.max_completion_tokens) }),
	};
}
