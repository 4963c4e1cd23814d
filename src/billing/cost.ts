import type { Usage } from "../protocols/usage";

/** One price version, as the relay prices a request with it. Amounts in nano-USD (per million tokens, or per request). */
export interface Price {
	id: number;
	inputPerMtok: number;
	outputPerMtok: number;
	/** null: cache reads are charged as ordinary input. */
	cachedInputPerMtok: number | null;
	/** null: cache writes are charged as ordinary input. */
	cacheWritePerMtok: number | null;
	perRequest: number;
}

/**
 * The cost of a request's usage in nano-USD: uncached input, cache reads and writes, and output each at their
 * rate, plus the per-request price, times the caller's group multiplier. Prompt tokens include cached ones, as
 * OpenAI counts them (every dialect's usage is mapped to that).
 */
export function costNusd(price: Price, usage: Usage, multiplier = 1): number {
	const cached = Math.min(usage.cachedTokens, usage.promptTokens);
	const written = Math.min(usage.cacheWriteTokens ?? 0, usage.promptTokens - cached);
	const plain = usage.promptTokens - cached - written;
	const perMtok =
		plain * price.inputPerMtok +
		cached * (price.cachedInputPerMtok ?? price.inputPerMtok) +
		written * (price.cacheWritePerMtok ?? price.inputPerMtok) +
		usage.completionTokens * price.outputPerMtok;
	return Math.round((perMtok / 1_000_000 + price.perRequest) * multiplier);
}
