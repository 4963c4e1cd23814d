const lower = (value: unknown, max: number) => (typeof value === "number" ? Math.min(value, max) : max);

/**
 * Chat Completions with at most `max` output tokens: each of the two fields the body uses is lowered to it (OpenAI's
 * reasoning models take only `max_completion_tokens`, most compatible servers only `max_tokens`); a body with
 * neither gets `max_tokens`, the field every compatible server knows.
 */
export function capOutput(body: Record<string, unknown>, max: number): Record<string, unknown> {
	const hasMax = typeof body.max_tokens === "number";
	const hasCompletion = typeof body.max_completion_tokens === "number";
	if (!hasMax && !hasCompletion) return { ...body, max_tokens: max };
	return {
		...body,
		...(hasMax ? { max_tokens: lower(body.max_tokens, max) } : {}),
		...(hasCompletion ? { max_completion_tokens: lower(body.max_completion_tokens, max) } : {}),
	};
}
