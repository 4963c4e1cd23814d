import { jwtVerify, SignJWT } from "jose";
import { fromBase64 } from "../lib/crypto";

/**
 * A dashboard session: a JWT (HS256) naming its session row (`sid`, src/auth/sessions.ts) and its subject, a
 * user's id or "operator". The row, not the JWT, says whether it has ended.
 */
const ISSUER = "edge-gateway";

export type SessionSubject = number | "operator";

export interface SessionClaims {
	sessionId: string;
	subject: SessionSubject;
}

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

export async function issueSession(claims: SessionClaims, expiresAtMs: number, encryptionKey: string): Promise<string> {
	return new SignJWT({ sid: claims.sessionId })
		.setProtectedHeader({ alg: "HS256" })
		.setSubject(String(claims.subject))
		.setIssuer(ISSUER)
		.setIssuedAt()
		.setExpirationTime(Math.floor(expiresAtMs / 1000))
		.sign(await signingKey(encryptionKey));
}

/** What a valid, unexpired session names; undefined for anything else. */
export async function readSession(token: string, encryptionKey: string): Promise<SessionClaims | undefined> {
	try {
		const { payload } = await jwtVerify(token, await signingKey(encryptionKey), { issuer: ISSUER, algorithms: ["HS256"] });
		if (typeof payload.sid !== "string" || payload.sid.length === 0) return undefined;
		if (payload.sub === "operator") return { sessionId: payload.sid, subject: "operator" };
		const id = Number(payload.sub);
		return Number.isInteger(id) && id > 0 ? { sessionId: payload.sid, subject: id } : undefined;
	} catch {
		return undefined;
	}
}

/** A JWT has three base64url parts; gateway keys and the admin token do not look like one. */
export const looksLikeJwt = (token: string) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);
