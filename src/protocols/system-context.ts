import type { ChatMessage, ChatRequest } from "./ir";

/**
 * Context the gateway gives the model before a chat goes upstream (a file search's excerpts, the end user's
 * memories): a system message put before the first non-system one, after the caller's own instructions. Any
 * dialect whose system turns are messages takes it as it is, so a body passed through to its own wire gets it too.
 */
export function withSystemMessage<M extends { role: string }>(messages: readonly M[], text: string): (M | ChatMessage)[] {
	const at = messages.findIndex((m) => m.role !== "system" && m.role !== "developer");
	const all: (M | ChatMessage)[] = [...messages];
	all.splice(at < 0 ? all.length : at, 0, { role: "system", content: text });
	return all;
}

/** The chat with the context put before its first non-system message. */
export function withSystemContext(chat: ChatRequest, text: string): ChatRequest {
	return { ...chat, messages: withSystemMessage(chat.messages, text) };
}

/** The contexts a request gathered, as one text; undefined when it gathered none. */
export function joinContexts(texts: readonly (string | undefined)[]): string | undefined {
	const given = texts.filter((t): t is string => t !== undefined && t !== "");
	return given.length === 0 ? undefined : given.join("\n\n");
}
