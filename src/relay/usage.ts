/** Token counts in OpenAI's shape, read from a response or a stream's final chunk. */
export interface Usage {
	/** All input tokens, cache reads and writes included. */
	promptTokens: number;
	completionTokens: number;
	/** Input tokens read from the provider's prompt cache. */
	cachedTokens: number;
	/** Input tokens written to the prompt cache (Anthropic charges them apart). */
	cacheWriteTokens?: number;
}

const int = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);

export function readUsage(value: unknown): Usage | undefined {
	if (typeof value !== "object" || value === null) return undefined;
	const u = value as {
		prompt_tokens?: unknown;
		completion_tokens?: unknown;
		prompt_tokens_details?: { cached_tokens?: unknown; cache_creation_tokens?: unknown } | null;
	};
	if (u.prompt_tokens === undefined && u.completion_tokens === undefined) return undefined;
	return {
		promptTokens: int(u.prompt_tokens),
		completionTokens: int(u.completion_tokens),
		cachedTokens: int(u.prompt_tokens_details?.cached_tokens),
		cacheWriteTokens: int(u.prompt_tokens_details?.cache_creation_tokens),
	};
}

/** When an upstream reports nothing: about four characters a token, marked as estimated in the record. */
export function estimateTokens(chars: number): number {
	return Math.ceil(chars / 4);
}
