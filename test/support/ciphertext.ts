import { fromBase64, toBase64Url } from "../../src/lib/crypto";

/** A secret as the gateway stored it before ciphertexts named their key: `v1.<iv>.<ciphertext>`. */
export async function v1Ciphertext(plaintext: string, secretB64: string): Promise<string> {
	const key = await crypto.subtle.importKey("raw", fromBase64(secretB64), "AES-GCM", false, ["encrypt"]);
	const iv = crypto.getRandomValues(new Uint8Array(12));
	const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode(plaintext));
	return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(data))}`;
}
