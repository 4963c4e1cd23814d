/** A turn's usage as Dify reports it in `metadata.usage`: token counts, prices as decimal strings, latency in seconds. */
export interface DifyUsage {
	prompt_tokens: number;
	prompt_unit_price: string;
	prompt_price_unit: string;
	prompt_price: string;
	completion_tokens: number;
	completion_unit_price: string;
	completion_price_unit: string;
	completion_price: string;
	total_tokens: number;
	total_price: string;
	currency: "USD";
	latency: number;
}

/** What a turn was billed: the usage record's counts and cost, and the per-million-token rates it was priced at. */
export interface BilledTurn {
	promptTokens: number;
	completionTokens: number;
	costNusd: number;
	/** nano-USD per million tokens, the caller's group multiplier applied; 0 when the model has no price. */
	inputPerMtok: number;
	outputPerMtok: number;
	latencyMs: number;
}

/** Unit prices are per million tokens, so each price is tokens × unit price × 0.000001, as Dify computes it. */
const PER_MILLION = "0.000001";

/** nano-USD as an exact USD decimal string (Dify's prices are Decimals): 1234 → "0.000001234". */
export function usdDecimal(nusd: number): string {
	const n = Math.max(0, Math.round(nusd));
	const whole = Math.floor(n / 1e9);
	const frac = String(n % 1e9)
		.padStart(9, "0")
		.replace(/0+$/, "");
	return frac ? `${whole}.${frac}` : String(whole);
}

/**
 * Dify's `usage` for a billed turn. `total_price` is what the ledger is charged (cache discounts and per-request
 * prices included); the prompt and completion prices are the plain rates times the tokens, as Dify shows them.
 */
export function difyUsage(b: BilledTurn): DifyUsage {
	return {
		prompt_tokens: b.promptTokens,
		prompt_unit_price: usdDecimal(b.inputPerMtok),
		prompt_price_unit: PER_MILLION,
		prompt_price: usdDecimal((b.promptTokens * b.inputPerMtok) / 1e6),
		completion_tokens: b.completionTokens,
		completion_unit_price: usdDecimal(b.outputPerMtok),
		completion_price_unit: PER_MILLION,
		completion_price: usdDecimal((b.completionTokens * b.outputPerMtok) / 1e6),
		total_tokens: b.promptTokens + b.completionTokens,
		total_price: usdDecimal(b.costNusd),
		currency: "USD",
		latency: b.latencyMs / 1000,
	};
}
