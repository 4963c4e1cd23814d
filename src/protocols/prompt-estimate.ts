import type { ChatRequest } from "./ir";
import { estimateTokens } from "./token-estimate";

/** What a message adds beyond its text (OpenAI's chat format: the role and delimiters), and the reply's priming. */
const PER_MESSAGE = 4;
const REPLY = 3;
/**
 * An image (or any other non-text part), whatever its size: about the most GPT-4o (1,105 at high detail) and
 * Claude (about 1,600) charge for one. Its base64 text says nothing of that.
 */
const NON_TEXT_PART = 1_600;

/** The estimated input tokens of a chat request: its messages, tool calls and results, tools and response schema. */
export function estimatePromptTokens(chat: ChatRequest): number {
	let total = REPLY;
	for (const m of chat.messages) {
		total += PER_MESSAGE;
		if (typeof m.content === "string") total += estimateTokens(m.content);
		else for (const part of m.content ?? []) total += part.type === "text" ? estimateTokens(part.text) : NON_TEXT_PART;
		if (m.name) total += estimateTokens(m.name);
		if (m.reasoning_content) total += estimateTokens(m.reasoning_content);
		for (const call of m.tool_calls ?? []) total += PER_MESSAGE + estimateTokens(call.function.name) + estimateTokens(call.function.arguments);
	}
	if (chat.tools?.length) total += estimateTokens(JSON.stringify(chat.tools));
	if (chat.response_format?.type === "json_schema") total += estimateTokens(JSON.stringify(chat.response_format.json_schema));
	return total;
}

/** The estimated tokens of an embeddings input: text, a list of texts, or texts already tokenized (arrays of ids). */
export function estimateInputTokens(input: unknown): number {
	if (typeof input === "string") return estimateTokens(input);
	if (!Array.isArray(input)) return 0;
	let total = 0;
	for (const item of input) total += typeof item === "number" ? 1 : Array.isArray(item) ? item.length : estimateInputTokens(item);
	return total;
}
