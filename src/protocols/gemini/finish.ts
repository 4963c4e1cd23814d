import type { FinishReason } from "../ir";

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE"]);

/** Gemini says STOP after function calls too; the internal representation says tool_calls. */
export function chatFinishOf(reason: string, calledFunctions: boolean): FinishReason {
	if (reason === "MAX_TOKENS") return "length";
	if (FILTERED.has(reason)) return "content_filter";
	return calledFunctions ? "tool_calls" : "stop";
}

export function geminiFinishOf(reason: FinishReason | null): string {
	if (reason === "length") return "MAX_TOKENS";
	if (reason === "content_filter") return "SAFETY";
	return "STOP";
}
