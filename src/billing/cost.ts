import type { Usage } from "../protocols/usage";
import { unitPrice } from "./units";

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
	/** nano-USD per unit other than tokens, by unit name (units.ts); null: none. */
	perUnit: Readonly<Record<string, number>> | null;
}

/**
 * The cost of a request's usage in nano-USD: uncached input, cache reads and writes, and output each at their
 * rate, plus its units (images, seconds of audio…) at theirs and the per-request price, times the caller's group
 * multiplier. Prompt tokens include cached ones, as
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
	const units = usage.units ? usage.units.count * unitPrice(price.perUnit, usage.units.name) : 0;
	return Math.round((perMtok / 1_000_000 + units + price.perRequest) * multiplier);
}

/**
 * A request's most possible cost as a function of its output, for a budget hold before the answer is known:
 * `baseNusd` for the prompt (all of it at the input price: what will be cached is not known yet) and the request,
 * plus `nusdPerToken` for each output token. Not rounded: the governor rounds the total up.
 */
export function costTerms(price: Price, promptTokens: number, multiplier = 1): { baseNusd: number; nusdPerToken: number } {
	return {
		baseNusd: ((promptTokens * price.inputPerMtok) / 1_000_000 + price.perRequest) * multiplier,
		nusdPerToken: (price.outputPerMtok / 1_000_000) * multiplier,
	};
}
