import { z } from "zod";
import { parseBoundedJson } from "../lib/json-depth";

// Upstreams echo keys back in errors ("Incorrect API key provided: sk-abc…"); none of that reaches a client.
const SECRET_PATTERNS = [/\b(?:sk|pk|rk|ak|key|api[-_]?key)[-_][A-Za-z0-9_-]{6,}/gi, /\bBearer\s+\S+/gi, /\b[A-Za-z0-9_-]{32,}\b/g];

export function redactSecrets(text: string): string {
	return SECRET_PATTERNS.reduce((s, re) => s.replace(re, "[redacted]"), text);
}

// The shapes upstreams give their errors: `{error: "..."}`, `{error: {message}}` (OpenAI, Anthropic, Gemini), `{message}`.
const errorBody = z.union([
	z.looseObject({ error: z.string() }).transform((b) => b.error),
	z.looseObject({ error: z.looseObject({ message: z.string() }) }).transform((b) => b.error.message),
	z.looseObject({ message: z.string() }).transform((b) => b.message),
]);

/** A short, secret-free description of an upstream error body, whatever its shape. */
export function upstreamMessage(body: string): string {
	// Not JSON (an HTML error page or plain text), or JSON of another shape: the text itself is described.
	const parsed = errorBody.safeParse(parseBoundedJson(body));
	const message = parsed.success ? parsed.data : body;
	const clean = redactSecrets(
		message
			.replace(/<[^>]*>/g, " ")
			.replace(/\s+/g, " ")
			.trim(),
	);
	return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
