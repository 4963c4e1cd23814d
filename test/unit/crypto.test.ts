import { describe, expect, it } from "vitest";
import { KEY_PATTERN, newGatewayKey, plausibleKey } from "../../src/auth/key-format";
import { decryptSecret, encryptSecret, keyIdOf, maskSecret, sha256Hex } from "../../src/lib/crypto";
import { v1Ciphertext } from "../support/ciphertext";

const KEY = btoa("0123456789abcdef0123456789abcdef");
const OTHER = btoa("fedcba9876543210fedcba9876543210");

describe("secrets", () => {
	const keys = { encryptionKey: KEY, encryptionKeyPrevious: undefined };

	it("encrypts upstream keys with a fresh IV each time, naming the key, and decrypts them back", async () => {
		const a = await encryptSecret("sk-upstream", KEY);
		const b = await encryptSecret("sk-upstream", KEY);
		expect(a).not.toBe(b);
		expect(a).not.toContain("sk-upstream");
		expect(a.startsWith(`v2.${await keyIdOf(KEY)}.`)).toBe(true);
		expect(await keyIdOf(KEY)).toMatch(/^[0-9a-f]{8}$/);
		expect(await decryptSecret(a, keys)).toBe("sk-upstream");
	});

	it("refuses ciphertext tampered with or read under another key", async () => {
		const stored = await encryptSecret("sk-upstream", KEY);
		await expect(decryptSecret(stored, { encryptionKey: OTHER, encryptionKeyPrevious: undefined })).rejects.toThrow(/neither ENCRYPTION_KEY/);
		const tampered = `${stored.slice(0, -2)}${stored.endsWith("A") ? "B" : "A"}A`;
		await expect(decryptSecret(tampered, keys)).rejects.toThrow();
	});

	it("reads a secret under the previous key while a rotation lasts, in both formats", async () => {
		const rotated = { encryptionKey: OTHER, encryptionKeyPrevious: KEY };
		expect(await decryptSecret(await encryptSecret("sk-v2", KEY), rotated)).toBe("sk-v2");
		expect(await decryptSecret(await encryptSecret("sk-new", OTHER), rotated)).toBe("sk-new");
		const v1 = await v1Ciphertext("sk-v1", KEY);
		expect(await decryptSecret(v1, rotated)).toBe("sk-v1");
		expect(await decryptSecret(v1, keys)).toBe("sk-v1");
		await expect(decryptSecret(v1, { encryptionKey: OTHER, encryptionKeyPrevious: undefined })).rejects.toThrow();
	});

	it("makes sk-gw_ keys with a checksum, all different, and refuses a mistyped one by its shape alone", () => {
		const keys = new Set(Array.from({ length: 100 }, newGatewayKey));
		expect(keys.size).toBe(100);
		for (const k of keys) {
			expect(k).toMatch(KEY_PATTERN);
			expect(plausibleKey(k)).toBe(true);
			// One character changed anywhere in the random part or the checksum: the checksum no longer holds.
			const at = 6 + (k.charCodeAt(10) % 46);
			const typo = `${k.slice(0, at)}${k[at] === "a" ? "b" : "a"}${k.slice(at + 1)}`;
			expect(plausibleKey(typo)).toBe(false);
		}
		expect(plausibleKey(`sk-${"A".repeat(48)}`)).toBe(true); // a key minted before the format
		for (const bad of ["sk-short", "", "Bearer x", `sk-gw_${"A".repeat(45)}`]) expect(plausibleKey(bad)).toBe(false);
	});

	it("masks and hashes", async () => {
		expect(maskSecret("sk-abcdefghijklmnop")).toBe("sk-…mnop");
		expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	});
});
