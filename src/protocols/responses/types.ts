/**
 * The parts of OpenAI's Responses API wire format the gateway reads and writes
 * (https://platform.openai.com/docs/api-reference/responses). Requests are typed by their schema (request-schema.ts);
 * input items arrive as bare objects and are checked one by one as they are read (see input-items.ts).
 */
import type { FileCitation, FileSearchHit } from "../file-search";
import type { TextFormat } from "./request-schema";

export type { ResponsesRequest } from "./request-schema";

export type ItemStatus = "in_progress" | "completed" | "incomplete";

/** `annotations` cite the files of a file search; `logprobs` are always empty (chat upstreams give none worth mapping). */
export interface OutputText {
	type: "output_text";
	text: string;
	annotations: FileCitation[];
	logprobs: [];
}

export interface MessageItem {
	type: "message";
	id: string;
	status: ItemStatus;
	role: "assistant";
	content: OutputText[];
}

export interface FunctionCallItem {
	type: "function_call";
	id: string;
	call_id: string;
	name: string;
	arguments: string;
	status: ItemStatus;
}

export interface SummaryText {
	type: "summary_text";
	text: string;
}

export interface ReasoningItem {
	type: "reasoning";
	id: string;
	summary: SummaryText[];
	/** Carries an upstream's reasoning signature (Anthropic thinking, Gemini thought) so it can come back in `input`. */
	encrypted_content?: string;
}

/** The gateway's own file search, done before the model was asked; `results` only when the request included them. */
export interface FileSearchCallItem {
	type: "file_search_call";
	id: string;
	status: "in_progress" | "searching" | "completed";
	queries: string[];
	results: FileSearchHit[] | null;
}

export type OutputItem = MessageItem | FunctionCallItem | ReasoningItem | FileSearchCallItem;

export interface ResponseUsage {
	input_tokens: number;
	input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
	output_tokens: number;
	output_tokens_details: { reasoning_tokens: number };
	total_tokens: number;
}

export type ResponseToolChoice =
	| "auto"
	| "none"
	| "required"
	| { type: "function"; name: string }
	| { type: "allowed_tools"; mode: "auto" | "required"; tools: { [key: string]: unknown }[] };

export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh" | "max";

/** What a Response echoes of the request that asked for it. */
export interface ResponseSettings {
	instructions: string | null;
	tools: { type: "function"; name: string; description: string | null; parameters: Record<string, unknown> | null; strict: boolean | null }[];
	tool_choice: ResponseToolChoice;
	temperature: number | null;
	top_p: number | null;
	parallel_tool_calls: boolean;
	max_output_tokens: number | null;
	text: { format: TextFormat };
	reasoning: { effort: ReasoningEffort | null; summary: "auto" | "concise" | "detailed" | null };
	metadata: Record<string, string>;
	truncation: "auto" | "disabled";
	user?: string;
	/** Whether the response is kept (GET /v1/responses/{id}, `previous_response_id`); OpenAI's default is true. */
	store: boolean;
	previous_response_id: string | null;
	conversation: { id: string } | null;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

export interface ResponseObject extends ResponseSettings {
	id: string;
	object: "response";
	created_at: number;
	completed_at?: number;
	status: ResponseStatus;
	model: string;
	output: OutputItem[];
	/** An SDK convenience, sent anyway so that clients reading the JSON directly find it too. */
	output_text: string;
	error: { code: "server_error"; message: string } | null;
	incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
	usage?: ResponseUsage;
	access_programs: null;
	background: false;
}
