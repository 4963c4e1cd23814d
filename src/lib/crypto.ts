const encoder = new TextEncoder();

export function toBase64Url(bytes: Uint8Array): string {
	let s = "";
	for (const b of bytes) s += String.fromCharCode(b);
	return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64(b64: string): Uint8Array<ArrayBuffer> {
	const s = atob(b64.replaceAll("-", "+").replaceAll("_", "/"));
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
	return out;
}

export async function sha256Hex(text: string): Promise<string> {
	const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
	let hex = "";
	for (const b of digest) hex += b.toString(16).padStart(2, "0");
	return hex;
}

/** Compares secrets in constant time: digests first, so lengths never leak either. */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
	const [da, db] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(a)), crypto.subtle.digest("SHA-256", encoder.encode(b))]);
	return crypto.subtle.timingSafeEqual(da, db);
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `prefix` and `length` random base62 characters; rejection sampling keeps every character equally likely. */
export function randomBase62(prefix: string, length: number): string {
	let out = prefix;
	const end = prefix.length + length;
	while (out.length < end) {
		for (const b of crypto.getRandomValues(new Uint8Array(64))) {
			if (b < 248 && out.length < end) out += BASE62[b % 62];
		}
	}
	return out;
}

const keyCache = new Map<string, Promise<CryptoKey>>();

function aesKey(secretB64: string): Promise<CryptoKey> {
	let key = keyCache.get(secretB64);
	if (!key) {
		key = crypto.subtle.importKey("raw", fromBase64(secretB64), "AES-GCM", false, ["encrypt", "decrypt"]);
		keyCache.set(secretB64, key);
	}
	return key;
}

/** AES-256-GCM with a random 96-bit IV, stored as `v1.<iv>.<ciphertext>` in base64url. */
export async function encryptSecret(plaintext: string, secretB64: string): Promise<string> {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(secretB64), encoder.encode(plaintext));
	return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(data))}`;
}

export async function decryptSecret(stored: string, secretB64: string): Promise<string> {
	const [version, iv, data] = stored.split(".");
	if (version !== "v1" || !iv || !data) throw new Error("Unrecognised ciphertext format");
	const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv) }, await aesKey(secretB64), fromBase64(data));
	return new TextDecoder().decode(plain);
}

/** What an admin sees instead of an upstream key: enough to tell keys apart, not enough to use one. */
export function maskSecret(secret: string): string {
	if (secret.length <= 8) return "****";
	return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}
