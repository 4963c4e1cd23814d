import { type ChatUsage, type FinishReason, usageOf } from "../ir";
import { tokenCount } from "../usage";
import type { AnthropicUsage, StopReason } from "./types";

/** Anthropic counts cache reads and writes apart from `input_tokens`; OpenAI's prompt tokens include them. */
export function chatUsage(u: Partial<AnthropicUsage> | undefined): ChatUsage {
	const cached = tokenCount(u?.cache_read_input_tokens);
	const created = tokenCount(u?.cache_creation_input_tokens);
	return usageOf(tokenCount(u?.input_tokens) + cached + created, tokenCount(u?.output_tokens), cached, 0, created);
}

export function anthropicUsage(u: ChatUsage | null | undefined): AnthropicUsage {
	const cached = u?.prompt_tokens_details?.cached_tokens ?? 0;
	const created = u?.prompt_tokens_details?.cache_creation_tokens ?? 0;
	return {
		input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - cached - created),
		output_tokens: u?.completion_tokens ?? 0,
		cache_creation_input_tokens: created,
		cache_read_input_tokens: cached,
	};
}

export const finishFor: Record<StopReason, FinishReason> = {
	end_turn: "stop",
	stop_sequence: "stop",
	pause_turn: "stop",
	max_tokens: "length",
	tool_use: "tool_calls",
	refusal: "content_filter",
};

const FINISH = new Map<string, FinishReason>(Object.entries(finishFor));

/** A stop reason as a finish reason; one Anthropic adds later reads as a plain stop. */
export function finishOf(reason: string | null | undefined): FinishReason | null {
	return reason ? (FINISH.get(reason) ?? "stop") : null;
}

export const stopFor: Record<FinishReason, StopReason> = {
	stop: "end_turn",
	length: "max_tokens",
	tool_calls: "tool_use",
	content_filter: "refusal",
};
