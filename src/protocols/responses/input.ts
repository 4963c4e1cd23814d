import { type ChatMessage, type ChatPart, textOf } from "../ir";
import { type ContentPart, type InputItem, invalid, readItem } from "./input-items";

function partToChat(p: ContentPart, at: string): ChatPart {
	switch (p.type) {
		case "input_text":
		case "output_text":
			return { type: "text", text: p.text };
		case "refusal":
			return { type: "text", text: p.refusal };
		case "input_image":
			if (p.image_url) return { type: "image_url", image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) } };
			// The gateway has no Files API to resolve a file id against, and the upstream's would not know it.
			throw invalid(
				at,
				p.file_id ? "images by 'file_id' cannot be resolved by the gateway; send 'image_url' (a URL or a data: URL)" : "an image needs 'image_url'",
			);
		case "input_file":
			throw invalid(at, "file inputs are not supported by the gateway; send the file's text as 'input_text'");
	}
}

/** Content as the internal representation has it: a plain string unless there is more than text. */
function contentToChat(content: string | ContentPart[], at: string): string | ChatPart[] {
	if (typeof content === "string") return content;
	const parts = content.map((p, i) => partToChat(p, `${at}.${i}`));
	return parts.every((p) => p.type === "text") ? parts.map((p) => p.text).join("") : parts;
}

type Reasoning = Extract<InputItem, { type: "reasoning" }>;

function reasoningText(item: Reasoning): string {
	const parts = item.content?.length ? item.content : (item.summary ?? []);
	return parts.map((p) => p.text).join("\n\n");
}

/**
 * Responses input → chat messages. Output items of one turn (reasoning, then a message and/or function calls)
 * become one assistant message, as Chat Completions has it; function call outputs become tool messages.
 */
export function inputToChat(input: string | unknown[]): ChatMessage[] {
	if (typeof input === "string") return [{ role: "user", content: input }];
	const messages: ChatMessage[] = [];
	// The assistant message the current run of output items builds, and reasoning waiting for the next one.
	let turn: ChatMessage | undefined;
	let reasoning: Reasoning | undefined;
	const assistantTurn = (): ChatMessage => {
		if (turn) return turn;
		const m: ChatMessage = { role: "assistant", content: null };
		const text = reasoning ? reasoningText(reasoning) : "";
		if (text) m.reasoning_content = text;
		if (reasoning?.encrypted_content) m.reasoning_signature = reasoning.encrypted_content;
		reasoning = undefined;
		messages.push(m);
		turn = m;
		return m;
	};
	for (const [i, raw] of input.entries()) {
		const at = `input.${i}`;
		const item = readItem(raw, at);
		if (item.type === "reasoning") {
			// Reasoning comes before the output it led to, so it opens a new turn.
			turn = undefined;
			reasoning = item;
		} else if (item.type === "function_call") {
			const m = assistantTurn();
			m.tool_calls = [...(m.tool_calls ?? []), { id: item.call_id, type: "function", function: { name: item.name, arguments: item.arguments } }];
		} else if (item.type === "function_call_output") {
			turn = undefined;
			reasoning = undefined;
			messages.push({ role: "tool", tool_call_id: item.call_id, content: contentToChat(item.output, `${at}.output`) });
		} else if (item.role === "assistant") {
			// Text after the calls of a turn would read as if it came before them: it starts a message of its own.
			if (turn?.tool_calls) turn = undefined;
			const m = assistantTurn();
			const text = textOf(contentToChat(item.content, `${at}.content`));
			m.content = typeof m.content === "string" ? m.content + text : text;
		} else {
			turn = undefined;
			reasoning = undefined;
			messages.push({ role: item.role, content: contentToChat(item.content, `${at}.content`) });
		}
	}
	return messages;
}
