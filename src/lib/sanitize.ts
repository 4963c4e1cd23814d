// Upstreams echo keys back in errors ("Incorrect API key provided: sk-abc…"); none of that reaches a client.
const SECRET_PATTERNS = [/\b(?:sk|pk|rk|ak|key|api[-_]?key)[-_][A-Za-z0-9_-]{6,}/gi, /\bBearer\s+\S+/gi, /\b[A-Za-z0-9_-]{32,}\b/g];

export function redactSecrets(text: string): string {
	return SECRET_PATTERNS.reduce((s, re) => s.replace(re, "[redacted]"), text);
}

/** A short, secret-free description of an upstream error body, whatever its shape. */
export function upstreamMessage(body: string): string {
	let message = body;
	try {
		const parsed: unknown = JSON.parse(body);
		if (typeof parsed === "object" && parsed !== null) {
			const p = parsed as { error?: unknown; message?: unknown };
			const err = p.error;
			if (typeof err === "string") message = err;
			else if (typeof err === "object" && err !== null && typeof (err as { message?: unknown }).message === "string") {
				message = (err as { message: string }).message;
			} else if (typeof p.message === "string") message = p.message;
		}
	} catch {
		// Not JSON: an HTML error page or plain text; keep the text.
	}
	const clean = redactSecrets(
		message
			.replace(/<[^>]*>/g, " ")
			.replace(/\s+/g, " ")
			.trim(),
	);
	return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}
