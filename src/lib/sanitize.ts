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

/** Text from an upstream as one short line: tags of an HTML page dropped, secrets redacted, at most `max` characters. */
function cleanLine(text: string, max: number): string {
	const clean = redactSecrets(
		text
			.replace(/<[^>]*>/g, " ")
			.replace(/\s+/g, " ")
			.trim(),
	);
	return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** A short, secret-free description of an upstream error body, whatever its shape. */
export function upstreamMessage(body: string): string {
	// Not JSON (an HTML error page or plain text), or JSON of another shape: the text itself is described.
	const parsed = errorBody.safeParse(parseBoundedJson(body));
	return cleanLine(parsed.success ? parsed.data : body, 300);
}

/** The start of an upstream's answer, whatever it is, for an operator to read: secret-free and bounded. */
export function answerExcerpt(body: string): string {
	// Cut before cleaning as well, so that a huge answer is never scanned whole.
	return cleanLine(body.slice(0, 4_000), 500);
}

/** Query parameters that carry credentials in some APIs' URLs (`?key=` in Google's examples, signed URLs). */
const SECRET_PARAM = /key|token|secret|sig|pass|auth|credential/i;

/**
 * A URL as it may be shown: credentials out of it (user info, key-like query parameters, anything that looks like a
 * key), whatever the operator pasted into a base URL.
 */
export function shownUrl(url: string): string {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return redactSecrets(url);
	}
	parsed.username = "";
	parsed.password = "";
	for (const name of [...parsed.searchParams.keys()]) if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, "redacted");
	return redactSecrets(parsed.toString());
}
