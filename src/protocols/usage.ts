import { z } from "zod";

/**
 * What a request made, where it is priced by units besides tokens (src/billing/units.ts names them): images, seconds
 * of audio, characters of speech.
 */
export interface Units {
	name: string;
	count: number;
}

/** Token counts in OpenAI's shape, read from a response or a stream's final chunk. */
export interface Usage {
	/** All input tokens, cache reads and writes included. */
	promptTokens: number;
	completionTokens: number;
	/** Input tokens read from the provider's prompt cache. */
	cachedTokens: number;
	/** Input tokens written to the prompt cache (Anthropic charges them apart). */
	cacheWriteTokens?: number;
	/** Output tokens spent reasoning, part of completionTokens (for /metrics; billed as output). */
	reasoningTokens?: number;
	/** What the request made, where it is priced by units besides its tokens (images, seconds of audio, characters). */
	units?: Units;
}

/** A token count read from a provider's JSON: a non-negative integer, 0 for anything else. */
export const tokenCount = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);

// Counts are read leniently (tokenCount turns anything odd into 0); only the shape of the containers is checked.
const reported = z.object({
	prompt_tokens: z.unknown().optional(),
	completion_tokens: z.unknown().optional(),
	prompt_tokens_details: z.object({ cached_tokens: z.unknown().optional(), cache_creation_tokens: z.unknown().optional() }).nullish().catch(undefined),
	completion_tokens_details: z.object({ reasoning_tokens: z.unknown().optional() }).nullish().catch(undefined),
});

export function readUsage(value: unknown): Usage | undefined {
	const parsed = reported.safeParse(value);
	if (!parsed.success) return undefined;
	const u = parsed.data;
	if (u.prompt_tokens === undefined && u.completion_tokens === undefined) return undefined;
	return {
		promptTokens: tokenCount(u.prompt_tokens),
		completionTokens: tokenCount(u.completion_tokens),
		cachedTokens: tokenCount(u.prompt_tokens_details?.cached_tokens),
		cacheWriteTokens: tokenCount(u.prompt_tokens_details?.cache_creation_tokens),
		reasoningTokens: tokenCount(u.completion_tokens_details?.reasoning_tokens),
	};
}

/**
 * An answer known only by its length, when an upstream reports no usage (marked as estimated in the record):
 * about four characters a token. Text in hand is better estimated by `estimateTokens` (token-estimate.ts).
 */
export function tokensForChars(chars: number): number {
	return Math.ceil(chars / 4);
}
