/**
 * The check that no secret reaches a log: every line the run logged, scanned for every secret it used. Gateway and
 * app keys and session tokens are found by their shape, whoever made them; the rest (admin token, encryption key,
 * upstream keys) are given. A leak is reported with the secret cut out, so that the report does not leak it again.
 */

/** A gateway or app key (src/auth/key-format.ts, and the legacy shape): shown once to its owner, never logged. */
const GATEWAY_KEY = /sk-gw_[0-9A-Za-z]{46}|sk-[0-9A-Za-z]{48}/g;
/** A session token (a JWT: header, claims and signature, base64url): as good as a password while it lasts. */
const SESSION_TOKEN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g;

/** Too short to be told from ordinary words: an upstream key in a test is longer. */
const SHORTEST_SECRET = 8;

export function leakedLines(lines: readonly string[], secrets: readonly (string | null | undefined)[]): string[] {
	const known = [...new Set(secrets)].filter((s): s is string => typeof s === "string" && s.length >= SHORTEST_SECRET);
	const leaks: string[] = [];
	for (const line of lines) {
		let redacted = line.replace(GATEWAY_KEY, "<gateway key>").replace(SESSION_TOKEN, "<session token>");
		for (const secret of known) redacted = redacted.replaceAll(secret, "<secret>");
		if (redacted !== line) leaks.push(redacted.slice(0, 500));
	}
	return leaks;
}

/** Fails the run (from a global teardown) when any line leaked a secret. */
export function assertNoLeaks(where: string, lines: readonly string[], secrets: readonly (string | null | undefined)[]): void {
	const leaks = leakedLines(lines, secrets);
	if (leaks.length === 0) return;
	throw new Error(`${leaks.length} log line(s) of ${where} hold a secret (shown redacted):\n${leaks.slice(0, 20).join("\n")}`);
}

/** Every console line of the test run, as vitest's onConsoleLog sees it (vitest.config.ts): read by the teardowns. */
export function consoleLines(): string[] {
	const store = globalThis as { __testConsoleLines?: string[] };
	store.__testConsoleLines ??= [];
	return store.__testConsoleLines;
}
