import { asRecord } from "../../lib/json-depth";

/** A generateContent body (camelCase) with at most `max` output tokens; thinking counts within them. */
export function capOutput(body: Record<string, unknown>, max: number): Record<string, unknown> {
	const config = asRecord(body.generationConfig) ?? {};
	const current = config.maxOutputTokens;
	return { ...body, generationConfig: { ...config, maxOutputTokens: typeof current === "number" ? Math.min(current, max) : max } };
}
