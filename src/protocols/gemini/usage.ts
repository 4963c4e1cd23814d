import { type ChatUsage, usageOf } from "../ir";
import type { Usage } from "../usage";
import { withUsage } from "./answer";
import type { GeminiUsageMetadata } from "./types";

const count = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);

/**
 * Gemini's counts in OpenAI's terms. The prompt count already includes cached tokens (as OpenAI's does); tokens
 * of tool-use prompts (search results and the like) are billed as input; thoughts are billed as output.
 */
export function chatUsageOf(meta: GeminiUsageMetadata | undefined): ChatUsage | undefined {
	if (!meta || (meta.promptTokenCount === undefined && meta.candidatesTokenCount === undefined)) return undefined;
	const thoughts = count(meta.thoughtsTokenCount);
	return usageOf(
		count(meta.promptTokenCount) + count(meta.toolUsePromptTokenCount),
		count(meta.candidatesTokenCount) + thoughts,
		count(meta.cachedContentTokenCount),
		thoughts,
	);
}

export function usageMetadataOf(usage: ChatUsage): GeminiUsageMetadata {
	const thoughts = usage.completion_tokens_details?.reasoning_tokens ?? 0;
	const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
	return {
		promptTokenCount: usage.prompt_tokens,
		candidatesTokenCount: Math.max(0, usage.completion_tokens - thoughts),
		totalTokenCount: usage.prompt_tokens + usage.completion_tokens,
		...(cached ? { cachedContentTokenCount: cached } : {}),
		...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
	};
}

/** The metered usage of a Gemini response body or stream event. */
export function readGeminiUsage(body: unknown): Usage | undefined {
	const parsed = withUsage.safeParse(body);
	const usage = parsed.success ? chatUsageOf(parsed.data.usageMetadata) : undefined;
	if (!usage) return undefined;
	return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0 };
}
