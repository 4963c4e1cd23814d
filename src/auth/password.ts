import { fromBase64, toBase64Url } from "../lib/crypto";

/**
 * Passwords hashed with PBKDF2-SHA256 through WebCrypto, stored as `pbkdf2-sha256$<iterations>$<salt>$<hash>`
 * (base64url). 100,000 iterations is the most the Workers runtime allows.
 */
const ITERATIONS = 100_000;
const enc = new TextEncoder();

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
	const key = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]);
	return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256));
}

export async function hashPassword(password: string): Promise<string> {
	const salt = crypto.getRandomValues(new Uint8Array(16));
	return `pbkdf2-sha256$${ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(await derive(password, salt, ITERATIONS))}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, iterations, salt, hash] = stored.split("$");
	if (scheme !== "pbkdf2-sha256" || !iterations || !salt || !hash) return false;
	const actual = await derive(password, fromBase64(salt), Number(iterations));
	const expected = fromBase64(hash);
	// Constant time: the comparison does not stop at the first differing byte.
	return actual.length === expected.length && crypto.subtle.timingSafeEqual(actual, expected);
}
