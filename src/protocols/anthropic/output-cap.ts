import { asRecord } from "../../lib/json-depth";

/** Anthropic's least thinking budget. */
const MIN_THINKING = 1024;

/**
 * A Messages body with at most `max` output tokens. Thinking counts against `max_tokens` and its budget must be
 * below it and at least 1,024: a budget that no longer fits is lowered, or thinking is turned off when none fits.
 */
export function capOutput(body: Record<string, unknown>, max: number): Record<string, unknown> {
	const maxTokens = typeof body.max_tokens === "number" ? Math.min(body.max_tokens, max) : max;
	const { thinking, ...rest } = body;
	const config = asRecord(thinking);
	const budget = config?.type === "enabled" && typeof config.budget_tokens === "number" ? config.budget_tokens : undefined;
	if (budget === undefined || budget < maxTokens) return { ...body, max_tokens: maxTokens };
	if (maxTokens > MIN_THINKING) return { ...rest, max_tokens: maxTokens, thinking: { ...config, budget_tokens: maxTokens - 1 } };
	return { ...rest, max_tokens: maxTokens };
}
