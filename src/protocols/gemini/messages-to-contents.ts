import { parseJsonObject } from "../../lib/json-depth";
import { type ChatMessage, type ChatPart, dataUrl, parseArguments, partsOf, textOf } from "../ir";
import type { GeminiContent, GeminiPart } from "./types";

const IMAGE_TYPES: Record<string, string> = {
	png: "image/png",
	jpg: "image/jpeg",
	jpeg: "image/jpeg",
	gif: "image/gif",
	webp: "image/webp",
	heic: "image/heic",
};

/** Gemini wants a MIME type with a file URI; a chat image URL only hints at it by its extension. */
function imageType(url: string): string {
	const ext = /\.(\w+)(?:[?#].*)?$/.exec(url)?.[1]?.toLowerCase() ?? "";
	return IMAGE_TYPES[ext] ?? "image/jpeg";
}

function partOf(part: ChatPart): GeminiPart {
	if (part.type === "text") return { text: part.text };
	const url = part.image_url.url;
	const inline = dataUrl(url);
	return inline ? { inlineData: { mimeType: inline.mediaType, data: inline.data } } : { fileData: { mimeType: imageType(url), fileUri: url } };
}

/**
 * An assistant turn. Gemini wants its thought signature back where it was: on the first function call when the
 * turn called functions (Gemini 3 rejects the turn otherwise), else on the thought. Reasoning without a
 * signature is dropped: Gemini reads nothing from unsigned thought text.
 */
function modelParts(message: ChatMessage, names: Map<string, string>): GeminiPart[] {
	const signature = message.reasoning_signature;
	const calls = message.tool_calls ?? [];
	const parts: GeminiPart[] = [];
	if (signature && !calls.length && message.reasoning_content) parts.push({ text: message.reasoning_content, thought: true, thoughtSignature: signature });
	const text = textOf(message.content);
	if (text) parts.push({ text, ...(signature && !calls.length && !message.reasoning_content ? { thoughtSignature: signature } : {}) });
	calls.forEach((call, i) => {
		names.set(call.id, call.function.name);
		const functionCall = { name: call.function.name, args: parseArguments(call.function.arguments) };
		parts.push({ functionCall, ...(i === 0 && signature ? { thoughtSignature: signature } : {}) });
	});
	return parts;
}

/** A tool result as Gemini's `response` object: the result itself when it is a JSON object, else wrapped. */
function resultOf(content: string): Record<string, unknown> {
	return parseJsonObject(content) ?? { content };
}

/**
 * Chat messages as Gemini contents: system and developer messages become the system instruction, tool results
 * user turns of function responses (named after the call they answer), and turns of the same role merge, since
 * Gemini expects the roles to alternate.
 */
export function contentsOf(messages: ChatMessage[]): { contents: GeminiContent[]; systemInstruction?: GeminiContent } {
	const system: GeminiPart[] = [];
	const contents: GeminiContent[] = [];
	const names = new Map<string, string>();
	const push = (role: "user" | "model", parts: GeminiPart[]) => {
		if (!parts.length) return;
		const last = contents.at(-1);
		if (last?.role === role) last.parts.push(...parts);
		else contents.push({ role, parts });
	};
	for (const message of messages) {
		if (message.role === "system" || message.role === "developer") {
			const text = textOf(message.content);
			if (text) system.push({ text });
		} else if (message.role === "assistant") push("model", modelParts(message, names));
		else if (message.role === "tool") {
			const name = names.get(message.tool_call_id ?? "") ?? message.name ?? "function";
			push("user", [{ functionResponse: { name, response: resultOf(textOf(message.content)) } }]);
		} else push("user", partsOf(message.content).map(partOf));
	}
	return { contents, ...(system.length ? { systemInstruction: { parts: system } } : {}) };
}
