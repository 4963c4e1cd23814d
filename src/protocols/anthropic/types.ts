/** The parts of Anthropic's Messages API wire format the gateway reads and writes (https://docs.anthropic.com/en/api/messages). */

export type ImageSource = { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };

export type ContentBlock =
	| { type: "text"; text: string; cache_control?: unknown }
	| { type: "image"; source: ImageSource; cache_control?: unknown }
	| { type: "tool_use"; id: string; name: string; input: unknown }
	| { type: "tool_result"; tool_use_id: string; content?: string | ContentBlock[]; is_error?: boolean }
	| { type: "thinking"; thinking: string; signature?: string }
	| { type: "redacted_thinking"; data: string };

export interface AnthropicMessage {
	role: "user" | "assistant";
	content: string | ContentBlock[];
}

export interface AnthropicTool {
	name: string;
	description?: string;
	input_schema?: Record<string, unknown>;
	type?: string;
}

export type AnthropicToolChoice =
	| { type: "auto" | "any" | "none"; disable_parallel_tool_use?: boolean }
	| { type: "tool"; name: string; disable_parallel_tool_use?: boolean };

export interface MessagesRequest {
	model: string;
	messages: AnthropicMessage[];
	system?: string | { type: "text"; text: string }[];
	max_tokens: number;
	stop_sequences?: string[];
	stream?: boolean;
	temperature?: number;
	top_p?: number;
	top_k?: number;
	tools?: AnthropicTool[];
	tool_choice?: AnthropicToolChoice;
	thinking?: { type: "enabled"; budget_tokens: number } | { type: "disabled" };
	metadata?: { user_id?: string };
}

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "pause_turn" | "refusal";

export interface AnthropicUsage {
	input_tokens: number;
	output_tokens: number;
	cache_creation_input_tokens?: number | null;
	cache_read_input_tokens?: number | null;
}

export interface MessagesResponse {
	id: string;
	type: "message";
	role: "assistant";
	model: string;
	content: ContentBlock[];
	stop_reason: StopReason | null;
	stop_sequence: string | null;
	usage: AnthropicUsage;
}
