import type { ChatMessage, ChatRequest } from "./ir";
import { estimatePromptTokens } from "./prompt-estimate";

/**
 * A chat cut to fit a context window (OpenAI's `truncation: "auto"`): the oldest turns after the system messages are
 * dropped, whole (a turn starts at a user message, so no tool result is left without its call), until the estimated
 * prompt (src/protocols/token-estimate.ts) plus the output it may write fits `window`. The last turn is always kept:
 * if it alone does not fit, the upstream says so.
 */
export function fitContext(chat: ChatRequest, window: number, output: number): { chat: ChatRequest; dropped: number; tokens: number } {
	let tokens = estimatePromptTokens(chat);
	if (tokens + output <= window) return { chat, dropped: 0, tokens };
	const empty = estimatePromptTokens({ ...chat, messages: [] });
	const cost = (m: ChatMessage) => estimatePromptTokens({ ...chat, messages: [m] }) - empty;
	const system = chat.messages.filter((m) => m.role === "system");
	const rest = chat.messages.filter((m) => m.role !== "system");
	const lastTurn = rest.findLastIndex((m) => m.role === "user");
	let start = 0;
	while (start < lastTurn && tokens + output > window) {
		// Drop one whole turn: its user message and everything up to the next user message.
		do {
			const dropped = rest[start];
			if (dropped) tokens -= cost(dropped);
			start++;
		} while (start < lastTurn && rest[start]?.role !== "user");
	}
	return { chat: { ...chat, messages: [...system, ...rest.slice(start)] }, dropped: start, tokens };
}
