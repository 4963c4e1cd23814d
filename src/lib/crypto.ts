const encoder = new TextEncoder();

export function toBase64(bytes: Uint8Array): string {
	let s = "";
	for (const b of bytes) s += String.fromCharCode(b);
	return btoa(s);
}

export function toBase64Url(bytes: Uint8Array): string {
	return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
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

/** The keys secrets are read with: ENCRYPTION_KEY, and while a rotation lasts the one it replaced. */
export interface EncryptionKeys {
	encryptionKey: string;
	encryptionKeyPrevious: string | undefined;
}

const keyIds = new Map<string, Promise<string>>();

/**
 * A key's id, written into every ciphertext it makes: the first 4 bytes of SHA-256 of the key, in hex. It names the
 * key without weakening it, so that a reader picks the right key at once and the operator can count what a rotation
 * has still to re-encrypt.
 */
export function keyIdOf(secretB64: string): Promise<string> {
	let id = keyIds.get(secretB64);
	if (!id) {
		id = crypto.subtle.digest("SHA-256", fromBase64(secretB64)).then((d) => [...new Uint8Array(d, 0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(""));
		keyIds.set(secretB64, id);
	}
	return id;
}

/** AES-256-GCM with a random 96-bit IV, stored as `v2.<key id>.<iv>.<ciphertext>` (iv and ciphertext in base64url). */
export async function encryptSecret(plaintext: string, secretB64: string): Promise<string> {
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await aesKey(secretB64), encoder.encode(plaintext));
	return `v2.${await keyIdOf(secretB64)}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(data))}`;
}

async function decryptWith(secretB64: string, iv: string, data: string): Promise<string> {
	const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: fromBase64(iv) }, await aesKey(secretB64), fromBase64(data));
	return new TextDecoder().decode(plain);
}

/**
 * Reads a secret under ENCRYPTION_KEY or, during a rotation, ENCRYPTION_KEY_PREVIOUS: a `v2` ciphertext by the key it
 * names, a `v1` one (written before ciphertexts named their key) by trying the current key, then the previous.
 */
export async function decryptSecret(stored: string, keys: EncryptionKeys): Promise<string> {
	const parts = stored.split(".");
	const candidates = [keys.encryptionKey, ...(keys.encryptionKeyPrevious ? [keys.encryptionKeyPrevious] : [])];
	if (parts[0] === "v2" && parts.length === 4) {
		const [, kid, iv, data] = parts;
		if (!kid || !iv || !data) throw new Error("Unrecognised ciphertext format");
		for (const key of candidates) if ((await keyIdOf(key)) === kid) return decryptWith(key, iv, data);
		throw new Error(`The secret was encrypted with key ${kid}, which is neither ENCRYPTION_KEY nor ENCRYPTION_KEY_PREVIOUS`);
	}
	const [version, iv, data] = parts;
	if (version !== "v1" || !iv || !data || parts.length !== 3) throw new Error("Unrecognised ciphertext format");
	let failure: unknown;
	for (const key of candidates) {
		try {
			return await decryptWith(key, iv, data);
		} catch (err) {
			failure = err;
		}
	}
	throw failure;
}

/** What an admin sees instead of an upstream key: enough to tell keys apart, not enough to use one. */
export function maskSecret(secret: string): string {
	if (secret.length <= 8) return "****";
	return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}
