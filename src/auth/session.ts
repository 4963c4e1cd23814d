import { jwtVerify, SignJWT } from "jose";
import { fromBase64 } from "../lib/crypto";

/** A dashboard session: a JWT (HS256) naming the user, valid for 12 hours. */
const TTL = "12h";
const ISSUER = "edge-gateway";

const keys = new Map<string, Promise<Uint8Array>>();

/**
 * The signing key, derived from ENCRYPTION_KEY with HKDF so that sessions need no secret of their own; a
 * different `info` keeps it apart from the key that encrypts upstream keys.
 */
function signingKey(encryptionKey: string): Promise<Uint8Array> {
	let key = keys.get(encryptionKey);
	if (!key) {
		key = (async () => {
			const material = await crypto.subtle.importKey("raw", fromBase64(encryptionKey), "HKDF", false, ["deriveBits"]);
			const bits = await crypto.subtle.deriveBits(
				{ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: new TextEncoder().encode("edge-gateway session v1") },
				material,
				256,
			);
			return new Uint8Array(bits);
		})();
		keys.set(encryptionKey, key);
	}
	return key;
}

export async function issueSession(userId: number, encryptionKey: string): Promise<string> {
	return new SignJWT({})
		.setProtectedHeader({ alg: "HS256" })
		.setSubject(String(userId))
		.setIssuer(ISSUER)
		.setIssuedAt()
		.setExpirationTime(TTL)
		.sign(await signingKey(encryptionKey));
}

/** The user id a valid, unexpired session names; undefined for anything else. */
export async function readSession(token: string, encryptionKey: string): Promise<number | undefined> {
	try {
		const { payload } = await jwtVerify(token, await signingKey(encryptionKey), { issuer: ISSUER, algorithms: ["HS256"] });
		const id = Number(payload.sub);
		return Number.isInteger(id) && id > 0 ? id : undefined;
	} catch {
		return undefined;
	}
}

/** A JWT has three base64url parts; gateway keys and the admin token do not look like one. */
export const looksLikeJwt = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);
