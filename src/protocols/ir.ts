/**
 * The gateway's internal representation of a chat exchange: OpenAI Chat Completions, the dialect most
 * upstreams speak, plus the two fields DeepSeek-style reasoning models add (`reasoning_content` and, to carry
 * Anthropic's thinking signature and Gemini's thought signature, `reasoning_signature`). Every dialect maps
 * its requests into this and its responses and streams out of it, so N dialects need N mappings, not N².
 */

import { asRecord, parseBoundedJson } from "../lib/json-depth";

export interface ChatTextPart {
	type: "text";
	text: string;
}

export interface ChatImagePart {
	type: "image_url";
	/** An http(s) URL or a `data:<mime>;base64,<data>` URL. */
	image_url: { url: string; detail?: string };
}

export type ChatPart = ChatTextPart | ChatImagePart;

export interface ChatToolCall {
	id: string;
	type: "function";
	function: { name: string; arguments: string };
}

export interface ChatMessage {
	role: "system" | "developer" | "user" | "assistant" | "tool";
	content?: string | ChatPart[] | null;
	name?: string;
	tool_calls?: ChatToolCall[];
	tool_call_id?: string;
	reasoning_content?: string;
	reasoning_signature?: string;
}

export interface ChatTool {
	type: "function";
	function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ChatToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

export type ChatResponseFormat =
	| { type: "text" }
	| { type: "json_object" }
	| { type: "json_schema"; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean; description?: string } };

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	stream?: boolean;
	stream_options?: { include_usage?: boolean };
	max_tokens?: number;
	max_completion_tokens?: number;
	temperature?: number;
	top_p?: number;
	stop?: string | string[];
	tools?: ChatTool[];
	tool_choice?: ChatToolChoice;
	parallel_tool_calls?: boolean;
	response_format?: ChatResponseFormat;
	reasoning_effort?: "minimal" | "low" | "medium" | "high";
	/** A thinking budget in tokens, when the client gave one (Anthropic `thinking`, Gemini `thinkingBudget`). */
	thinking_budget?: number;
	user?: string;
	[extra: string]: unknown;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface ChatUsage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	prompt_tokens_details?: { cached_tokens?: number; cache_creation_tokens?: number };
	completion_tokens_details?: { reasoning_tokens?: number };
}

export interface ChatResponse {
	id: string;
	object: "chat.completion";
	created: number;
	model: string;
	choices: {
		index: number;
		message: { role: "assistant"; content: string | null; tool_calls?: ChatToolCall[]; reasoning_content?: string; reasoning_signature?: string };
		finish_reason: FinishReason | null;
	}[];
	usage?: ChatUsage;
}

export interface ChatDelta {
	role?: "assistant";
	content?: string | null;
	reasoning_content?: string;
	reasoning_signature?: string;
	tool_calls?: { index: number; id?: string; type?: "function"; function?: { name?: string; arguments?: string } }[];
}

export interface ChatChunk {
	id: string;
	object: "chat.completion.chunk";
	created: number;
	model: string;
	choices: { index: number; delta: ChatDelta; finish_reason: FinishReason | null }[];
	usage?: ChatUsage | null;
}

/** A mid-stream error as an OpenAI-format SSE data object. */
export interface ChatStreamError {
	error: { message: string; type: string; code?: string | null };
}

/** The text of a message's content, images left out. */
export function textOf(content: ChatMessage["content"]): string {
	if (typeof content === "string") return content;
	if (!content) return "";
	return content.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** Parts of a message's content, a plain string becoming one text part. */
export function partsOf(content: ChatMessage["content"]): ChatPart[] {
	if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
	return content ?? [];
}

/** `data:<mime>;base64,<data>` split, or undefined for any other URL. */
export function dataUrl(url: string): { mediaType: string; data: string } | undefined {
	const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
	return match ? { mediaType: match[1] ?? "", data: match[2] ?? "" } : undefined;
}

export function usageOf(prompt: number, completion: number, cached = 0, reasoning = 0, cacheCreation = 0): ChatUsage {
	return {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: prompt + completion,
		...(cached || cacheCreation
			? { prompt_tokens_details: { cached_tokens: cached, ...(cacheCreation ? { cache_creation_tokens: cacheCreation } : {}) } }
			: {}),
		...(reasoning ? { completion_tokens_details: { reasoning_tokens: reasoning } } : {}),
	};
}

/** Tool arguments as an object, as Anthropic and Gemini want them; a malformed (or too deeply nested) string is kept rather than lost. */
export function parseArguments(args: string): Record<string, unknown> {
	if (!args.trim()) return {};
	const parsed = parseBoundedJson(args);
	if (parsed === undefined) return { _raw_arguments: args };
	return asRecord(parsed) ?? { value: parsed };
}

/** Thinking budgets for OpenAI-style effort levels, and back. */
export const EFFORT_BUDGET = { minimal: 512, low: 1024, medium: 4096, high: 16384 } as const;

export function effortFor(budget: number): ChatRequest["reasoning_effort"] {
	if (budget <= EFFORT_BUDGET.minimal) return "minimal";
	if (budget <= EFFORT_BUDGET.low) return "low";
	if (budget <= EFFORT_BUDGET.medium) return "medium";
	return "high";
}
