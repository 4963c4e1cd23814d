import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, maskSecret, newGatewayKey, sha256Hex } from "../../src/lib/crypto";

const KEY = btoa("0123456789abcdef0123456789abcdef");

describe("secrets", () => {
	it("encrypts upstream keys with a fresh IV each time and decrypts them back", async () => {
		const a = await encryptSecret("sk-upstream", KEY);
		const b = await encryptSecret("sk-upstream", KEY);
		expect(a).not.toBe(b);
		expect(a).not.toContain("sk-upstream");
		expect(await decryptSecret(a, KEY)).toBe("sk-upstream");
	});

	it("refuses ciphertext tampered with or read under another key", async () => {
		const stored = await encryptSecret("sk-upstream", KEY);
		await expect(decryptSecret(stored, btoa("x".repeat(32)))).rejects.toThrow();
		const tampered = `${stored.slice(0, -2)}${stored.endsWith("A") ? "B" : "A"}A`;
		await expect(decryptSecret(tampered, KEY)).rejects.toThrow();
	});

	it("makes sk- keys of 48 base62 characters, all different", () => {
		const keys = new Set(Array.from({ length: 100 }, newGatewayKey));
		expect(keys.size).toBe(100);
		for (const k of keys) expect(k).toMatch(/^sk-[0-9A-Za-z]{48}$/);
	});

	it("masks and hashes", async () => {
		expect(maskSecret("sk-abcdefghijklmnop")).toBe("sk-…mnop");
		expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	});
});
