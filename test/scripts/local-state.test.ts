import { describe, expect, it } from "vitest";
import { newKey } from "../../scripts/local-state.mjs";
import { KEY_PATTERN, plausibleKey } from "../../src/auth/key-format";

describe("the demo key npm run dev seeds", () => {
	it("is in the gateway's own checksummed format, as the gateway checks it", () => {
		for (let i = 0; i < 50; i++) {
			const key = newKey();
			expect(key).toMatch(KEY_PATTERN);
			expect(plausibleKey(key)).toBe(true);
		}
	});
});
